"""补正 after acceptance: a reviewer asks the applicant; the clock stops until the applicant supplies,
and every working day spent waiting moves the due moments (across the 2026 National Day holiday)."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from onevisit.cases import clock
from onevisit.cases.models import Case, CaseStatus
from onevisit.cases.selectors import case_list
from onevisit.cases.services import case_material_upload, case_request_supplement, case_supply_requested
from onevisit.history.services import events_of
from onevisit.workdays.calendar import end_of_day

from .conftest import PDF, at
from .test_deadlines import accepted_case


def test_waiting_on_the_applicant_never_counts_against_the_department(personas, staff, item):
    case = accepted_case(personas, at(2026, 9, 28))
    assert case.promised_due == end_of_day(dt.date(2026, 10, 10))
    legal_before, warn_before = case.legal_due, case.warn_at
    reviewer, citizen = personas["reviewer"], personas["citizen"]
    pause = case_request_supplement(
        actor=reviewer, case=case, materials={"application": "申请书未签字"},
        fields={"capital": "注册资本与章程不一致"}, now=at(2026, 9, 29))
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_APPLICANT
    assert clock.colour_of(case, at(2026, 10, 12)) == "paused"
    rows, _ = case_list(user=reviewer, colour="paused", now=at(2026, 10, 12))
    assert [c.pk for c in rows] == [case.pk]
    # Nothing named was supplied yet: refused, nothing moves.
    try:
        case_supply_requested(actor=citizen, case=case, form={"capital": 20}, now=at(2026, 10, 9, 15))
        raise AssertionError("supply without the requested material must be refused")
    except Exception as exc:  # noqa: BLE001 - the ValidationError names the material
        assert "materials.application" in str(exc.message_dict)
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_APPLICANT
    # A material not asked for cannot be replaced after acceptance.
    try:
        case_material_upload(actor=citizen, case=case, key="lease", upload=SimpleUploadedFile("l.pdf", PDF),
                             now=at(2026, 10, 9, 15))
        raise AssertionError("unrequested upload must be refused")
    except Exception as exc:  # noqa: BLE001
        assert getattr(exc, "code", "") == "illegal_transition"
    case_material_upload(actor=citizen, case=case, key="application", upload=SimpleUploadedFile("a.pdf", PDF),
                         now=at(2026, 10, 9, 15))
    case_supply_requested(actor=citizen, case=case, form={"capital": 20}, now=at(2026, 10, 9, 16))
    pause.refresh_from_db()
    case.refresh_from_db()
    # Waiting working days: 30 Sep, 8 Oct, 9 Oct (the holiday itself is no working day).
    assert pause.shifted_days == 3 and pause.ended_at == at(2026, 10, 9, 16)
    assert case.status == CaseStatus.IN_PROGRESS and case.paused_days == 3
    assert case.form_data["capital"] == 20
    assert case.promised_due == end_of_day(dt.date(2026, 10, 14))
    assert case.legal_due == clock.shift(legal_before, 3) and case.warn_at == clock.shift(warn_before, 3)
    assert case.steps.get(key="review").due_at > end_of_day(dt.date(2026, 10, 9))
    assert clock.colour_of(case, at(2026, 10, 12)) == "green"
    event = events_of(case).get(action="supply_requested")
    assert event.data["paused_working_days"] == 3 and event.data["waiting_on"] == "applicant"
    # Days used at 14 Oct: 29, 30 Sep, 8, 9, 10, 12, 13, 14 Oct = 8, minus 3 waiting on the applicant.
    assert clock.days_used(case, at(2026, 10, 14)) == 5


def test_supplement_request_denied_side(api, personas, staff, item):
    case = accepted_case(personas, at(2026, 9, 28))
    body = {"materials": {"application": "未签字"}}
    citizen = personas["citizen"]
    assert api.as_(citizen).post(f"/cases/{case.pk}/request-supplement", body).status_code == 403
    assert api.as_(personas["other_reviewer"]).post(f"/cases/{case.pk}/request-supplement", body).status_code == 404
    # A reason is required for every named item; bad input changes nothing.
    r = api.as_(personas["reviewer"]).post(f"/cases/{case.pk}/request-supplement", {"materials": {"application": ""}})
    assert r.status_code == 422
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ACCEPTED
    r = api.as_(personas["reviewer"]).post(f"/cases/{case.pk}/request-supplement", body)
    assert r.status_code == 200 and r.json()["status"] == CaseStatus.AWAITING_APPLICANT
    assert r.json()["deadlines"]["colour"] == "paused"
    # Only the applicant (or intake) supplies; another citizen does not even see the case.
    assert api.as_(personas["other_citizen"]).post(f"/cases/{case.pk}/supply", {}).status_code == 404
    assert api.as_(staff["approver"]).post(f"/cases/{case.pk}/supply", {}).status_code == 403
