"""Department systems call the cases API with bearer tokens: a token acts as its user, with exactly
that user's department; without credentials or with a bad token nothing is read or written."""

import pytest

from onevisit.accounts.models import ApiToken
from onevisit.cases.models import Case, CaseStatus
from onevisit.history.models import Event

from .conftest import make_item, online_payload


def bearer(raw):
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def cases_a_and_b(api, personas, departments, region_tree, item):
    """A case for dept A (market, the reviewer's) and one for dept B (real estate)."""
    make_item(personas["catalog_admin"], departments, region_tree, "331100-RE-0009", dept="realestate",
              domain="real_estate")
    citizen = personas["citizen"]
    a = api.as_(citizen).post("/cases", online_payload(citizen)).json()["id"]
    b = api.as_(citizen).post("/cases", online_payload(citizen, item_code="331100-RE-0009")).json()["id"]
    api.client.logout()
    return a, b


def test_a_department_token_acts_on_its_own_cases_only(client, personas, cases_a_and_b):
    a, b = cases_a_and_b
    _, raw = ApiToken.issue(user=personas["reviewer"], name="市场监管局审批系统")
    headers = bearer(raw)
    assert client.get(f"/api/v1/cases/{a}", headers=headers).status_code == 200
    listed = client.get("/api/v1/cases", headers=headers).json()["results"]
    assert [c["id"] for c in listed] == [a]
    response = client.post(f"/api/v1/cases/{a}/accept", "{}", content_type="application/json", headers=headers)
    assert response.status_code == 409  # reached the engine: materials are missing, nothing accepted
    assert response.json()["error"]["code"] == "incomplete"
    response = client.post(f"/api/v1/cases/{a}/notice", "{}", content_type="application/json", headers=headers)
    assert response.status_code == 200 and response.json()["status"] == CaseStatus.AWAITING_SUPPLEMENT
    events = Event.objects.count()
    assert client.get(f"/api/v1/cases/{b}", headers=headers).status_code == 404
    for path in ("/notice", "/accept"):
        response = client.post(f"/api/v1/cases/{b}{path}", "{}", content_type="application/json", headers=headers)
        assert response.status_code in (403, 404), path
    assert Case.objects.get(pk=b).status == CaseStatus.PRE_REVIEW
    assert Event.objects.count() == events


def test_missing_bad_or_revoked_tokens_are_refused(client, personas, cases_a_and_b):
    a, _ = cases_a_and_b
    token, raw = ApiToken.issue(user=personas["reviewer"], name="系统")
    assert client.get(f"/api/v1/cases/{a}").status_code == 401
    assert client.get(f"/api/v1/cases/{a}", headers=bearer("ov_forged")).status_code == 401
    token.revoked = True
    token.save()
    response = client.post(f"/api/v1/cases/{a}/notice", "{}", content_type="application/json", headers=bearer(raw))
    assert response.status_code == 401
    assert Case.objects.get(pk=a).status == CaseStatus.PRE_REVIEW


def test_browser_session_writes_need_csrf(personas, cases_a_and_b):
    from django.test import Client

    a, _ = cases_a_and_b
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(personas["reviewer"])
    assert browser.get(f"/api/v1/cases/{a}").status_code == 200
    response = browser.post(f"/api/v1/cases/{a}/notice", "{}", content_type="application/json")
    assert response.status_code == 403
    assert Case.objects.get(pk=a).status == CaseStatus.PRE_REVIEW
