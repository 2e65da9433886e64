"""办事指南 as JSON and as a printable page: the same limits, materials and "no need to bring", a
Chinese 404, and a query count that does not grow with the number of materials."""

import re

import pytest

from onevisit.catalog import services
from onevisit.catalog.guides import NEED_NOT_BRING
from tests.catalog.api_builders import field, make_bundle, make_item, material, setup_admin

A, C = "331100-XK-001", "331100-SW-003"


@pytest.fixture
def guides(departments, region_tree):
    make_item(A, departments, region_tree, co_departments=[departments["tax"].credit_code])
    make_item(C, departments, region_tree, dept="tax", name="税务登记", promised_limit_unit="on_the_spot",
              promised_limit=0, materials=[
                  material("id_card", "申请人身份证明", necessity="optional"),
                  material("tax_form", "税务登记表", kind="form"),
              ], fields=[field("applicant_name", "申请人姓名"), field("tax_type", "纳税人类型")])
    make_bundle("kaiban", departments, [{"item_code": A}, {"item_code": C, "stage": 2}])


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_item_guide_json_and_page_say_the_same(client, guides, departments):
    data = client.get(f"/api/v1/items/{A}/guide").json()
    assert data["promised_limit"]["text"] == "3个工作日" and data["legal_limit"]["text"] == "20个工作日"
    assert data["co_departments"] == [{"name": departments["tax"].name, "credit_code": departments["tax"].credit_code}]
    by_key = {m["key"]: m for m in data["materials"]}
    assert by_key["id_card"]["need_not_bring"] and by_key["id_card"]["need_not_bring_note"] == NEED_NOT_BRING
    assert not by_key["application"]["need_not_bring"]
    assert by_key["lease"]["necessity"]["label"] == "容缺后补" and by_key["lease"]["copies"] == 2
    assert data["special_procedures"][0]["cap"]["text"] == "5个工作日"
    assert data["visits_text"] == "零跑动（一次不用跑）"
    assert [s["share"] for s in data["steps"]] == [10, 40, 30, 10, 10]

    response = client.get(f"/guide/items/{A}/")
    assert response.status_code == 200
    page = text_of(response.content.decode())
    for expected in [data["name"], "承诺时限 3个工作日", "法定时限 20个工作日", data["visits_text"],
                     "全省通办", "四级：全程网办", "现场勘查：最长5个工作日", departments["tax"].name,
                     "营业执照", "0578-12345", "第1版"]:
        assert expected in page, expected
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", response.content.decode(), re.S)
    id_row = text_of(next(r for r in rows if "申请人身份证明" in r))
    app_row = text_of(next(r for r in rows if "登记申请书" in r))
    assert NEED_NOT_BRING in id_row and NEED_NOT_BRING not in app_row
    assert page.count(NEED_NOT_BRING) == sum(m["need_not_bring"] for m in data["materials"])


def test_on_the_spot_item_shows_即办(client, guides):
    data = client.get(f"/api/v1/items/{C}/guide").json()
    assert data["promised_limit"]["text"] == "即办"
    assert "承诺时限 即办" in text_of(client.get(f"/guide/items/{C}/").content.decode())


def test_bundle_guide_merges_form_and_materials(client, guides, departments):
    data = client.get("/api/v1/bundles/kaiban/guide").json()
    assert [[i["implementation_code"] for i in s["items"]] for s in data["stages"]] == [[A], [C]]
    assert data["stages"][1]["items"][0]["department"]["name"] == departments["tax"].name
    fields = {f["key"]: f for f in data["form_fields"]}
    assert [u["implementation_code"] for u in fields["applicant_name"]["used_by"]] == [A, C]
    assert len(data["form_fields"]) == 3  # applicant_name asked once
    mats = {m["key"]: m for m in data["materials"]}
    assert [u["implementation_code"] for u in mats["id_card"]["used_by"]] == [A, C]
    assert mats["id_card"]["necessity"]["value"] == "required" and mats["id_card"]["need_not_bring"]
    assert data["promised_limit"]["text"] == "5个工作日" and data["promised_visits"] == 0
    page = text_of(client.get("/guide/bundles/kaiban/").content.decode())
    for expected in ["第1阶段", "第2阶段", departments["tax"].name, "承诺时限 5个工作日", NEED_NOT_BRING, "税务登记表"]:
        assert expected in page, expected
    assert page.count("申请人身份证明") == 1


def test_unknown_draft_and_retired_guides_answer_404_in_chinese(client, guides, departments, region_tree):
    make_item("331100-XK-777", departments, region_tree, publish=False)
    services.bundle_retire(actor=setup_admin(), bundle=services.Bundle.objects.get(code="kaiban"), reason="调整")
    for url in ["/guide/items/nope/", "/guide/items/331100-XK-777/", "/guide/bundles/kaiban/"]:
        response = client.get(url)
        assert response.status_code == 404
        assert "未找到" in response.content.decode()
    assert client.get("/api/v1/items/331100-XK-777/guide").json()["error"]["code"] == "not_found"


def test_home_lists_and_searches(client, guides, departments):
    page = client.get("/guide/").content.decode()
    assert 'lang="zh-Hans"' in page and 'href="#main"' in page and "<main" in page and "src=\"http" not in page
    assert "一件事kaiban" in page and "税务登记" in page
    page = client.get("/guide/", {"q": "税务"}).content.decode()
    assert "税务登记" in page and f"/guide/items/{A}/" not in page
    page = client.get("/guide/", {"department": departments["tax"].credit_code}).content.decode()
    assert f"/guide/items/{C}/" in page and f"/guide/items/{A}/" not in page


def test_stylesheet_has_print_rules_and_is_found_by_collectstatic(client, db):
    from django.contrib.staticfiles import finders

    page = client.get("/guide/").content.decode()
    href = re.search(r'href="/static/([^"]+\.css)"', page).group(1)
    with open(finders.find(href), encoding="utf-8") as fh:
        css = fh.read()
    assert "@media print" in css and ".site-header" in css and "max-width: 40rem" in css


def _many_materials(code, departments, region_tree, n):
    return make_item(code, departments, region_tree, materials=[material(f"m{i}", f"材料{i}") for i in range(n)],
                     fields=[field(f"f{i}", f"字段{i}") for i in range(n)])


@pytest.mark.parametrize("n", [2, 30])
def test_guide_query_count_does_not_grow_with_materials(client, departments, region_tree, n,
                                                         django_assert_max_num_queries):
    _many_materials("331100-QC-001", departments, region_tree, n)
    _many_materials("331100-QC-002", departments, region_tree, n)
    make_bundle("qc", departments, [{"item_code": "331100-QC-001"}, {"item_code": "331100-QC-002"}])
    for url in ["/api/v1/items/331100-QC-001/guide", "/guide/items/331100-QC-001/", "/api/v1/items/331100-QC-001"]:
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200
    for url in ["/api/v1/bundles/qc/guide", "/guide/bundles/qc/"]:
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200


@pytest.mark.parametrize("n", [3, 25])
def test_list_query_count_does_not_grow_with_rows(client, departments, region_tree, n, django_assert_max_num_queries):
    for i in range(n):
        make_item(f"331100-LS-{i:03d}", departments, region_tree)
    make_bundle("ls", departments, [{"item_code": "331100-LS-000"}, {"item_code": "331100-LS-001"}])
    for url in ["/api/v1/items?limit=50", "/api/v1/bundles", "/api/v1/items/331100-LS-000/versions", "/guide/"]:
        with django_assert_max_num_queries(4):
            assert client.get(url).status_code == 200
