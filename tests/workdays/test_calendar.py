"""Deadline arithmetic against the published 2026 arrangement (chinesecalendar, and the same arrangement
loaded from the shipped file), unknown years, the "weekdays" policy and single-day corrections."""

import datetime as dt
import io

import chinese_calendar
import pytest
from django.core.management import call_command

from onevisit.workdays.calendar import (
    UnknownYearError,
    add_natural_days,
    add_working_days,
    end_of_day,
    is_working_day,
    known_years,
    next_working_day,
    unknown_years,
    working_days_between,
)
from onevisit.workdays.models import DayArrangement, DayKind
from tests.workdays.conftest import ARRANGEMENT_2026, FICTIONAL_2027, at, d


@pytest.fixture(params=["package", "loaded_file"])
def published_2026(request, db):
    """The same questions must get the same answers from the package and from the loaded 2026 file."""
    if request.param == "loaded_file":
        call_command("load_workdays", str(ARRANGEMENT_2026), stdout=io.StringIO())
    return request.param


@pytest.mark.parametrize(
    "day, working",
    [
        ("2026-01-04", True),  # Sunday, 调休 for 元旦
        ("2026-02-14", True),  # Saturday, 调休 before 春节
        ("2026-02-16", False),  # Monday in 春节
        ("2026-02-28", True),  # Saturday, 调休 after 春节
        ("2026-05-09", True),  # Saturday, 调休 for 劳动节
        ("2026-09-20", True),  # Sunday, 调休 for 国庆节
        ("2026-10-07", False),  # Wednesday, last day of 国庆节
        ("2026-10-08", True),  # Thursday: 国庆节 2026 is 10/1-10/7, so work resumes
        ("2026-10-10", True),  # Saturday, 调休 for 国庆节
        ("2026-10-11", False),  # an ordinary Sunday
        ("2026-06-19", False),  # Friday, 端午节
    ],
)
def test_published_2026_days(published_2026, day, working):
    assert is_working_day(d(day)) is working


def test_every_package_day_is_answered_as_the_package_does(db):
    day, last = dt.date(2004, 1, 1), dt.date(2026, 12, 31)
    wrong = []
    while day <= last:
        if is_working_day(day) != chinese_calendar.is_workday(day):
            wrong.append(day)
        day += dt.timedelta(days=1)
    assert wrong == []


def test_adding_working_days_across_spring_festival(published_2026):
    start = at("2026-02-13", 16)  # Friday afternoon, before 春节
    assert add_working_days(start, 1) == end_of_day(d("2026-02-14"))  # the 调休 Saturday
    assert add_working_days(start, 2) == end_of_day(d("2026-02-24"))  # after nine days off
    assert add_working_days(start, 5) == end_of_day(d("2026-02-27"))
    assert add_working_days(start, 6) == end_of_day(d("2026-02-28"))  # the second 调休 Saturday
    assert working_days_between(start, at("2026-02-28")) == 6


def test_adding_working_days_across_national_day(published_2026):
    start = at("2026-09-18", 9)  # Friday
    # 9/20 Sunday is worked, then 9/21-24, 中秋 9/25-27, 9/28-30, 国庆 10/1-7, 10/8, 10/9, 10/10 Saturday.
    expected = ["2026-09-20", "2026-09-21", "2026-09-22", "2026-09-23", "2026-09-24", "2026-09-28",
                "2026-09-29", "2026-09-30", "2026-10-08", "2026-10-09", "2026-10-10", "2026-10-12"]
    for n, day in enumerate(expected, start=1):
        assert add_working_days(start, n) == end_of_day(d(day)), n
    assert working_days_between(start, at("2026-10-12")) == 12
    assert next_working_day(d("2026-09-30")) == d("2026-10-08")


def test_a_deadline_is_the_end_of_the_day_in_shanghai(db):
    late_utc = dt.datetime(2026, 3, 2, 17, 30, tzinfo=dt.UTC)  # already Tuesday 01:30 in Shanghai
    deadline = add_working_days(late_utc, 1)
    assert deadline.isoformat() == "2026-03-04T23:59:59.999999+08:00"
    assert add_working_days(late_utc, 0) == end_of_day(d("2026-03-03"))
    with pytest.raises(ValueError):
        add_working_days(dt.datetime(2026, 3, 2, 10), 1)
    with pytest.raises(ValueError):
        add_working_days(at("2026-03-02"), -1)


def test_natural_days_count_holidays_too(db):
    assert add_natural_days(at("2026-09-30"), 8) == end_of_day(d("2026-10-08"))
    assert add_natural_days(at("2026-09-30"), 0) == end_of_day(d("2026-09-30"))


def test_2027_is_unknown_until_its_arrangement_is_loaded(db, write_arrangement, load_workdays):
    assert 2027 not in known_years()
    with pytest.raises(UnknownYearError, match="2027") as caught:
        is_working_day(d("2027-03-03"))
    assert caught.value.year == 2027
    # A deadline that runs past the end of 2026 names the missing year too.
    with pytest.raises(UnknownYearError, match="2027"):
        add_working_days(at("2026-12-28"), 10)
    assert add_working_days(at("2026-12-28"), 3) == end_of_day(d("2026-12-31"))
    assert unknown_years(d("2026-12-01"), d("2027-01-31")) == [2027]

    load_workdays(write_arrangement(FICTIONAL_2027))

    assert 2027 in known_years()
    assert unknown_years(d("2026-12-01"), d("2027-01-31")) == []
    assert is_working_day(d("2027-03-03")) is False  # fictional holiday, a Wednesday
    assert is_working_day(d("2027-03-06")) is True  # fictional 调休 Saturday
    assert is_working_day(d("2027-03-08")) is True
    assert add_working_days(at("2027-03-02"), 1) == end_of_day(d("2027-03-06"))
    assert add_working_days(at("2026-12-28"), 10) == end_of_day(d("2027-01-11"))
    with pytest.raises(UnknownYearError, match="2028"):
        add_working_days(at("2027-12-30"), 5)


def test_weekdays_policy_counts_monday_to_friday_only_when_chosen(db, settings):
    with pytest.raises(UnknownYearError):
        add_working_days(at("2027-09-30"), 1)
    settings.WORKDAYS_UNKNOWN_YEAR_POLICY = "weekdays"
    # 2027-10-01 is a Friday: under the policy it counts, though it will surely be 国庆节.
    assert add_working_days(at("2027-09-30"), 1) == end_of_day(d("2027-10-01"))
    assert add_working_days(at("2027-10-01"), 1) == end_of_day(d("2027-10-04"))
    assert working_days_between(at("2026-12-31"), at("2027-01-08")) == 6
    assert unknown_years(d("2027-01-01"), d("2027-12-31")) == [2027]  # still reported as provisional
    # Published years keep their holidays under the policy.
    assert is_working_day(d("2026-10-07")) is False
    settings.WORKDAYS_UNKNOWN_YEAR_POLICY = "error"
    with pytest.raises(UnknownYearError):
        is_working_day(d("2027-10-01"))


def test_a_single_database_row_corrects_a_package_day(db):
    assert is_working_day(d("2025-10-08")) is False  # 国庆节 2025 per the package
    DayArrangement.objects.create(date=d("2025-10-08"), kind=DayKind.WORKDAY, name="更正（测试）")
    assert is_working_day(d("2025-10-08")) is True
    assert add_working_days(at("2025-10-07"), 1) == end_of_day(d("2025-10-08"))
    DayArrangement.objects.create(date=d("2025-03-04"), kind=DayKind.HOLIDAY, name="更正（测试）")
    assert is_working_day(d("2025-03-04")) is False
    assert working_days_between(at("2025-03-03"), at("2025-03-05")) == 1


def test_a_mistyped_policy_is_flagged_by_manage_py_check(db, settings):
    from onevisit.workdays.apps import check_unknown_year_policy

    assert check_unknown_year_policy() == []
    settings.WORKDAYS_UNKNOWN_YEAR_POLICY = "weekday"
    (error,) = check_unknown_year_policy()
    assert error.id == "workdays.E001" and "weekday" in error.msg
    with pytest.raises(UnknownYearError):  # anything but "weekdays" behaves as "error"
        is_working_day(d("2027-10-01"))
