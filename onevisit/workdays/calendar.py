"""Working days in China: Monday-Friday, minus statutory holidays, plus the weekend days declared
working days (调休). chinesecalendar covers the published years; operator-loaded arrangements
(models.DayArrangement) cover later years and override the package where they differ.

Deadlines are end-of-day moments in Asia/Shanghai: N working days after a moment end at the end of
the Nth working day after that moment's date (the day of acceptance itself is not counted)."""

import datetime as dt
import threading
import time
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings

SHANGHAI = ZoneInfo("Asia/Shanghai")
_PACKAGE_YEARS = range(2004, 2027)
_CACHE_SECONDS = 60


class UnknownYearError(Exception):
    """A date falls in a year with no loaded holiday arrangement."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            f"{year}年的节假日安排尚未载入，无法按工作日计算期限；请先载入国务院办公厅发布的{year}年节假日安排"
        )


class _Overrides:
    """Per-process cache of the operator's arrangements, refreshed after a change or a minute."""

    def __init__(self):
        self._lock = threading.Lock()
        self._loaded_at = 0.0
        self.days: dict[dt.date, bool] = {}
        self.years: set[int] = set()

    def get(self) -> "_Overrides":
        if time.monotonic() - self._loaded_at > _CACHE_SECONDS:
            with self._lock:
                if time.monotonic() - self._loaded_at > _CACHE_SECONDS:
                    self._load()
        return self

    def _load(self) -> None:
        from onevisit.workdays.models import CalendarYear, DayArrangement, DayKind

        self.days = {d: kind == DayKind.WORKDAY for d, kind in DayArrangement.objects.values_list("date", "kind")}
        self.years = set(CalendarYear.objects.values_list("year", flat=True))
        self._loaded_at = time.monotonic()

    def invalidate(self) -> None:
        self._loaded_at = 0.0


overrides = _Overrides()


def known_years() -> set[int]:
    return set(_PACKAGE_YEARS) | overrides.get().years


def is_working_day(day: dt.date) -> bool:
    data = overrides.get()
    if day in data.days:
        return data.days[day]
    if day.year in data.years:
        return day.weekday() < 5
    if day.year in _PACKAGE_YEARS:
        return chinese_calendar.is_workday(day)
    if settings.WORKDAYS_UNKNOWN_YEAR_POLICY == "weekdays":
        return day.weekday() < 5
    raise UnknownYearError(day.year)


def _local_date(moment: dt.datetime) -> dt.date:
    if moment.tzinfo is None:
        raise ValueError("需要带时区的时间")
    return moment.astimezone(SHANGHAI).date()


def end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59, 999999), tzinfo=SHANGHAI)


def next_working_day(day: dt.date) -> dt.date:
    day += dt.timedelta(days=1)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def add_working_days(start: dt.datetime, n: int) -> dt.datetime:
    """End of the nth working day after the date of `start` (n=0: end of that day)."""
    if n < 0:
        raise ValueError("工作日数不能为负数")
    day = _local_date(start)
    for _ in range(n):
        day = next_working_day(day)
    return end_of_day(day)


def add_natural_days(start: dt.datetime, n: int) -> dt.datetime:
    if n < 0:
        raise ValueError("天数不能为负数")
    return end_of_day(_local_date(start) + dt.timedelta(days=n))


def working_days_between(start: dt.datetime, end: dt.datetime) -> int:
    """Working days d with date(start) < d <= date(end); 0 when end is not after start."""
    first, last = _local_date(start), _local_date(end)
    count, day = 0, first
    while day < last:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
