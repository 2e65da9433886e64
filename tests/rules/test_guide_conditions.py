"""The guide of an item with a 秒批 rule shows the rule's conditions, marked as checked automatically and ahead
of the typed ones, in the JSON guide and on the printable page; a new draft version with a changed rule has
a guide of its own (seen only by those who may see drafts); an item without a rule shows its typed text."""

import re

import pytest

from onevisit.catalog.guides import CHECKED_NOTE
from onevisit.catalog.services import item_create, item_new_version, item_publish
from onevisit.rules.services import rule_set

ELDER_RULE = {"all": [
    {"fact": "population.birth_date", "op": "age_at_least", "value": 60},
    {"fact": "death", "op": "absent"},
    {"fact": "population.region_code", "op": "starts_with", "value": "3311"},
]}

CODE = "331100-JT-0001"
TYPED = "年满65周岁的本市户籍老年人"  # what an administrator once typed; the rule says 60


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _item(admin, departments, region_tree, code=CODE, conditions=TYPED):
    return item_create(actor=admin, data={
        "implementation_code": code, "name": "公交老年卡办理", "basic_code": "330709001000",
        "item_type": "public_service", "level": "city", "region": region_tree["city"],
        "department": departments["market"], "targets": ["person"], "channels": ["window", "online"],
        "legal_limit": 10, "promised_limit": 3, "promised_visits": 0, "conditions": conditions,
    }, children={"fields": [{"key": "applicant_name", "label": "姓名", "field_type": "text"}]})


@pytest.fixture
def card(personas, departments, region_tree):
    admin = personas["catalog_admin"]
    item = _item(admin, departments, region_tree)
    rule_set(actor=admin, item=item, definition=ELDER_RULE)
    return item_publish(actor=admin, item=item)


def _with_age(age: int) -> dict:
    return {"all": [{**ELDER_RULE["all"][0], "value": age}, *ELDER_RULE["all"][1:]]}


def test_the_guide_shows_the_rules_age_ahead_of_the_typed_conditions(client, card):
    data = client.get(f"/api/v1/items/{CODE}/guide").json()
    assert data["checked_conditions"] == [
        {"text": "年满60周岁", "source": "人口基础信息库", "checked_by": "秒批规则"},
        {"text": "无死亡记录", "source": "死亡人口信息", "checked_by": "秒批规则"},
        {"text": "户籍在丽水市", "source": "人口基础信息库", "checked_by": "秒批规则"},
    ]
    assert data["conditions_note"] == CHECKED_NOTE and data["conditions"] == TYPED

    page = text_of(client.get(f"/guide/items/{CODE}/").content.decode())
    assert "年满60周岁 （秒批规则自动核验，依据人口基础信息库）" in page
    assert "户籍在丽水市" in page and CHECKED_NOTE in page
    assert page.index(CHECKED_NOTE) < page.index("年满60周岁") < page.index("其他说明") < page.index(TYPED)


def test_a_changed_rule_in_a_new_draft_changes_the_guide_of_that_version_only(client, card, personas):
    admin = personas["catalog_admin"]
    draft = item_new_version(actor=admin, item=card)
    rule_set(actor=admin, item=draft, definition=_with_age(65))

    client.force_login(personas["market_admin"])
    texts = [c["text"] for c in client.get(f"/api/v1/items/{CODE}/versions/2/guide").json()["checked_conditions"]]
    assert texts == ["年满65周岁", "无死亡记录", "户籍在丽水市"]
    page = text_of(client.get(f"/guide/items/{CODE}/?version=2").content.decode())
    assert "年满65周岁 （秒批规则自动核验" in page and "年满60周岁" not in page
    # The published version 1 still says what its own rule says.
    assert client.get(f"/api/v1/items/{CODE}/guide").json()["checked_conditions"][0]["text"] == "年满60周岁"
    assert client.get(f"/api/v1/items/{CODE}/versions/1/guide").json()["version"] == 1

    item_publish(actor=admin, item=draft)
    assert client.get(f"/api/v1/items/{CODE}/guide").json()["checked_conditions"][0]["text"] == "年满65周岁"
    assert "年满65周岁" in text_of(client.get(f"/guide/items/{CODE}/").content.decode())


@pytest.mark.parametrize("who", ["anonymous", "citizen", "tax_admin"])
def test_a_drafts_guide_is_refused_to_those_who_may_not_see_drafts(client, card, personas, who):
    item_new_version(actor=personas["catalog_admin"], item=card)
    if who != "anonymous":
        client.force_login(personas[who])
    assert client.get(f"/api/v1/items/{CODE}/versions/2/guide").status_code == 404
    response = client.get(f"/guide/items/{CODE}/?version=2")
    assert response.status_code == 404 and "未找到" in response.content.decode()
    assert client.get(f"/guide/items/{CODE}/?version=abc").status_code == 404
    assert client.get(f"/api/v1/items/{CODE}/versions/99999999999999999999/guide").status_code == 404
    assert client.get(f"/api/v1/items/{CODE}/versions/1/guide").status_code == 200  # published: public


def test_an_item_without_a_rule_shows_its_typed_conditions(client, personas, departments, region_tree):
    admin = personas["catalog_admin"]
    item_publish(actor=admin, item=_item(admin, departments, region_tree, code="331100-JT-0002",
                                         conditions="持有本市居住证的外地老年人"))
    data = client.get("/api/v1/items/331100-JT-0002/guide").json()
    assert data["checked_conditions"] == [] and data["conditions_note"] == ""
    assert data["conditions"] == "持有本市居住证的外地老年人"
    page = text_of(client.get("/guide/items/331100-JT-0002/").content.decode())
    assert "受理条件 持有本市居住证的外地老年人" in page and "自动核验" not in page


def test_the_guide_query_count_stays_fixed_with_a_rule(client, card, django_assert_max_num_queries):
    client.get(f"/api/v1/items/{CODE}/guide")  # the published rule's conditions are kept after the first read
    for url in [f"/api/v1/items/{CODE}/guide", f"/guide/items/{CODE}/"]:
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200
