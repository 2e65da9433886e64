"""Deadline arithmetic of a case, pure functions over the working-day calendar.

Due moments are computed at acceptance and then only moved: a special-procedure pause moves them
by the working days it lasted (up to the procedure's cap), an approved extension by its days.
The colour is green until the warning moment, yellow until the promised due moment, red after."""

import datetime as dt
import math
from dataclasses import dataclass

from django.conf import settings

from onevisit.catalog.models import LimitUnit
from onevisit.workdays.calendar import add_natural_days, add_working_days, working_days_between


class Colour:
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    PAUSED = "paused"
    NONE = "none"


COLOURS = (Colour.GREEN, Colour.YELLOW, Colour.RED)


def warning_share() -> float:
    return float(getattr(settings, "ONEVISIT_WARNING_SHARE", 0.8))


def due_after(start: dt.datetime, n: int, unit: str) -> dt.datetime:
    if unit == LimitUnit.ON_THE_SPOT:
        return add_natural_days(start, 0)
    if unit == LimitUnit.NATURAL_DAYS:
        return add_natural_days(start, n)
    return add_working_days(start, n)


@dataclass(frozen=True)
class Deadlines:
    promised_due: dt.datetime
    legal_due: dt.datetime
    warn_at: dt.datetime


def deadlines_at_acceptance(
    *, accepted_at: dt.datetime, promised: int, promised_unit: str, legal: int, legal_unit: str
) -> Deadlines:
    warn_days = math.floor(promised * warning_share()) if promised_unit != LimitUnit.ON_THE_SPOT else 0
    return Deadlines(
        promised_due=due_after(accepted_at, promised, promised_unit),
        legal_due=due_after(accepted_at, legal, legal_unit),
        warn_at=due_after(accepted_at, warn_days, promised_unit),
    )


def step_dues(*, accepted_at: dt.datetime, promised: int, unit: str, shares: list[int]) -> list[dt.datetime]:
    """Each step ends when its cumulative share of the promised limit is used (rounded up)."""
    dues, total = [], 0
    for share in shares:
        total += share
        days = math.ceil(promised * total / 100) if unit != LimitUnit.ON_THE_SPOT else 0
        dues.append(due_after(accepted_at, days, unit))
    return dues


def pause_shift(*, started_at: dt.datetime, ended_at: dt.datetime, cap: int, cap_unit: str) -> int:
    """Working days a pause moves the deadlines: the working days it lasted, at most the cap."""
    if cap_unit == LimitUnit.NATURAL_DAYS:
        ended_at = min(ended_at, add_natural_days(started_at, cap))
        return working_days_between(started_at, ended_at)
    return min(working_days_between(started_at, ended_at), cap)


def shift(moment: dt.datetime | None, days: int) -> dt.datetime | None:
    if moment is None or days == 0:
        return moment
    return add_working_days(moment, days)


def colour_of(case, now: dt.datetime) -> str:
    return colour_at(case.status, case.promised_due, case.warn_at, now)


def colour_at(status: str, promised_due: dt.datetime | None, warn_at: dt.datetime | None, now: dt.datetime) -> str:
    from onevisit.cases.models import CLOCK_RUNNING, PAUSED

    if status in PAUSED:
        return Colour.PAUSED
    if status not in CLOCK_RUNNING or promised_due is None:
        return Colour.NONE
    if now >= promised_due:
        return Colour.RED
    if warn_at is not None and now >= warn_at:
        return Colour.YELLOW
    return Colour.GREEN


def days_used(case, now: dt.datetime) -> int:
    """Working days the department has used: from acceptance to decision (or now), minus pauses."""
    if case.accepted_at is None:
        return 0
    end = case.decided_at or now
    return max(working_days_between(case.accepted_at, end) - case.paused_days, 0)
