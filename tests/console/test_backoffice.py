"""Reviewer worklist and case page: ordering by deadline colour, keyset pages, decisions through the
services, and another department's case is not there (404)."""

import pytest

from onevisit.cases.models import CaseStatus, Refusal
from onevisit.console.selectors import console_worklist
from tests.cases.conftest import at
from tests.console.helpers import accepted_case, submitted_case

pytestmark = pytest.mark.django_db
NOW = at(2026, 11, 20, 10)


def test_worklist_red_then_yellow_then_green_by_due_and_keyset_pages(personas, staff, item):
    citizen, reviewer = personas["citizen"], personas["reviewer"]
    for day in (2, 5, 16, 18, 19):
        accepted_case(citizen, reviewer, now=at(2026, 11, day, 9))
    rows, _ = console_worklist(user=reviewer, now=NOW, limit=50)
    assert len(rows) == 5
    ranks = [r.rank for r in rows]
    assert ranks == sorted(ranks)
    assert {"red", "green"} <= {r.colour for r in rows}
    for a, b in zip(rows, rows[1:], strict=False):
        if a.rank == b.rank:
            assert a.promised_due <= b.promised_due
    paged, cursor = [], None
    while True:
        page, cursor = console_worklist(user=reviewer, now=NOW, limit=2, cursor=cursor)
        paged += page
        if cursor is None:
            break
    assert [r.pk for r in paged] == [r.pk for r in rows]
    assert console_worklist(user=personas["other_reviewer"], now=NOW)[0] == []


def test_worklist_page_and_refusals(client, personas, staff, item):
    case = accepted_case(personas["citizen"], personas["reviewer"])
    pending = submitted_case(personas["other_citizen"])
    client.force_login(personas["reviewer"])
    page = client.get("/console/worklist/").content.decode()
    assert case.number in page and pending.number in page
    client.force_login(personas["clerk"])
    assert client.get("/console/worklist/").status_code == 403
    client.force_login(personas["other_reviewer"])
    page = client.get("/console/worklist/").content.decode()
    assert case.number not in page


def test_review_decide_issue_and_deliver_through_the_case_page(client, personas, staff, item):
    case = accepted_case(personas["citizen"], personas["reviewer"])
    client.force_login(personas["reviewer"])
    r = client.post(f"/console/cases/{case.pk}/act/complete_step/", {"step": "review", "note": "材料齐全"})
    assert r.status_code == 302
    client.force_login(staff["approver"])
    page = client.get(f"/console/cases/{case.pk}/").content.decode()
    assert "准予许可" in page
    r = client.post(f"/console/cases/{case.pk}/act/approve/", {"note": "符合条件，准予许可"})
    assert r.status_code == 302
    client.force_login(personas["reviewer"])
    assert client.post(f"/console/cases/{case.pk}/act/issue_result/", {"note": "证号 JY1"}).status_code == 302
    client.force_login(personas["clerk"])
    bad = client.post(f"/console/cases/{case.pk}/act/deliver/", {"method": "post"})
    assert bad.status_code == 400 and "快递单号" in bad.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.RESULT_ISSUED
    assert client.post(f"/console/cases/{case.pk}/act/deliver/",
                       {"method": "post", "tracking_number": "SF123"}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.DELIVERED and case.tracking_number == "SF123"


def test_deny_needs_reasons_and_legal_basis(client, personas, staff, item):
    case = accepted_case(personas["citizen"], personas["reviewer"])
    client.force_login(personas["reviewer"])
    client.post(f"/console/cases/{case.pk}/act/complete_step/", {"step": "review"})
    client.force_login(staff["approver"])
    bad = client.post(f"/console/cases/{case.pk}/act/deny/", {"reasons": "条件不符"})
    assert bad.status_code == 400 and 'data-testid="error-deny-legal_basis"' in bad.content.decode()
    assert not Refusal.objects.exists()
    ok = client.post(f"/console/cases/{case.pk}/act/deny/", {"reasons": "条件不符", "legal_basis": "《食品安全法》第三十五条"})
    assert ok.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.DENIED


def test_special_procedure_suspends_and_resumes(client, personas, staff, item):
    case = accepted_case(personas["citizen"], personas["reviewer"])
    client.force_login(personas["reviewer"])
    bad = client.post(f"/console/cases/{case.pk}/act/suspend/", {"procedure": "hearing", "reason": "听证"})
    assert bad.status_code == 400 and "没有规定此特别程序" in bad.content.decode()
    assert client.post(f"/console/cases/{case.pk}/act/suspend/",
                       {"procedure": "site_survey", "reason": "需现场勘查"}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.SUSPENDED
    assert client.post(f"/console/cases/{case.pk}/act/resume/", {"note": "勘查合格"}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS


def test_other_department_gets_404_and_materials_are_served_with_permission(client, personas, staff, item):
    case = accepted_case(personas["citizen"], personas["reviewer"])
    material = case.materials.get(key="application")
    client.force_login(personas["other_reviewer"])
    assert client.get(f"/console/cases/{case.pk}/").status_code == 404
    assert client.post(f"/console/cases/{case.pk}/act/complete_step/", {"step": "review"}).status_code == 404
    assert client.get(f"/console/cases/{case.pk}/materials/{material.pk}/").status_code == 404
    client.force_login(personas["citizen"])  # not staff: the console is closed to citizens
    assert client.get(f"/console/cases/{case.pk}/materials/{material.pk}/").status_code == 403
    client.force_login(personas["reviewer"])
    response = client.get(f"/console/cases/{case.pk}/materials/{material.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    page = client.get(f"/console/cases/{case.pk}/").content.decode()
    assert f"/console/cases/{case.pk}/materials/{material.pk}/" in page and "/media/" not in page
    assert "共享数据 population.id" in page


def test_reviewer_requests_a_supplement_after_acceptance_and_the_clock_stops(client, personas, staff, item):
    case = accepted_case(personas["citizen"], personas["reviewer"])
    client.force_login(personas["reviewer"])
    page = client.get(f"/console/cases/{case.pk}/").content.decode()
    assert "要求补正" in page
    # Nothing ticked: refused with the reason next to the form, nothing changes.
    r = client.post(f"/console/cases/{case.pk}/act/request_supplement/", {})
    assert r.status_code == 400 and "请列出需要申请人补正的材料或字段" in r.content.decode()
    case.refresh_from_db()
    assert case.pauses.count() == 0
    r = client.post(f"/console/cases/{case.pk}/act/request_supplement/",
                    {"supplement.lease": "1", "reason.lease": "租赁合同缺少出租方签字"})
    assert r.status_code == 302
    case.refresh_from_db()
    pause = case.pauses.get()
    assert pause.ended_at is None and "租赁合同缺少出租方签字" in pause.reason
    # Another department's reviewer cannot reach the case at all.
    client.force_login(personas["other_reviewer"])
    r = client.post(f"/console/cases/{case.pk}/act/request_supplement/",
                    {"supplement.lease": "1", "reason.lease": "x"})
    assert r.status_code == 404
