"""秒批 through the API: one request from submission to a signed, verifiable e-licence; refusals say why."""

import json

import pytest

from onevisit.cases.models import Case
from onevisit.datahub.models import AccessRecord
from onevisit.history.models import Event
from onevisit.licences.models import Licence
from onevisit.rules.models import AutoDecision
from tests.rules.conftest import ELDER_CODE

# 秒批 and the archive package run after the submission commits (the engine's seam): real commits here.
pytestmark = pytest.mark.django_db(transaction=True)


def submit(client, user):
    client.force_login(user)
    return client.post("/api/v1/cases", json.dumps({
        "item_code": ELDER_CODE, "channel": "online",
        "applicant": {"kind": "person", "name": user.real_name, "id_number": user.id_number},
    }), content_type="application/json")


def test_one_request_from_submission_to_a_signed_verifiable_licence(client, elder):
    response = submit(client, elder["person"])
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "delivered" and body["delivery"]["method"] == "electronic"
    decision = AutoDecision.objects.get(case__number=body["number"])
    assert decision.outcome == "approved" and decision.licence_identifier
    licence = Licence.objects.get(identifier=decision.licence_identifier)
    assert licence.holder == elder["person"].id_number and licence.data == {"name": "王老伯", "birth_date": "1950-05-05"}
    assert licence.case_number == body["number"]
    # Through the engine's own verbs, in order, by the system account.
    verbs = [e.action for e in Event.objects.filter(object_type="cases.case", object_id=str(body["id"])).order_by("id")]
    assert verbs[:1] == ["submit"] and {"accept", "complete_step", "approve", "issue_result", "deliver"} <= set(verbs)
    # The trace: each condition, the value it saw, its source and time.
    by_fact = {t["fact"]: t for t in decision.trace}
    assert by_fact["population.birth_date"]["seen"] == "1950-05-05" and by_fact["population.birth_date"]["passed"]
    assert "人口" in by_fact["population.birth_date"]["source"] and by_fact["population.birth_date"]["at"]
    assert by_fact["death"]["found"] is False and by_fact["death"]["passed"]
    # Anyone can verify the licence.
    client.logout()
    verdict = client.get(f"/api/v1/licences/verify/{licence.identifier}").json()
    assert verdict["verdict"] == "valid"
    # The reads are on the citizen's data-use record, with the case as purpose.
    client.force_login(elder["person"])
    accesses = client.get("/api/v1/datahub/my-accesses").json()
    assert {a["resource"] for a in accesses} >= {"population", "death"}
    assert all(a["purpose_case_number"] == body["number"] for a in accesses)


def test_a_deceased_person_is_not_approved_and_the_case_says_why(client, elder):
    response = submit(client, elder["dead"])
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "pre_review"
    assert not Licence.objects.exists()
    event = next(h for h in body["history"] if h["action"] == "auto_decision")
    assert "death 不存在" in event["reason"] and "死亡人口信息" in event["reason"]
    detail = client.get(f"/api/v1/rules/decisions/{body['number']}").json()
    assert detail["outcome"] == "manual" and detail["licence"] is None
    assert detail["reasons"] == [event["reason"]]
    death = next(t for t in detail["trace"] if t["fact"] == "death")
    assert death["found"] and not death["passed"] and "死亡" in death["source"]


def test_without_a_permission_the_rule_cannot_check_and_a_human_decides(client, elder, departments):
    from onevisit.datahub.models import SharingPermission

    SharingPermission.objects.filter(resource__key="death").delete()
    from onevisit.datahub.services import _permission_cache

    _permission_cache.clear()
    body = submit(client, elder["person"]).json()
    assert body["status"] == "pre_review"
    decision = AutoDecision.objects.get(case__number=body["number"])
    assert decision.outcome == "manual" and any("无法核实" in r for r in decision.reasons)
    refusal = AccessRecord.objects.get(resource_key="death", granted=False)
    assert refusal.purpose_case_number == body["number"]


def test_the_decision_is_visible_only_to_who_may_see_the_case(client, elder, personas):
    number = submit(client, elder["person"]).json()["number"]
    client.force_login(personas["other_citizen"])
    assert client.get(f"/api/v1/rules/decisions/{number}").status_code == 404
    client.force_login(personas["reviewer"])  # a reviewer of the market department
    assert client.get(f"/api/v1/rules/decisions/{number}").status_code == 200
    assert Case.objects.get(number=number).status == "delivered"
