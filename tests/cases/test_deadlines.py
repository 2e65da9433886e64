"""Deadlines in working days: pauses across the 2026 National Day holiday, extensions, colours.
Time is given to the services explicitly (now=)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from onevisit.cases import clock
from onevisit.cases.selectors import case_list
from onevisit.cases.services import (
    case_accept,
    case_approve,
    case_complete_step,
    case_extend,
    case_material_upload,
    case_resume,
    case_submit,
    case_suspend,
)
from onevisit.workdays.calendar import add_working_days, end_of_day

from .conftest import PDF, at, online_payload


def accepted_case(personas, when):
    citizen = personas["citizen"]
    p = online_payload(citizen, materials={"id-card": "shared_data", "safety-pledge": "commitment"})
    case, _ = case_submit(actor=citizen, item_code=p["item_code"], applicant=p["applicant"], channel="online",
                          form=p["form"], materials=p["materials"], now=when)
    for key in ("application", "lease"):
        case_material_upload(actor=citizen, case=case, key=key, upload=SimpleUploadedFile("x.pdf", PDF), now=when)
    return case_accept(actor=personas["clerk"], case=case, now=when)


def test_suspension_moves_the_deadline_across_national_day(personas, staff, item):
    import datetime as dt

    case = accepted_case(personas, at(2026, 9, 28))
    # 5 working days after Mon 28 Sep: 29, 30 Sep, (1-7 Oct holiday), 8, 9, and Sat 10 Oct (调休 workday).
    assert case.promised_due == end_of_day(dt.date(2026, 10, 10))
    legal_before = case.legal_due
    reviewer = personas["reviewer"]
    case_suspend(actor=reviewer, case=case, procedure="site_survey", reason="现场勘查", now=at(2026, 9, 29))
    assert clock.colour_of(case.__class__.objects.get(pk=case.pk), at(2026, 10, 12)) == "paused"
    pause = case_resume(actor=reviewer, case=case, now=at(2026, 10, 9, 16))
    # Paused working days: 30 Sep, 8 Oct, 9 Oct; the holiday itself is not counted.
    assert pause.shifted_days == 3
    case.refresh_from_db()
    assert case.promised_due == end_of_day(dt.date(2026, 10, 14))  # 12, 13, 14 Oct (11 Oct is Sunday)
    assert case.legal_due == add_working_days(legal_before, 3)
    assert case.paused_days == 3
    assert case.steps.get(key="review").due_at > end_of_day(dt.date(2026, 10, 9))
    # Colours: yellow after 4 of 5 working days (13 Oct with the pause), red after the due moment.
    assert clock.colour_of(case, at(2026, 10, 12)) == "green"
    assert clock.colour_of(case, at(2026, 10, 14)) == "yellow"
    assert clock.colour_of(case, at(2026, 10, 15)) == "red"
    for colour, moment in (("green", at(2026, 10, 12)), ("yellow", at(2026, 10, 14)), ("red", at(2026, 10, 15))):
        rows, _ = case_list(user=reviewer, colour=colour, now=moment)
        assert [c.pk for c in rows] == [case.pk]
    # An approved extension adds working days.
    case_extend(actor=staff["approver"], case=case, days=2, reason="经负责人批准延长", now=at(2026, 10, 12))
    case.refresh_from_db()
    assert case.promised_due == end_of_day(dt.date(2026, 10, 16))
    case_complete_step(actor=reviewer, case=case, step_key="review", now=at(2026, 10, 15))
    case_approve(actor=staff["approver"], case=case, now=at(2026, 10, 15))
    facts = case.__class__.objects.get(pk=case.pk)
    from onevisit.history.services import events_of

    approve = events_of(facts).get(action="approve").data
    # Working days after 28 Sep up to 15 Oct: 29, 30 Sep, 8, 9, 10, 12, 13, 14, 15 Oct = 9, minus 3 paused.
    assert approve["days_used"] == 6 and approve["paused_working_days"] == 3 and approve["extended_working_days"] == 2
    assert approve["on_time"] is True


def test_pause_longer_than_the_cap_moves_only_the_cap(personas):
    shift = clock.pause_shift(started_at=at(2026, 3, 2), ended_at=at(2026, 4, 30), cap=10, cap_unit="working_days")
    assert shift == 10
    assert clock.pause_shift(started_at=at(2026, 3, 2), ended_at=at(2026, 3, 31), cap=7,
                             cap_unit="natural_days") == 5


def test_suspension_needs_a_procedure_the_item_defines(personas, staff, item):
    import pytest
    from django.core.exceptions import ValidationError

    case = accepted_case(personas, at(2026, 3, 2))
    with pytest.raises(ValidationError) as err:
        case_suspend(actor=personas["reviewer"], case=case, procedure="hearing", reason="听证", now=at(2026, 3, 3))
    assert "procedure" in err.value.message_dict


def test_late_decision_is_recorded_late(personas, staff, item):
    from onevisit.history.services import events_of

    case = accepted_case(personas, at(2026, 3, 2))
    case_complete_step(actor=personas["reviewer"], case=case, step_key="review", now=at(2026, 3, 20))
    case_approve(actor=staff["approver"], case=case, now=at(2026, 3, 20))
    data = events_of(case).get(action="approve").data
    assert data["on_time"] is False and data["within_legal"] is True and data["days_used"] == 14
