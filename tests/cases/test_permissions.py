"""Denied side of every endpoint: another citizen, another department's reviewer, a clerk of
another domain. A case they may not see answers 404 (its existence is not disclosed)."""

import pytest

from onevisit.cases.models import Case, CaseStatus
from onevisit.history.models import Event

from .conftest import online_payload, pdf

ACTIONS = [
    ("/notice", {}),
    ("/supplement", {}),
    ("/accept", {}),
    ("/refuse", {"reasons": "r", "legal_basis": "b"}),
    ("/steps/review/complete", {}),
    ("/approve", {}),
    ("/deny", {"reasons": "r", "legal_basis": "b"}),
    ("/suspend", {"procedure": "site_survey", "reason": "r"}),
    ("/resume", {}),
    ("/extend", {"days": 1, "reason": "r"}),
    ("/result", {}),
    ("/deliver", {"method": "electronic"}),
    ("/archive", None),
    ("/withdraw", {}),
    ("/post-check", {"result": "r", "passed": True}),
]


@pytest.fixture
def case_id(api, personas, item):
    citizen = personas["citizen"]
    return api.as_(citizen).post("/cases", online_payload(citizen)).json()["id"]


@pytest.mark.parametrize("outsider", ["other_citizen", "other_reviewer", "re_clerk"])
def test_outsiders_cannot_see_or_touch_a_case(api, personas, staff, case_id, outsider):
    user = {**personas, **staff}[outsider]
    events = Event.objects.count()
    assert api.as_(user).get(f"/cases/{case_id}").status_code == 404
    assert api.as_(user).get("/cases").json()["results"] == []
    assert api.as_(user).upload(f"/cases/{case_id}/materials/application", pdf()).status_code == 404
    for path, body in ACTIONS:
        response = api.as_(user).post(f"/cases/{case_id}{path}", body)
        assert response.status_code == 404, (path, response.content)
    assert Case.objects.get(pk=case_id).status == CaseStatus.PRE_REVIEW
    assert Event.objects.count() == events


def test_insiders_without_the_role_are_forbidden(api, personas, staff, case_id):
    citizen, reviewer = personas["citizen"], personas["reviewer"]
    assert api.as_(citizen).post(f"/cases/{case_id}/accept").status_code == 403
    assert api.as_(citizen).post(f"/cases/{case_id}/refuse", {"reasons": "r", "legal_basis": "b"}).status_code == 403
    assert api.as_(reviewer).post(f"/cases/{case_id}/withdraw").status_code == 403
    assert api.as_(citizen).get("/refusals").status_code == 403
    assert Case.objects.get(pk=case_id).status == CaseStatus.PRE_REVIEW


def test_who_sees_what_in_lists(api, personas, staff, case_id):
    assert [c["id"] for c in api.as_(personas["citizen"]).get("/cases").json()["results"]] == [case_id]
    assert [c["id"] for c in api.as_(personas["clerk"]).get("/cases").json()["results"]] == [case_id]
    assert [c["id"] for c in api.as_(personas["reviewer"]).get("/cases").json()["results"]] == [case_id]
    assert [c["id"] for c in api.as_(personas["supervisor"]).get("/cases").json()["results"]] == [case_id]
    # The agent who applies under the citizen's mandate sees the case too, while the mandate is in force.
    import datetime as dt

    from django.utils import timezone

    from onevisit.mandates.services import mandate_accept, mandate_grant, mandate_revoke

    agent = staff["agent"]
    citizen = personas["citizen"]
    today = timezone.localdate()
    mandate = mandate_grant(actor=citizen, agent_id_number=agent.id_number, agent_name=agent.real_name,
                            item_codes=["331100-MKT-0001"], valid_from=today, valid_until=today + dt.timedelta(days=30))
    mandate_accept(actor=agent, mandate=mandate)
    payload = online_payload(citizen)
    payload["applicant"]["agent"] = {"name": agent.real_name, "id_number": agent.id_number, "authorisation": "委托书"}
    created = api.as_(agent).post("/cases", payload)
    assert created.status_code == 201
    assert created.json()["applicant"]["agent_id_number"] == agent.id_number
    assert [c["id"] for c in api.as_(agent).get("/cases").json()["results"]] == [created.json()["id"]]
    mandate_revoke(actor=citizen, mandate=mandate)
    assert api.as_(agent).get("/cases").json()["results"] == []
    assert api.as_(agent).get(f"/cases/{created.json()['id']}").status_code == 404


def test_anonymous_is_unauthenticated(client, case_id):
    client.logout()
    assert client.get("/api/v1/cases").status_code == 401
    assert client.get(f"/api/v1/cases/{case_id}").status_code == 401


def test_list_filters_and_keyset_pages(api, personas, item):
    citizen = personas["citizen"]
    ids = [api.as_(citizen).post("/cases", online_payload(citizen)).json()["id"] for _ in range(5)]
    supervisor = personas["supervisor"]
    page = api.as_(supervisor).get("/cases", limit=2).json()
    seen = [c["id"] for c in page["results"]]
    while page["next_cursor"]:
        page = api.as_(supervisor).get("/cases", limit=2, cursor=page["next_cursor"]).json()
        seen += [c["id"] for c in page["results"]]
    assert seen == sorted(ids, reverse=True)
    assert len(api.as_(supervisor).get("/cases", status="pre_review", applicant=citizen.id_number,
                                       item_code="331100-MKT-0001").json()["results"]) == 5
    assert api.as_(supervisor).get("/cases", status="accepted").json()["results"] == []
    assert api.as_(supervisor).get("/cases", colour="purple").status_code == 422
    assert api.as_(supervisor).get("/cases", cursor="x").status_code == 422
