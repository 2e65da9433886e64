"""The admin writes through the services: every change carries the signed-in user and a reason."""

import json

import pytest

from onevisit.accounts.models import User
from onevisit.history.models import Event
from onevisit.history.services import events_of
from onevisit.workdays.arrangement_file import parse_arrangement
from onevisit.workdays.calendar import is_working_day, known_years
from onevisit.workdays.models import CalendarYear, DayArrangement
from onevisit.workdays.services import calendar_year_load
from tests.workdays.conftest import FICTIONAL_2027, d

DAYS = "/admin/workdays/dayarrangement/"
YEARS = "/admin/workdays/calendaryear/"


@pytest.fixture
def operator(db):
    return User.objects.create_superuser(username="calendar_admin", password="pass-1234")


@pytest.fixture
def operator_client(client, operator):
    client.force_login(operator)
    return client


def test_adding_a_day_records_who_and_why(operator_client, operator):
    response = operator_client.post(
        DAYS + "add/", {"date": "2025-10-08", "kind": "workday", "name": "更正", "reason": "依据更正通知"}
    )
    assert response.status_code == 302
    day = DayArrangement.objects.get(date=d("2025-10-08"))
    (event,) = events_of(day)
    assert (event.action, event.actor, event.reason) == ("created", operator, "依据更正通知")
    assert is_working_day(d("2025-10-08")) is True


def test_a_change_without_a_reason_is_refused(operator_client):
    response = operator_client.post(DAYS + "add/", {"date": "2025-10-08", "kind": "workday", "name": "更正"})
    assert response.status_code == 200
    assert "变更原因" in response.content.decode()
    assert not DayArrangement.objects.exists()
    assert not Event.objects.exists()


def test_changing_and_deleting_a_day_are_recorded(operator_client, operator):
    operator_client.post(DAYS + "add/", {"date": "2025-10-08", "kind": "workday", "name": "更正", "reason": "甲"})
    day = DayArrangement.objects.get()
    operator_client.post(
        f"{DAYS}{day.pk}/change/", {"date": "2025-10-08", "kind": "holiday", "name": "更正", "reason": "乙"}
    )
    assert is_working_day(d("2025-10-08")) is False
    updated = events_of(day).last()
    assert updated.action == "updated"
    assert updated.data["before"]["kind"] == "workday" and updated.data["after"]["kind"] == "holiday"

    response = operator_client.post(f"{DAYS}{day.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not DayArrangement.objects.exists()
    assert [e.action for e in Event.objects.filter(object_type="workdays.dayarrangement").order_by("seq")] == [
        "created", "updated", "deleted",
    ]


def test_bulk_delete_records_each_day(operator_client):
    for day in ("2025-03-04", "2025-03-05"):
        operator_client.post(DAYS + "add/", {"date": day, "kind": "holiday", "name": "测试", "reason": "甲"})
    ids = list(DayArrangement.objects.values_list("pk", flat=True))
    operator_client.post(DAYS, {"action": "delete_selected", "_selected_action": ids, "post": "yes"})
    assert not DayArrangement.objects.exists()
    assert Event.objects.filter(action="deleted", actor_label="calendar_admin").count() == 2
    assert is_working_day(d("2025-03-04")) is True


def test_years_are_not_typed_in_but_can_be_corrected_and_unloaded(operator_client, operator):
    assert operator_client.get(YEARS + "add/").status_code == 403
    calendar_year_load(
        actor=operator, arrangement=parse_arrangement(json.dumps(FICTIONAL_2027)), reason="测试"
    )
    year = CalendarYear.objects.get(year=2027)
    operator_client.post(f"{YEARS}{year.pk}/change/", {"source": "虚构（改）", "reason": "更正来源"})
    year.refresh_from_db()
    assert year.source == "虚构（改）"
    operator_client.post(f"{YEARS}{year.pk}/delete/", {"post": "yes"})
    assert not CalendarYear.objects.exists()
    assert not DayArrangement.objects.filter(date__year=2027).exists()
    assert 2027 not in known_years()
    actions = list(
        Event.objects.filter(object_type="workdays.calendaryear").order_by("seq").values_list("action", "reason")
    )
    assert actions == [("loaded", "测试"), ("updated", "更正来源"), ("deleted", "在管理后台删除")]
    assert Event.objects.get(action="deleted").data["removed_days"][0]["date"] == "2027-03-03"


def test_staff_without_calendar_permissions_are_denied(client, personas):
    staff = User.objects.create_user(username="plain_staff", password="pass-1234", is_staff=True)
    client.force_login(staff)
    assert client.get(DAYS).status_code == 403
    response = client.post(DAYS + "add/", {"date": "2025-10-08", "kind": "workday", "name": "x", "reason": "x"})
    assert response.status_code == 403
    client.force_login(personas["citizen"])
    assert client.get(DAYS).status_code == 302  # to the admin login
    assert not DayArrangement.objects.exists()
