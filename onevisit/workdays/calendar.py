"""Working days in China: Monday-Friday, minus statutory holidays, plus the weekend days declared
working days (调休). chinesecalendar covers the published years; operator-loaded arrangements
(models.CalendarYear + DayArrangement) cover later years, and a loaded year replaces the package's
answer for that year. A single DayArrangement row also corrects one day of any year.

Deadlines are end-of-day moments in Asia/Shanghai: N working days after a moment end at the end of
the Nth working day after that moment's date (the day of acceptance itself is not counted).

Each year is computed once per cache snapshot into a sorted list of working-day ordinals, so adding
or counting working days is a few binary searches instead of a day-by-day walk."""

import datetime as dt
import threading
import time
from bisect import bisect_right
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings
from django.db import connections, transaction

SHANGHAI = ZoneInfo("Asia/Shanghai")
PACKAGE_YEARS = range(
    min(d.year for d in chinese_calendar.holidays), max(d.year for d in chinese_calendar.holidays) + 1
)
_CACHE_SECONDS = 60
POLICY_ERROR = "error"
POLICY_WEEKDAYS = "weekdays"
POLICIES = (POLICY_ERROR, POLICY_WEEKDAYS)


class UnknownYearError(Exception):
    """A date falls in a year with no loaded holiday arrangement."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            f"{year}年的节假日安排尚未载入，无法按工作日计算期限；请先载入国务院办公厅发布的{year}年节假日安排"
        )


def unknown_year_policy() -> str:
    return POLICY_WEEKDAYS if settings.WORKDAYS_UNKNOWN_YEAR_POLICY == POLICY_WEEKDAYS else POLICY_ERROR


class _Year:
    __slots__ = ("ordinals", "members")

    def __init__(self, ordinals: list[int]):
        self.ordinals = ordinals  # sorted ordinals of the working days of one year
        self.members = frozenset(ordinals)


class _Snapshot:
    """The operator's arrangements as read at one moment, plus the years computed from them."""

    def __init__(self, days: dict[dt.date, bool], years: frozenset[int], generation: int):
        self.days = days
        self.years = years
        self.generation = generation
        self.loaded_at = time.monotonic()
        self._computed: dict[object, _Year] = {}

    def same_data(self, other: "_Snapshot") -> bool:
        return self.days == other.days and self.years == other.years

    def adopt(self, other: "_Snapshot") -> None:
        self._computed = other._computed

    def is_known(self, year: int) -> bool:
        return year in self.years or year in PACKAGE_YEARS

    def year(self, year: int) -> _Year:
        if self.is_known(year):
            key: object = year
        elif unknown_year_policy() == POLICY_WEEKDAYS:
            key = (POLICY_WEEKDAYS, year)
        else:
            raise UnknownYearError(year)
        found = self._computed.get(key)
        if found is None:
            found = self._computed[key] = self._compute(year)
        return found

    def _compute(self, year: int) -> _Year:
        first = dt.date(year, 1, 1).toordinal()
        last = dt.date(year, 12, 31).toordinal()
        by_package = year in PACKAGE_YEARS and year not in self.years
        days = self.days
        # chinese_calendar.is_workday(day), read from its tables directly (it is ~40 us a call).
        package_holidays = chinese_calendar.holidays if by_package else {}
        package_workdays = chinese_calendar.workdays if by_package else {}
        ordinals = []
        for o in range(first, last + 1):
            day = dt.date.fromordinal(o)
            working = days.get(day)
            if working is None:
                working = day in package_workdays or (day.weekday() < 5 and day not in package_holidays)
            if working:
                ordinals.append(o)
        return _Year(ordinals)


class _Overrides:
    """Cache of the operator's arrangements, one snapshot per thread.

    A change in this process (signals, or `changed()` after bulk writes) bumps a generation that every
    thread compares against, so the next lookup re-reads the database. A change inside a transaction
    registers an on_commit marker; if the marker disappears from the connection without running, the
    transaction (or savepoint) was rolled back and the snapshot, which may hold the rolled-back rows, is
    dropped too. Other processes see a change within _CACHE_SECONDS."""

    def __init__(self):
        self._lock = threading.Lock()
        self._local = threading.local()
        self._generation = 0

    def get(self) -> _Snapshot:
        self._settle_pending()
        snap: _Snapshot | None = getattr(self._local, "snapshot", None)
        if (
            snap is None
            or snap.generation != self._generation
            or time.monotonic() - snap.loaded_at > _CACHE_SECONDS
        ):
            snap = self._local.snapshot = self._load(previous=snap)
        return snap

    def _load(self, previous: _Snapshot | None) -> _Snapshot:
        from onevisit.workdays.models import CalendarYear, DayArrangement, DayKind

        generation = self._generation
        days = {d: kind == DayKind.WORKDAY for d, kind in DayArrangement.objects.values_list("date", "kind")}
        years = frozenset(CalendarYear.objects.values_list("year", flat=True))
        snap = _Snapshot(days, years, generation)
        if previous is not None and snap.same_data(previous):
            snap.adopt(previous)
        return snap

    def invalidate(self) -> None:
        with self._lock:
            self._generation += 1

    def changed(self, using: str = "default") -> None:
        """Calendar rows were written through `using`; call after writes that send no signals."""
        self.invalidate()
        if connections[using].in_atomic_block:
            marker = _CommitMarker(self)
            transaction.on_commit(marker, using=using)
            pending = getattr(self._local, "pending", None)
            if pending is None:
                pending = self._local.pending = []
            pending.append((using, marker))

    def _settle_pending(self) -> None:
        pending = getattr(self._local, "pending", None)
        if not pending:
            return
        alive = [
            (using, marker)
            for using, marker in pending
            if any(entry[1] is marker for entry in connections[using].run_on_commit)
        ]
        if len(alive) != len(pending):
            self.invalidate()
            self._local.pending = alive


class _CommitMarker:
    __slots__ = ("owner",)

    def __init__(self, owner: _Overrides):
        self.owner = owner

    def __call__(self) -> None:
        self.owner.invalidate()


overrides = _Overrides()


def known_years() -> set[int]:
    return set(PACKAGE_YEARS) | overrides.get().years


def is_working_day(day: dt.date) -> bool:
    return day.toordinal() in overrides.get().year(day.year).members


def unknown_years(first: dt.date, last: dt.date) -> list[int]:
    """Years from first to last (inclusive) with no arrangement; a result computed across them under the
    "weekdays" policy is provisional."""
    snap = overrides.get()
    return [y for y in range(first.year, last.year + 1) if not snap.is_known(y)]


def _local_date(moment: dt.datetime) -> dt.date:
    if moment.tzinfo is None:
        raise ValueError("需要带时区的时间")
    return moment.astimezone(SHANGHAI).date()


def end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59, 999999), tzinfo=SHANGHAI)


def _nth_working_day_after(day: dt.date, n: int) -> dt.date:
    """The nth (n >= 1) working day strictly after `day`."""
    snap = overrides.get()
    after = day.toordinal()
    year = dt.date.fromordinal(after + 1).year
    while True:
        ordinals = snap.year(year).ordinals
        i = bisect_right(ordinals, after)
        if i + n <= len(ordinals):
            return dt.date.fromordinal(ordinals[i + n - 1])
        n -= len(ordinals) - i
        year += 1


def next_working_day(day: dt.date) -> dt.date:
    return _nth_working_day_after(day, 1)


def add_working_days(start: dt.datetime, n: int) -> dt.datetime:
    """End of the nth working day after the date of `start` (n=0: end of that day)."""
    if n < 0:
        raise ValueError("工作日数不能为负数")
    day = _local_date(start)
    if n == 0:
        return end_of_day(day)
    return end_of_day(_nth_working_day_after(day, n))


def add_natural_days(start: dt.datetime, n: int) -> dt.datetime:
    if n < 0:
        raise ValueError("天数不能为负数")
    return end_of_day(_local_date(start) + dt.timedelta(days=n))


def working_days_between(start: dt.datetime, end: dt.datetime) -> int:
    """Working days d with date(start) < d <= date(end); 0 when end is not after start."""
    first, last = _local_date(start), _local_date(end)
    if last <= first:
        return 0
    snap = overrides.get()
    lo, hi = first.toordinal(), last.toordinal()
    count = 0
    for year in range((first + dt.timedelta(days=1)).year, last.year + 1):
        ordinals = snap.year(year).ordinals
        count += bisect_right(ordinals, hi) - bisect_right(ordinals, lo)
    return count
