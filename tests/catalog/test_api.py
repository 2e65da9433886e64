"""The catalog and organisation API: public reads, administration writes, and every write refused
from the denied side (anonymous 401, citizen 403, another department's admin 403, revoked token 401)."""

import json

import pytest
from django.test import Client
from django.utils.crypto import get_random_string

from onevisit.accounts.models import ApiToken
from onevisit.catalog import services
from onevisit.catalog.models import Bundle, BundleEntry, Material, ServiceItem, VersionStatus
from onevisit.history.models import Event
from onevisit.orgs.models import Region, RegionLevel, ServiceCentre, Window
from tests.catalog.api_builders import item_payload, make_bundle, make_item, setup_admin

A, B, C = "331100-XK-001", "331100-XK-002", "331100-SW-003"


def call(client, method, url, body=None, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = json.dumps(body) if body is not None else ""
    return client.generic(method, url, data, content_type="application/json", headers=headers)


@pytest.fixture
def catalog(personas, departments, region_tree):
    """A published market item A, a draft market item B, a published tax item C, a draft bundle
    (A+C) and a published bundle (A+C), all led by the market department."""
    a = make_item(A, departments, region_tree)
    b = make_item(B, departments, region_tree, publish=False, name="食品经营许可")
    c = make_item(C, departments, region_tree, dept="tax", name="税务登记", keywords="发票 税务", domain="tax",
                  promised_visits=1, channels=["window"])
    make_bundle("draft-bundle", departments, [{"item_code": A}, {"item_code": C, "stage": 2}], publish=False)
    make_bundle("kaiban", departments, [{"item_code": A}, {"item_code": C}])
    return {"a": a, "b": b, "c": c}


def state() -> tuple:
    """Everything a write could change."""
    return (
        list(ServiceItem.objects.order_by("pk").values_list("pk", "version", "status", "name", "updated_at")),
        list(Bundle.objects.order_by("pk").values_list("pk", "status", "name", "updated_at")),
        BundleEntry.objects.count(), Material.objects.count(), Event.objects.count(),
    )


def _writes(departments, region_tree):
    new_bundle = {"code": "new-bundle", "name": "新一件事", "lead_department": departments["market"].credit_code,
                  "entries": [{"item_code": A}, {"item_code": C}], "promised_limit": 5}
    return {
        "create_item": ("POST", "/api/v1/items", item_payload("331100-XK-099", departments, region_tree)),
        "update_draft": ("PATCH", f"/api/v1/items/{B}/versions/1", {"name": "食品经营许可（改）"}),
        "new_version": ("POST", f"/api/v1/items/{A}/versions", {"reason": "依据修订"}),
        "publish_item": ("POST", f"/api/v1/items/{B}/versions/1/publish", {}),
        "retire_item": ("POST", f"/api/v1/items/{A}/retire", {"reason": "法规废止"}),
        "create_bundle": ("POST", "/api/v1/bundles", new_bundle),
        "update_bundle": ("PATCH", "/api/v1/bundles/draft-bundle", {"name": "改名"}),
        "publish_bundle": ("POST", "/api/v1/bundles/draft-bundle/publish", {}),
        "retire_bundle": ("POST", "/api/v1/bundles/kaiban/retire", {"reason": "合并到新的一件事"}),
    }


WRITES = ["create_item", "update_draft", "new_version", "publish_item", "retire_item", "create_bundle",
          "update_bundle", "publish_bundle", "retire_bundle"]


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize("who,status", [("anonymous", 401), ("citizen", 403), ("tax_admin", 403),
                                         ("revoked", 401), ("reviewer", 403)])
def test_every_write_is_refused_from_the_denied_side_and_changes_nothing(
    client, catalog, personas, departments, region_tree, write, who, status
):
    method, url, body = _writes(departments, region_tree)[write]
    token = None
    if who == "revoked":
        t, token = ApiToken.issue(user=personas["market_admin"], name="旧系统")
        t.revoked = True
        t.save()
    elif who != "anonymous":
        client.force_login(personas[who])
    before = state()
    response = call(client, method, url, body, token=token)
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == ("unauthenticated" if status == 401 else "forbidden")
    assert state() == before


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize("who", ["market_admin", "catalog_admin"])
def test_every_write_succeeds_for_the_departments_admin_and_a_global_admin_by_token(
    client, catalog, personas, departments, region_tree, write, who
):
    method, url, body = _writes(departments, region_tree)[write]
    _, token = ApiToken.issue(user=personas[who], name="部门系统")
    before = Event.objects.count()
    response = call(client, method, url, body, token=token)
    assert response.status_code in (200, 201), response.content
    event = Event.objects.order_by("-pk").first()
    assert Event.objects.count() > before and event.actor == personas[who]


def test_item_lifecycle_through_the_api(client, personas, departments, region_tree):
    _, token = ApiToken.issue(user=personas["market_admin"], name="市场监管审批系统")
    body = item_payload("331100-XK-100", departments, region_tree,
                        co_departments=[departments["tax"].credit_code],
                        steps=[{"key": "accept", "name": "受理", "role": "window_clerk", "share": 30},
                               {"key": "decide", "name": "决定", "role": "approver", "share": 70}])
    r = call(client, "POST", "/api/v1/items", body, token)
    assert r.status_code == 201, r.content
    created = r.json()
    assert created["status"] == "draft" and created["co_departments"] == [departments["tax"].credit_code]
    assert [m["key"] for m in created["materials"]] == ["id_card", "application", "lease"]
    assert [s["share"] for s in created["steps"]] == [30, 70]
    assert client.get("/api/v1/items/331100-XK-100").status_code == 404  # not published yet

    r = call(client, "PATCH", "/api/v1/items/331100-XK-100/versions/1", {"promised_limit": 2, "materials": [
        {"key": "application", "name": "登记申请书"}]}, token)
    assert r.status_code == 200 and r.json()["promised_limit"] == 2 and len(r.json()["materials"]) == 1
    r = call(client, "POST", "/api/v1/items/331100-XK-100/versions/1/publish", {}, token)
    assert r.status_code == 200 and r.json()["status"] == "published"
    assert client.get("/api/v1/items/331100-XK-100").json()["version"] == 1

    r = call(client, "PATCH", "/api/v1/items/331100-XK-100/versions/1", {"name": "改已发布"}, token)
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_draft"
    r = call(client, "POST", "/api/v1/items/331100-XK-100/versions", {"reason": "时限压缩"}, token)
    assert r.status_code == 201 and r.json()["version"] == 2 and len(r.json()["materials"]) == 1
    call(client, "PATCH", "/api/v1/items/331100-XK-100/versions/2", {"promised_limit": 1}, token)
    assert call(client, "POST", "/api/v1/items/331100-XK-100/versions/2/publish", {}, token).status_code == 200
    current = client.get("/api/v1/items/331100-XK-100").json()
    assert (current["version"], current["promised_limit"]) == (2, 1)
    assert client.get("/api/v1/items/331100-XK-100/versions/1").json()["status"] == "retired"

    r = call(client, "POST", "/api/v1/items/331100-XK-100/retire", {"reason": "  "}, token)
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == "reason"
    assert call(client, "POST", "/api/v1/items/331100-XK-100/retire", {"reason": "职能调整"}, token).status_code == 200
    assert client.get("/api/v1/items/331100-XK-100").status_code == 404


def test_session_write_needs_the_csrf_token(personas, departments, region_tree):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(personas["market_admin"])
    body = json.dumps(item_payload("331100-XK-200", departments, region_tree))
    r = browser.post("/api/v1/items", body, content_type="application/json")
    assert r.status_code == 403 and "CSRF" in r.json()["error"]["message"]
    assert not ServiceItem.objects.filter(implementation_code="331100-XK-200").exists()
    secret = get_random_string(32)
    browser.cookies["csrftoken"] = secret
    r = browser.post("/api/v1/items", body, content_type="application/json", headers={"X-CSRFToken": secret})
    assert r.status_code == 201, r.content


def test_nested_schema_error_names_the_row_and_field_in_chinese(client, personas, departments, region_tree):
    client.force_login(personas["market_admin"])
    body = item_payload("331100-XK-300", departments, region_tree)
    body["materials"][1]["necessity"] = "sometimes"
    body["materials"][2]["colour"] = "red"
    r = call(client, "POST", "/api/v1/items", body)
    assert r.status_code == 422
    fields = {f["field"]: f["reason"] for f in r.json()["error"]["fields"]}
    assert "materials[2].necessity" in fields and "required" in fields["materials[2].necessity"]
    assert fields["materials[3].colour"] == "不允许的字段"
    assert not ServiceItem.objects.exists()


def test_model_errors_of_child_rows_and_codes_name_the_field(client, personas, departments, region_tree):
    client.force_login(personas["market_admin"])
    body = item_payload("331100-XK-301", departments, region_tree,
                        fields=[{"key": "kind", "label": "类型", "field_type": "choice", "choices": []}])
    r = call(client, "POST", "/api/v1/items", body)
    assert r.status_code == 422
    assert [f["field"] for f in r.json()["error"]["fields"]] == ["fields[1].choices"]
    body = item_payload("331100-XK-301", departments, region_tree, region="999999",
                        co_departments=["91330000000000000X"], promised_visits=2)
    r = call(client, "POST", "/api/v1/items", body)
    fields = {f["field"] for f in r.json()["error"]["fields"]}
    assert r.status_code == 422 and fields == {"region", "co_departments[1]"}
    body = item_payload("331100-XK-301", departments, region_tree, promised_visits=2, promised_limit=30)
    fields = {f["field"]: f["reason"] for f in call(client, "POST", "/api/v1/items", body).json()["error"]["fields"]}
    assert fields == {"visits_reason": "承诺跑动次数多于一次时必须说明原因", "promised_limit": "承诺时限不能长于法定时限"}
    assert not ServiceItem.objects.exists() and not Event.objects.filter(action="item_created").exists()


def test_bundle_publish_refused_when_an_item_has_no_published_version(client, catalog, personas):
    client.force_login(personas["market_admin"])
    r = call(client, "PATCH", "/api/v1/bundles/draft-bundle", {"entries": [{"item_code": A}, {"item_code": B}]})
    assert r.status_code == 200
    r = call(client, "POST", "/api/v1/bundles/draft-bundle/publish", {})
    assert r.status_code == 422 and B in r.json()["error"]["message"]
    assert Bundle.objects.get(code="draft-bundle").status == VersionStatus.DRAFT


def test_bundle_lead_cannot_be_handed_to_a_department_the_admin_does_not_manage(client, catalog, personas, departments):
    client.force_login(personas["market_admin"])
    r = call(client, "PATCH", "/api/v1/bundles/draft-bundle", {"lead_department": departments["tax"].credit_code})
    assert r.status_code == 403
    assert Bundle.objects.get(code="draft-bundle").lead_department == departments["market"]


# Reads -----------------------------------------------------------------------------------------


def codes(response) -> list[str]:
    return [row["implementation_code"] for row in response.json()["results"]]


def test_item_list_shows_current_published_versions_with_filters(client, catalog, departments):
    assert codes(client.get("/api/v1/items")) == [C, A]  # the draft B is not public
    assert codes(client.get("/api/v1/items", {"q": "税务"})) == [C]
    assert codes(client.get("/api/v1/items", {"q": "营业执照"})) == [A]  # keyword
    assert codes(client.get("/api/v1/items", {"department": departments["tax"].credit_code})) == [C]
    assert codes(client.get("/api/v1/items", {"item_type": "licensing", "level": "city"})) == [C, A]
    assert codes(client.get("/api/v1/items", {"channel": "online"})) == [A]
    assert codes(client.get("/api/v1/items", {"promised_visits": 0})) == [A]
    assert codes(client.get("/api/v1/items", {"domain": "tax"})) == [C]
    r = client.get("/api/v1/items", {"channel": "carrier-pigeon"})
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == "channel"


def test_item_list_pages_by_keyset_and_by_offset_in_a_stable_order(client, departments, region_tree):
    made = [make_item(f"331100-PG-{n:03d}", departments, region_tree).implementation_code for n in range(7)]
    seen, after = [], ""
    while True:
        page = client.get("/api/v1/items", {"limit": 3, "after": after}).json()
        seen += [row["implementation_code"] for row in page["results"]]
        after = page["next_after"]
        if not after:
            break
    assert seen == sorted(made)
    assert codes(client.get("/api/v1/items", {"limit": 3, "offset": 3})) == sorted(made)[3:6]


def test_versions_public_sees_published_and_retired_staff_also_drafts(client, catalog, personas):
    services.item_new_version(actor=setup_admin(), item=catalog["a"])
    public = [v["version"] for v in client.get(f"/api/v1/items/{A}/versions").json()]
    assert public == [1]
    assert client.get(f"/api/v1/items/{A}/versions/2").status_code == 404
    assert client.get(f"/api/v1/items/{B}").status_code == 404
    assert client.get(f"/api/v1/items/{B}/versions").status_code == 404
    _, token = ApiToken.issue(user=personas["market_admin"], name="系统")
    r = client.get(f"/api/v1/items/{A}/versions", headers={"Authorization": f"Bearer {token}"})
    assert [v["version"] for v in r.json()] == [2, 1]
    r = client.get(f"/api/v1/items/{A}/versions/2", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json()["status"] == "draft"
    client.force_login(personas["tax_admin"])  # another department's admin sees no drafts of this item
    assert [v["version"] for v in client.get(f"/api/v1/items/{A}/versions").json()] == [1]


def test_a_bad_token_on_a_public_read_is_refused_not_ignored(client, catalog):
    r = client.get("/api/v1/items", headers={"Authorization": "Bearer ov_not-a-token"})
    assert r.status_code == 401


def test_bundles_public_sees_only_published(client, catalog, departments):
    r = client.get("/api/v1/bundles").json()
    assert [b["code"] for b in r["results"]] == ["kaiban"]
    assert client.get("/api/v1/bundles/kaiban").json()["entries"][1]["item_code"] == C
    assert client.get("/api/v1/bundles/draft-bundle").status_code == 404
    assert client.get("/api/v1/bundles/draft-bundle/guide").status_code == 404
    assert client.get("/api/v1/bundles", {"department": departments["tax"].credit_code}).json()["results"][0][
        "code"] == "kaiban"


def test_regions_departments_and_windows(client, personas, region_tree, departments, window):
    county = region_tree["county"]
    Region.objects.create(code="331102001", name="紫金街道", level=RegionLevel.TOWNSHIP, parent=county)
    assert [r["code"] for r in client.get("/api/v1/regions", {"root": True}).json()] == ["330000"]
    assert [r["code"] for r in client.get("/api/v1/regions", {"parent": "331102"}).json()] == ["331102001"]
    assert [r["name"] for r in client.get("/api/v1/regions", {"level": "city"}).json()] == ["丽水市"]
    assert client.get("/api/v1/regions/331100").json()["parent"] == "330000"
    assert client.get("/api/v1/regions/999999").status_code == 404
    assert len(client.get("/api/v1/departments", {"region": "331100"}).json()) == 3
    assert client.get("/api/v1/departments", {"region": "331102"}).json() == []
    centre = ServiceCentre.objects.get()
    Window.objects.create(centre=centre, number="9", name="无差别受理窗口", accepts_any=True)
    assert [w["number"] for w in client.get("/api/v1/windows", {"domain": "business"}).json()] == ["1", "9"]
    any_only = client.get("/api/v1/windows", {"domain": "tax"}).json()
    assert [(w["number"], w["accepts_any"]) for w in any_only] == [("9", True)]


def test_openapi_lists_the_endpoints_and_docs_answer(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    for path in ["/api/v1/items", "/api/v1/items/{code}", "/api/v1/items/{code}/versions",
                 "/api/v1/items/{code}/versions/{version}", "/api/v1/items/{code}/versions/{version}/publish",
                 "/api/v1/items/{code}/retire", "/api/v1/items/{code}/guide", "/api/v1/bundles",
                 "/api/v1/bundles/{code}", "/api/v1/bundles/{code}/guide", "/api/v1/bundles/{code}/publish",
                 "/api/v1/bundles/{code}/retire", "/api/v1/regions", "/api/v1/departments", "/api/v1/windows"]:
        assert path in schema["paths"], path
    assert "post" in schema["paths"]["/api/v1/items"] and "patch" in schema["paths"]["/api/v1/bundles/{code}"]
    assert client.get("/api/v1/docs").status_code == 200
