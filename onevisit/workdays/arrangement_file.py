"""The yearly arrangement file (docs/workdays.md): JSON as published each November by the State Council.

    {"year": 2026, "source": "国务院办公厅关于2026年部分节假日安排的通知",
     "days": [{"kind": "holiday", "name": "春节", "start": "2026-02-15", "end": "2026-02-23"},
              {"kind": "workday", "name": "春节", "date": "2026-02-14"}]}

`parse_arrangement` reports every problem at once, each with its place (a JSON path) and its reason."""

import datetime as dt
import json
import re
from dataclasses import dataclass

from onevisit.workdays.models import DayKind

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_SOURCE, MAX_NAME = 300, 30
MAX_RANGE_DAYS = 31
TOP_KEYS = ("year", "source", "note", "days")
DAY_KEYS = ("kind", "name", "date", "start", "end", "note")
WEEKDAY_NAMES = "一二三四五六日"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def weekday_name(day: dt.date) -> str:
    return "周" + WEEKDAY_NAMES[day.weekday()]


@dataclass(frozen=True)
class ArrangedDay:
    date: dt.date
    kind: DayKind
    name: str


@dataclass(frozen=True)
class Arrangement:
    year: int
    source: str
    days: tuple[ArrangedDay, ...]
    note: str = ""

    def as_data(self) -> dict:
        return {
            "year": self.year,
            "source": self.source,
            "note": self.note,
            "days": [{"date": d.date.isoformat(), "kind": str(d.kind), "name": d.name} for d in self.days],
        }


@dataclass(frozen=True)
class Problem:
    place: str
    reason: str

    def __str__(self) -> str:
        return f"{self.place}：{self.reason}"


class ArrangementFileError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"节假日安排文件有 {len(problems)} 处错误，未载入任何数据")


def _date(value, place: str, year: int | None, problems: list[Problem]) -> dt.date | None:
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        problems.append(Problem(place, f"日期 {json.dumps(value, ensure_ascii=False)} 格式不对，应为 YYYY-MM-DD"))
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        problems.append(Problem(place, f"日期 {value} 不存在"))
        return None
    if year is not None and day.year != year:
        problems.append(Problem(place, f"日期 {value} 不在 {year} 年内"))
        return None
    return day


def _text(entry: dict, key: str, place: str, limit: int, problems: list[Problem], *, required: bool) -> str:
    value = entry.get(key)
    if value is None:
        if required:
            problems.append(Problem(place, "缺少此项"))
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        problems.append(Problem(place, "应为非空文字"))
        return ""
    if len(value) > limit:
        problems.append(Problem(place, f"太长：{len(value)} 个字，最多 {limit} 个字"))
        return ""
    return value.strip()


def _unknown_keys(entry: dict, allowed: tuple[str, ...], prefix: str, problems: list[Problem]) -> None:
    for key in entry:
        if key not in allowed:
            problems.append(Problem(f"{prefix}{key}", f"未知字段，允许的字段为：{'、'.join(allowed)}"))


def _entry_dates(entry: dict, place: str, year: int | None, problems: list[Problem]) -> list[dt.date]:
    has_date, has_range = "date" in entry, "start" in entry or "end" in entry
    if has_date and has_range:
        problems.append(Problem(place, "date 与 start/end 只能二选一"))
        return []
    if has_date:
        day = _date(entry["date"], f"{place}.date", year, problems)
        return [day] if day else []
    if not has_range:
        problems.append(Problem(place, "缺少日期：应有 date，或 start 与 end"))
        return []
    missing = [k for k in ("start", "end") if k not in entry]
    for key in missing:
        problems.append(Problem(f"{place}.{key}", "缺少此项（start 与 end 须同时给出）"))
    if missing:
        return []
    start = _date(entry["start"], f"{place}.start", year, problems)
    end = _date(entry["end"], f"{place}.end", year, problems)
    if start is None or end is None:
        return []
    if end < start:
        problems.append(Problem(f"{place}.end", f"结束日期 {end} 早于开始日期 {start}"))
        return []
    length = (end - start).days + 1
    if length > MAX_RANGE_DAYS:
        problems.append(Problem(place, f"区间长达 {length} 天，超过 {MAX_RANGE_DAYS} 天，请检查"))
        return []
    return [start + dt.timedelta(days=i) for i in range(length)]


def parse_arrangement(text: str | bytes) -> Arrangement:
    """Parse and validate one year's file; raise ArrangementFileError listing every problem."""
    problems: list[Problem] = []
    try:
        data = json.loads(text)
    except UnicodeDecodeError:
        raise ArrangementFileError([Problem("文件", "不是 UTF-8 编码的文本")])
    except json.JSONDecodeError as e:
        raise ArrangementFileError([Problem(f"第 {e.lineno} 行第 {e.colno} 列", f"JSON 语法错误（{e.msg}）")])
    if not isinstance(data, dict):
        raise ArrangementFileError([Problem("文件", "顶层应为一个 JSON 对象 {...}")])
    _unknown_keys(data, TOP_KEYS, "", problems)

    year = data.get("year")
    if "year" not in data:
        problems.append(Problem("year", "缺少此项"))
        year = None
    elif not isinstance(year, int) or isinstance(year, bool) or not MIN_YEAR <= year <= MAX_YEAR:
        problems.append(Problem("year", f"年份应为 {MIN_YEAR} 至 {MAX_YEAR} 之间的整数"))
        year = None
    source = _text(data, "source", "source", MAX_SOURCE, problems, required=True)
    note = _text(data, "note", "note", 2000, problems, required=False)

    entries = data.get("days")
    days: list[ArrangedDay] = []
    if "days" not in data:
        problems.append(Problem("days", "缺少此项"))
    elif not isinstance(entries, list) or not entries:
        problems.append(Problem("days", "应为非空列表"))
    else:
        first_place: dict[dt.date, str] = {}
        for i, entry in enumerate(entries):
            place = f"days[{i}]"
            if not isinstance(entry, dict):
                problems.append(Problem(place, "每一项应为 JSON 对象 {...}"))
                continue
            _unknown_keys(entry, DAY_KEYS, f"{place}.", problems)
            kind = entry.get("kind")
            if "kind" not in entry:
                problems.append(Problem(f"{place}.kind", "缺少此项"))
                kind = None
            elif kind not in DayKind.values:
                problems.append(Problem(
                    f"{place}.kind",
                    f"未知类型 {json.dumps(kind, ensure_ascii=False)}，应为 holiday（放假）或 workday（调休上班）",
                ))
                kind = None
            name = _text(entry, "name", f"{place}.name", MAX_NAME, problems, required=True)
            _text(entry, "note", f"{place}.note", 2000, problems, required=False)
            for day in _entry_dates(entry, place, year, problems):
                if day in first_place:
                    problems.append(Problem(place, f"日期 {day} 重复，已在 {first_place[day]} 中出现"))
                    continue
                first_place[day] = place
                if kind == DayKind.WORKDAY and day.weekday() < 5:
                    problems.append(Problem(
                        place, f"{day} 是{weekday_name(day)}，本来就是工作日；调休上班日只能是周六或周日"
                    ))
                    continue
                if kind:
                    days.append(ArrangedDay(day, DayKind(kind), name))
        if entries and not any(isinstance(e, dict) and e.get("kind") == DayKind.HOLIDAY for e in entries):
            problems.append(Problem("days", "没有任何放假（holiday）安排，请检查文件是否完整"))
    if problems:
        raise ArrangementFileError(problems)
    return Arrangement(year=year, source=source, days=tuple(sorted(days, key=lambda d: d.date)), note=note)
