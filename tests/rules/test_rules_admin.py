"""Rules belong to item versions, are immutable once published, and can be tried on samples first."""

import json

import pytest

from onevisit.catalog.services import item_new_version
from onevisit.errors import DomainError
from onevisit.rules.models import AutoRule
from onevisit.rules.services import rule_set
from tests.rules.conftest import ELDER_CODE, ELDER_RULE

SAMPLES = {"samples": [
    {"label": "70岁健在", "facts": {"population.birth_date": "1956-01-01", "population.region_code": "331102"}},
    {"label": "已故", "facts": {"population.birth_date": "1940-01-01", "population.region_code": "331102",
                               "death": {"death_date": "2025-01-01"}}},
    {"label": "外地", "facts": {"population.birth_date": "1950-01-01", "population.region_code": "110101"}},
]}


def _put(client, user, version, payload):
    client.force_login(user)
    return client.put(f"/api/v1/rules/{ELDER_CODE}/{version}", json.dumps(payload), content_type="application/json")


def test_a_published_rule_is_immutable_and_a_new_version_copies_it(elder, personas):
    item = elder["item"]
    with pytest.raises(DomainError) as exc:
        rule_set(actor=personas["catalog_admin"], item=item, definition={"fact": "death", "op": "absent"})
    assert exc.value.code == "rule_immutable"
    draft = item_new_version(actor=personas["catalog_admin"], item=item)
    copied = AutoRule.objects.get(item=draft)
    assert copied.definition == ELDER_RULE and copied.licence_type.code == "LNK"
    rule_set(actor=personas["catalog_admin"], item=draft, definition={"fact": "death", "op": "absent"})
    assert AutoRule.objects.get(item=item).definition == ELDER_RULE  # the published version is untouched


def test_admin_tests_a_rule_on_sample_applicants(client, elder, personas):
    client.force_login(personas["catalog_admin"])
    response = client.post(f"/api/v1/rules/{ELDER_CODE}/1/test", json.dumps(SAMPLES), content_type="application/json")
    assert response.status_code == 200, response.content
    results = {r["sample"]: r for r in response.json()["results"]}
    assert results["70岁健在"]["passed"] and not results["已故"]["passed"] and not results["外地"]["passed"]
    assert any("3311" in r for r in results["外地"]["reasons"])


@pytest.mark.parametrize("who", ["citizen", "tax_admin", "reviewer"])
def test_only_the_items_catalog_admins_may_test_or_set_rules(client, elder, personas, who):
    client.force_login(personas[who])
    response = client.post(f"/api/v1/rules/{ELDER_CODE}/1/test", json.dumps(SAMPLES), content_type="application/json")
    assert response.status_code == 403
    draft = item_new_version(actor=personas["catalog_admin"], item=elder["item"])
    response = _put(client, personas[who], draft.version, {"definition": {"fact": "death", "op": "absent"}})
    assert response.status_code == 403
    assert AutoRule.objects.get(item=draft).definition == ELDER_RULE


def test_an_invalid_rule_is_refused_with_every_problem_named(client, elder, personas):
    draft = item_new_version(actor=personas["catalog_admin"], item=elder["item"])
    response = _put(client, personas["market_admin"], draft.version, {
        "definition": {"all": [{"fact": "__import__('os')", "op": "eq", "value": 1},
                               {"fact": "population.birth_date", "op": "exec", "value": 1}]},
        "licence_action": "issue", "licence_type": "NOPE",
    })
    assert response.status_code == 422
    fields = {f["field"] for f in response.json()["error"]["fields"]}
    assert {"rule.all.0.fact", "rule.all.1.op", "licence_type"} <= fields
    assert AutoRule.objects.get(item=draft).definition == ELDER_RULE
