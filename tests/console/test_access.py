"""Staff sign-in: staff accounts only, routed by role; the supervisor pages for supervisors only."""

import pytest

from onevisit.cases import services
from onevisit.cases.models import CaseStatus
from tests.console.helpers import submitted_case

pytestmark = pytest.mark.django_db


def test_staff_sign_in_routes_by_role(client, personas):
    r = client.post("/console/login/", {"username": "reviewer", "password": "pass-1234"})
    assert r.status_code == 302 and r["Location"] == "/console/"
    assert client.get("/console/")["Location"] == "/console/worklist/"
    client.post("/console/logout/")
    client.post("/console/login/", {"username": "clerk", "password": "pass-1234"})
    assert client.get("/console/")["Location"] == "/console/window/"
    client.post("/console/logout/")
    client.post("/console/login/", {"username": "supervisor", "password": "pass-1234"})
    assert client.get("/console/")["Location"] == "/console/supervisor/"


def test_citizen_and_wrong_password_are_refused(client, personas):
    r = client.post("/console/login/", {"username": "citizen", "password": "pass-1234"})
    assert r.status_code == 400 and "不是工作人员账号" in r.content.decode()
    assert "_auth_user_id" not in client.session
    r = client.post("/console/login/", {"username": "reviewer", "password": "wrong"})
    assert r.status_code == 400 and "用户名或密码不正确" in r.content.decode()
    anonymous = client.get("/console/worklist/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/console/login/?next=")
    client.force_login(personas["citizen"])
    assert client.get("/console/").status_code == 403


def test_supervisor_pages_and_overturn(client, personas, staff, item):
    case = submitted_case(personas["citizen"])
    refusal = services.case_refuse(actor=personas["clerk"], case=case, reasons="不属于本机关职权",
                                   legal_basis="《行政许可法》第三十二条")
    client.force_login(personas["reviewer"])
    assert client.get("/console/supervisor/").status_code == 403
    assert client.post(f"/console/supervisor/refusals/{refusal.pk}/overturn/", {"reason": "x"}).status_code == 403
    client.force_login(personas["supervisor"])
    page = client.get("/console/supervisor/").content.decode()
    assert case.number in page and "不属于本机关职权" in page
    bad = client.post(f"/console/supervisor/refusals/{refusal.pk}/overturn/", {"reason": " "})
    assert bad.status_code == 400 and "撤销理由必须填写" in bad.content.decode()
    refusal.refresh_from_db()
    assert refusal.overturned_at is None
    ok = client.post(f"/console/supervisor/refusals/{refusal.pk}/overturn/", {"reason": "属于本机关职权，应予受理"})
    assert ok.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_broken_visit_promise_and_overdue_gaps_are_listed(client, personas, staff, item):
    from tests.cases.conftest import at
    from tests.console.helpers import scan

    case, _ = services.case_submit(
        actor=personas["clerk"], item_code=item.implementation_code, channel="window",
        applicant={"kind": "person", "name": "张三", "id_number": personas["citizen"].id_number},
        form={"company_name": "丽水小馆", "capital": "10", "scope": "餐饮"},
        materials={"id-card": "shared_data", "safety-pledge": "commitment"})
    services.case_issue_notice(actor=personas["clerk"], case=case)
    services.case_material_upload(actor=personas["clerk"], case=case, key="application", upload=scan())
    services.case_supplement(actor=personas["clerk"], case=case, at_window=True)
    services.case_accept(actor=personas["clerk"], case=case, gaps=True, gaps_due=at(2026, 11, 2), now=at(2026, 10, 30))
    client.force_login(personas["supervisor"])
    page = client.get("/console/supervisor/").content.decode()
    assert 'data-testid="breaches"' in page and 'data-testid="overdue-gaps"' in page
    assert page.count(case.number) >= 2
