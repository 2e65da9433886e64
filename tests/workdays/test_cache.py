"""The per-process calendar cache never serves data the database no longer has: saves and deletes from
any code path invalidate it, and so does a rollback of the transaction or savepoint that wrote."""

import datetime as dt
import threading

import pytest
from django.db import transaction

from onevisit.workdays.calendar import UnknownYearError, is_working_day, known_years, overrides
from onevisit.workdays.models import CalendarYear, DayArrangement, DayKind
from tests.workdays.conftest import d

SUNDAY_2030 = d("2030-06-02")


class Rollback(Exception):
    pass


def test_saving_and_deleting_rows_anywhere_invalidates(db):
    assert is_working_day(d("2026-03-02")) is True  # cache loaded
    row = DayArrangement.objects.create(date=d("2026-03-02"), kind=DayKind.HOLIDAY, name="测试")
    assert is_working_day(d("2026-03-02")) is False
    row.kind = DayKind.WORKDAY
    row.save()
    assert is_working_day(d("2026-03-02")) is True
    DayArrangement.objects.filter(pk=row.pk).update(kind=DayKind.HOLIDAY)  # no signal: documented
    overrides.changed()
    assert is_working_day(d("2026-03-02")) is False
    DayArrangement.objects.filter(pk=row.pk).delete()  # queryset delete sends post_delete per row
    assert is_working_day(d("2026-03-02")) is True

    year = CalendarYear.objects.create(year=2030, source="测试")
    assert is_working_day(SUNDAY_2030) is False
    year.delete()
    with pytest.raises(UnknownYearError):
        is_working_day(SUNDAY_2030)


def test_a_rolled_back_savepoint_leaves_no_trace_in_the_cache(db):
    with pytest.raises(Rollback), transaction.atomic():
        CalendarYear.objects.create(year=2030, source="测试")
        assert 2030 in known_years()  # the writer sees its own uncommitted year, and it is cached
        raise Rollback
    assert 2030 not in known_years()


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_no_trace_in_the_cache():
    with pytest.raises(Rollback), transaction.atomic():
        CalendarYear.objects.create(year=2030, source="测试")
        assert 2030 in known_years()
        raise Rollback
    assert 2030 not in known_years()


@pytest.mark.django_db(transaction=True)
def test_a_commit_is_seen_by_other_threads():
    assert 2030 not in known_years()
    seen = {}

    def other_thread():
        seen["before"] = 2030 in known_years()

    def other_thread_after():
        seen["after"] = 2030 in known_years()

    t = threading.Thread(target=other_thread)
    t.start()
    t.join()
    with transaction.atomic():
        CalendarYear.objects.create(year=2030, source="测试")
    t = threading.Thread(target=other_thread_after)
    t.start()
    t.join()
    assert seen == {"before": False, "after": True}


# The next two tests run in this order (pytest keeps file order): the first leaves a year and a day in
# its cache and ends with pytest-django's rollback; the second must not see them.
def test_leaves_rows_behind_in_its_rolled_back_transaction(db):
    CalendarYear.objects.create(year=2030, source="测试")
    DayArrangement.objects.create(date=d("2025-03-04"), kind=DayKind.HOLIDAY, name="测试")
    assert 2030 in known_years()
    assert is_working_day(d("2025-03-04")) is False


def test_sees_nothing_of_the_previous_test(db):
    assert 2030 not in known_years()
    assert is_working_day(d("2025-03-04")) is True


def test_the_database_is_read_once_per_snapshot(db, django_assert_num_queries):
    is_working_day(dt.date(2026, 1, 5))
    with django_assert_num_queries(0):
        for day in range(1, 29):
            is_working_day(dt.date(2026, 2, day))
