"""Properties of the deadline arithmetic over the package years 2004-2026. Examples are bounded so that
every start and result stays inside the covered years and the suite stays fast."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onevisit.workdays.calendar import (
    SHANGHAI,
    add_natural_days,
    add_working_days,
    end_of_day,
    is_working_day,
    working_days_between,
)

pytestmark = pytest.mark.django_db

# The calendar reads the (empty) override tables once per snapshot; the data does not change between
# examples, so sharing the function-scoped database between them is sound.
bounded = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

moments = st.datetimes(
    min_value=dt.datetime(2004, 1, 1), max_value=dt.datetime(2026, 9, 30), timezones=st.just(SHANGHAI)
)
counts = st.integers(min_value=0, max_value=60)  # 60 working days fit in the three months left of 2026


@bounded
@given(start=moments, n=st.integers(min_value=1, max_value=60))
def test_lands_at_the_end_of_a_working_day_after_the_start(start, n):
    deadline = add_working_days(start, n)
    assert deadline.tzinfo is not None
    local = deadline.astimezone(SHANGHAI)
    assert local == end_of_day(local.date())
    assert local.date() > start.date()
    assert is_working_day(local.date())


@bounded
@given(start=moments, n=counts)
def test_counting_back_gives_the_same_number(start, n):
    assert working_days_between(start, add_working_days(start, n)) == n


@bounded
@given(start=moments, n=counts, extra=st.integers(min_value=1, max_value=10))
def test_more_days_never_end_sooner(start, n, extra):
    assert add_working_days(start, n) < add_working_days(start, n + extra)


@bounded
@given(start=moments, n=st.integers(min_value=1, max_value=60))
def test_no_working_day_is_skipped(start, n):
    deadline = add_working_days(start, n).date()
    before = add_working_days(start, n - 1).date()
    day = before + dt.timedelta(days=1)
    while day < deadline:
        assert not is_working_day(day)
        day += dt.timedelta(days=1)


@bounded
@given(start=moments, n=st.integers(min_value=0, max_value=90))
def test_natural_days(start, n):
    deadline = add_natural_days(start, n)
    assert deadline == end_of_day(start.date() + dt.timedelta(days=n))
    assert deadline >= add_natural_days(start, 0)


@bounded
@given(a=moments, b=moments)
def test_between_is_additive_and_zero_backwards(a, b):
    first, last = min(a, b), max(a, b)
    middle = first + (last - first) / 2
    assert working_days_between(last, first) == 0
    assert working_days_between(first, last) == working_days_between(first, middle) + working_days_between(
        middle, last
    )
