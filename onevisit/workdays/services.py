"""Every change to the calendar data goes through here: one transaction, one history event (who, why),
and the calendar cache invalidated (signals for save/delete, explicitly after bulk writes)."""

import json
from dataclasses import dataclass

from django.db import router, transaction
from django.utils import timezone

from onevisit.errors import DomainError
from onevisit.history.services import record_change
from onevisit.workdays.arrangement_file import (
    MAX_YEAR,
    MIN_YEAR,
    Arrangement,
    ArrangementFileError,
    Problem,
    parse_arrangement,
)
from onevisit.workdays.calendar import overrides
from onevisit.workdays.models import CalendarYear, DayArrangement


@dataclass(frozen=True)
class LoadResult:
    calendar_year: CalendarYear
    arrangement: Arrangement
    replaced_days: int  # rows of that year removed first (0 unless replace)
    replaced: bool


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写变更原因", code="invalid", fields=[{"field": "reason", "reason": "不能为空"}], status=400)
    return reason


def _day_data(day: DayArrangement) -> dict:
    return {"date": day.date.isoformat(), "kind": day.kind, "name": day.name}


def load_problems(year: int, *, replace: bool) -> list[Problem]:
    """What stands in the way of loading `year` (nothing when replacing)."""
    if replace:
        return []
    problems = []
    existing = CalendarYear.objects.filter(year=year).first()
    if existing:
        problems.append(Problem(
            "year", f"{year} 年的安排已于 {timezone.localtime(existing.loaded_at):%Y-%m-%d %H:%M} 载入"
            f"（来源：{existing.source}）；如要整年替换，请使用 --replace",
        ))
    else:
        count = DayArrangement.objects.filter(date__year=year).count()
        if count:
            problems.append(Problem(
                "year", f"数据库中已有 {year} 年的 {count} 条单日调整；如要以本文件整年替换，请使用 --replace"
            ))
    return problems


def arrangement_parse(*, text: str | bytes, replace: bool = False) -> Arrangement:
    """Validate a file against its format and against what is already loaded; all problems at once."""
    try:
        arrangement = parse_arrangement(text)
    except ArrangementFileError as e:
        year = _year_if_valid(text)
        extra = load_problems(year, replace=replace) if year is not None else []
        raise ArrangementFileError(e.problems + extra)
    problems = load_problems(arrangement.year, replace=replace)
    if problems:
        raise ArrangementFileError(problems)
    return arrangement


def _year_if_valid(text: str | bytes) -> int | None:
    try:
        year = json.loads(text).get("year")
    except (ValueError, AttributeError):
        return None
    if isinstance(year, int) and not isinstance(year, bool) and MIN_YEAR <= year <= MAX_YEAR:
        return year
    return None


@transaction.atomic
def calendar_year_load(*, actor, arrangement: Arrangement, reason: str, replace: bool = False) -> LoadResult:
    """Load one year's arrangement as a CalendarYear plus its DayArrangement rows. With replace, the
    year's existing rows (including single-day corrections) give way to the file."""
    reason = _require_reason(reason)
    year = arrangement.year
    existing = CalendarYear.objects.select_for_update().filter(year=year).first()
    problems = load_problems(year, replace=replace)
    if problems:
        raise ArrangementFileError(problems)
    old_rows = list(DayArrangement.objects.filter(date__year=year).order_by("date"))
    if old_rows:
        DayArrangement.objects.filter(pk__in=[d.pk for d in old_rows]).delete()
    if existing:
        previous_source = existing.source
        existing.source = arrangement.source
        existing.loaded_at = timezone.now()
        existing.save(update_fields=["source", "loaded_at"])
        calendar_year = existing
    else:
        previous_source = None
        calendar_year = CalendarYear.objects.create(year=year, source=arrangement.source)
    DayArrangement.objects.bulk_create(
        [DayArrangement(date=d.date, kind=d.kind, name=d.name) for d in arrangement.days]
    )
    overrides.changed(using=router.db_for_write(DayArrangement))  # bulk_create sends no signals
    record_change(
        obj=calendar_year,
        actor=actor,
        action="replaced" if existing or old_rows else "loaded",
        reason=reason,
        data={
            "arrangement": arrangement.as_data(),
            "previous_source": previous_source,
            "removed_days": [_day_data(d) for d in old_rows],
        },
    )
    return LoadResult(calendar_year, arrangement, len(old_rows), bool(existing or old_rows))


@transaction.atomic
def calendar_year_update(*, actor, calendar_year: CalendarYear, reason: str) -> CalendarYear:
    """Change what an operator may edit by hand: the source text."""
    reason = _require_reason(reason)
    before = CalendarYear.objects.select_for_update().get(pk=calendar_year.pk)
    calendar_year.full_clean()
    calendar_year.save(update_fields=["source"])
    record_change(
        obj=calendar_year, actor=actor, action="updated", reason=reason,
        data={"year": calendar_year.year, "source": {"before": before.source, "after": calendar_year.source}},
    )
    return calendar_year


@transaction.atomic
def calendar_year_delete(*, actor, calendar_year: CalendarYear, reason: str) -> None:
    """Unload a year: the year and all its day rows go; dates in it become unknown again (or follow the
    chinesecalendar package if it covers the year)."""
    reason = _require_reason(reason)
    rows = list(DayArrangement.objects.filter(date__year=calendar_year.year).order_by("date"))
    record_change(
        obj=calendar_year, actor=actor, action="deleted", reason=reason,
        data={"year": calendar_year.year, "source": calendar_year.source, "removed_days": [_day_data(d) for d in rows]},
    )
    DayArrangement.objects.filter(pk__in=[d.pk for d in rows]).delete()
    calendar_year.delete()


@transaction.atomic
def day_arrangement_save(*, actor, day: DayArrangement, reason: str) -> DayArrangement:
    """Create or change one day (a correction of the package, or of a loaded year)."""
    reason = _require_reason(reason)
    before = None
    if day.pk is not None:
        old = DayArrangement.objects.select_for_update().filter(pk=day.pk).first()
        before = _day_data(old) if old else None
    day.full_clean()
    day.save()
    record_change(
        obj=day, actor=actor, action="updated" if before else "created", reason=reason,
        data={"after": _day_data(day), "before": before},
    )
    return day


@transaction.atomic
def day_arrangement_delete(*, actor, day: DayArrangement, reason: str) -> None:
    reason = _require_reason(reason)
    record_change(obj=day, actor=actor, action="deleted", reason=reason, data={"before": _day_data(day)})
    day.delete()
