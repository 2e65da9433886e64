"""Who may apply in whose name (issue "Trust", found 1), attacked over real HTTP against the live server:
nobody applies in another person's or company's name without an entitlement the platform checked, a name
must match the register, and 秒批 never decides an application whose claim or identity is unverified."""

import datetime as dt

import pytest
import requests
from django.utils import timezone

from onevisit.accounts.models import ApiToken, User
from onevisit.cases.models import Case
from onevisit.datahub.models import AccessRecord
from onevisit.datahub.services import records_upsert
from onevisit.licences.models import Licence
from onevisit.mandates.models import Mandate
from onevisit.rules.models import AutoDecision
from tests.cases.conftest import COMPANY_CODE
from tests.datahub.conftest import hub, valid_id_number  # noqa: F401 - shared fixtures
from tests.licences.conftest import lic  # noqa: F401
from tests.rules.conftest import ELDER_CODE, elder  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


class Http:
    """A department system or citizen app talking to the real server with a bearer token."""

    def __init__(self, base: str, user):
        _, raw = ApiToken.issue(user=user, name="测试令牌")
        self.base, self.headers = base + "/api/v1", {"Authorization": f"Bearer {raw}"}

    def post(self, path, body=None):
        return requests.post(self.base + path, json=body or {}, headers=self.headers, timeout=30)

    def get(self, path):
        return requests.get(self.base + path, headers=self.headers, timeout=30)


def _application(applicant: dict, item=ELDER_CODE) -> dict:
    return {"item_code": item, "channel": "online", "applicant": applicant}


@pytest.fixture
def wang(elder):  # noqa: F811
    """A citizen (the attacker in the first test), known to the population register."""
    user = User.objects.create_user(username="citizen_wang", password="x", real_name="王建国",
                                    id_number=valid_id_number("33250219770619458"))
    return user


def test_applying_in_another_persons_name_is_refused_and_reveals_nothing(live_server, elder, wang):  # noqa: F811
    victim = elder["person"]  # in the registers: alive, over 60, a rule would approve them
    http = Http(live_server.url, wang)
    attack = http.post("/cases", _application({
        "kind": "person", "name": "张三", "id_number": victim.id_number,
        "agent": {"name": wang.real_name, "id_number": wang.id_number, "authorisation": "x"}}))
    assert attack.status_code == 403, attack.text
    assert "授权委托" in attack.json()["error"]["message"]
    # Nothing created, nothing decided, the victim's register never read for it.
    assert not Case.objects.exists() and not AutoDecision.objects.exists() and not Licence.objects.exists()
    assert not AccessRecord.objects.filter(identifier=victim.id_number).exists()
    decisions = http.get("/rules/decisions/" + ELDER_CODE + "20260101000001")
    assert decisions.status_code == 404
    # Naming someone else as the agent does not help either.
    other_agent = http.post("/cases", _application({
        "kind": "person", "name": victim.real_name, "id_number": victim.id_number,
        "agent": {"name": "李四", "id_number": valid_id_number("33250219820606234"), "authorisation": "委托书"}}))
    assert other_agent.status_code == 403 and not Case.objects.exists()


def test_own_application_needs_the_registered_name(live_server, elder):  # noqa: F811
    person = elder["person"]
    http = Http(live_server.url, person)
    wrong = http.post("/cases", _application({"kind": "person", "name": "王小伯", "id_number": person.id_number}))
    assert wrong.status_code == 422
    assert wrong.json()["error"]["fields"] == [
        {"field": "applicant.name", "reason": "姓名与人口库登记的不一致：请按证件填写"}]
    assert not Case.objects.exists()
    right = http.post("/cases", _application({"kind": "person", "name": person.real_name, "id_number": person.id_number}))
    assert right.status_code == 201 and right.json()["status"] == "delivered"
    case = Case.objects.get()
    assert case.claim == "self" and case.identity_verified


def test_a_mandate_lets_the_agent_apply_until_it_is_revoked(live_server, elder, wang):  # noqa: F811
    """A daughter (王建国 here) applies for her father under his mandate; he revokes it; she can do no more."""
    father = elder["person"]
    as_father, as_agent = Http(live_server.url, father), Http(live_server.url, wang)
    today = timezone.localdate()
    granted = as_father.post("/mandates", {
        "agent_id_number": wang.id_number, "agent_name": wang.real_name, "item_codes": [ELDER_CODE],
        "valid_from": today.isoformat(), "valid_until": (today + dt.timedelta(days=90)).isoformat()})
    assert granted.status_code == 201, granted.text
    mandate_id = granted.json()["id"]
    # Not yet accepted by the agent: not in force.
    early = as_agent.post("/cases", _application({"kind": "person", "name": father.real_name, "id_number": father.id_number}))
    assert early.status_code == 403
    assert as_agent.post(f"/mandates/{mandate_id}/accept").status_code == 200
    applied = as_agent.post("/cases", _application({"kind": "person", "name": father.real_name,
                                                    "id_number": father.id_number}))
    assert applied.status_code == 201, applied.text
    body = applied.json()
    assert body["applicant"]["agent_id_number"] == wang.id_number and body["status"] == "delivered"
    case = Case.objects.get()
    assert case.claim == "mandate" and case.claim_ref == f"mandate:{mandate_id}"
    # Both names are on record: the agent acted, the father is the applicant; the father sees the case.
    assert case.submitted_by == wang and case.applicant_id_number == father.id_number
    assert as_father.get(f"/cases/{case.pk}").status_code == 200
    assert as_agent.get(f"/cases/{case.pk}").status_code == 200
    # A matter the mandate does not cover.
    beyond = as_agent.post("/cases", _application({"kind": "person", "name": father.real_name,
                                                   "id_number": father.id_number}, item="331100-MKT-0001"))
    assert beyond.status_code in (403, 422)
    # The agent cannot revoke the father's mandate; the father can, effective at once.
    assert as_agent.post(f"/mandates/{mandate_id}/revoke", {"reason": "x"}).status_code == 403
    assert as_father.post(f"/mandates/{mandate_id}/revoke", {"reason": "不再需要"}).status_code == 200
    again = as_agent.post("/cases", _application({"kind": "person", "name": father.real_name, "id_number": father.id_number}))
    assert again.status_code == 403
    assert as_agent.get(f"/cases/{case.pk}").status_code == 404
    assert as_agent.get("/cases").json()["results"] == []
    assert Case.objects.count() == 1


def test_an_expired_mandate_entitles_nobody(live_server, elder, wang):  # noqa: F811
    father = elder["person"]
    today = timezone.localdate()
    mandate = Mandate.objects.create(
        principal_kind="person", principal_id=father.id_number, principal_name=father.real_name,
        agent_id_number=wang.id_number, agent_name=wang.real_name, item_codes=[ELDER_CODE],
        valid_from=today - dt.timedelta(days=30), valid_until=today - dt.timedelta(days=1),
        granted_by=father, granted_at=timezone.now() - dt.timedelta(days=30), accepted_at=timezone.now())
    response = Http(live_server.url, wang).post("/cases", _application(
        {"kind": "person", "name": father.real_name, "id_number": father.id_number}))
    assert response.status_code == 403 and not Case.objects.exists()
    assert mandate.pk


def test_company_applications_need_the_registered_representative(live_server, elder, hub, wang, personas,  # noqa: F811
                                                                  departments, region_tree):
    from tests.cases.conftest import make_item

    boss = elder["person"]
    records_upsert(actor=hub["data_admin"], resource=hub["resources"]["legal_entity"], records=[
        {"identifier": COMPANY_CODE, "data": {"name": "丽水小馆有限公司", "credit_code": COMPANY_CODE, "status": "存续",
                                              "legal_representative": boss.real_name,
                                              "legal_representative_id_number": boss.id_number}}])
    item = make_item(personas["catalog_admin"], departments, region_tree, "331100-MKT-0001")
    company = {"kind": "company", "name": "丽水小馆有限公司", "credit_code": COMPANY_CODE}
    # A stranger claiming to act for the company with a typed "authorisation": refused, nothing created.
    stranger = Http(live_server.url, wang).post("/cases", _application(
        {**company, "agent": {"name": wang.real_name, "id_number": wang.id_number, "authorisation": "公司委托"}},
        item=item.implementation_code))
    assert stranger.status_code == 403 and "法定代表人" in stranger.json()["error"]["message"]
    assert not Case.objects.exists()
    # A wrong company name is refused against the register, for the representative too.
    as_boss = Http(live_server.url, boss)
    misnamed = as_boss.post("/cases", _application({**company, "name": "丽水大馆有限公司"}, item=item.implementation_code))
    assert misnamed.status_code == 422 and misnamed.json()["error"]["fields"][0]["field"] == "applicant.name"
    # The registered legal representative applies; the case says on what ground.
    ok = as_boss.post("/cases", _application(company, item=item.implementation_code))
    assert ok.status_code == 201, ok.text
    case = Case.objects.get()
    assert case.claim == "representative" and case.agent_id_number == boss.id_number and case.identity_verified


def test_no_auto_approval_for_an_identity_the_register_does_not_know(live_server, elder):  # noqa: F811
    """A signed-in person the population register does not know: the application is taken, but no rule
    decides it on unverified facts; a human does."""
    unknown = User.objects.create_user(username="newcomer", password="x", real_name="外省人",
                                       id_number=valid_id_number("11010119450101123"))
    response = Http(live_server.url, unknown).post("/cases", _application(
        {"kind": "person", "name": unknown.real_name, "id_number": unknown.id_number}))
    assert response.status_code == 201 and response.json()["status"] == "pre_review"
    case = Case.objects.get()
    assert case.claim == "self" and not case.identity_verified
    assert not AutoDecision.objects.exists() and not case.reactions.exists()
