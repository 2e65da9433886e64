"""manage.py load_workdays FILE [--replace] [--actor USERNAME] [--reason TEXT]

Validates a yearly arrangement file (format: docs/workdays.md), reports every problem with its place and
reason, and loads nothing unless the whole file is right."""

import datetime as dt
import getpass
from collections import defaultdict
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from onevisit.workdays.arrangement_file import Arrangement, ArrangementFileError, weekday_name
from onevisit.workdays.calendar import PACKAGE_YEARS, SHANGHAI, working_days_between
from onevisit.workdays.models import DayKind
from onevisit.workdays.services import arrangement_parse, calendar_year_load


def _spans(dates: list) -> list[tuple]:
    spans: list[list] = []
    for d in sorted(dates):
        if spans and (d - spans[-1][1]).days == 1:
            spans[-1][1] = d
        else:
            spans.append([d, d])
    return [tuple(s) for s in spans]


def describe(arrangement: Arrangement) -> list[str]:
    by_name: dict[str, dict[str, list]] = defaultdict(lambda: {DayKind.HOLIDAY: [], DayKind.WORKDAY: []})
    for day in arrangement.days:
        by_name[day.name][day.kind].append(day.date)
    lines = []
    for name, kinds in sorted(by_name.items(), key=lambda kv: min(kv[1][DayKind.HOLIDAY] or kv[1][DayKind.WORKDAY])):
        parts = []
        for start, end in _spans(kinds[DayKind.HOLIDAY]):
            days = (end - start).days + 1
            parts.append(f"放假 {start} 至 {end}（{days} 天）" if days > 1 else f"放假 {start}（{weekday_name(start)}）")
        for d in sorted(kinds[DayKind.WORKDAY]):
            parts.append(f"调休上班 {d}（{weekday_name(d)}）")
        lines.append(f"  {name}：" + "；".join(parts))
    return lines


class Command(BaseCommand):
    help = "校验并载入一年的节假日安排文件（JSON，格式见 docs/workdays.md）；有任何错误则不载入"

    def add_arguments(self, parser):
        parser.add_argument("file", help="安排文件路径，如 onevisit/workdays/arrangements/2026.json")
        parser.add_argument("--replace", action="store_true", help="该年已载入时，以本文件整年替换")
        parser.add_argument("--actor", help="记入变更记录的操作人用户名（默认：命令行及系统用户名）")
        parser.add_argument("--reason", help="记入变更记录的原因（默认：载入文件名）")

    def handle(self, *args, file: str, replace: bool, actor: str | None, reason: str | None, **options):
        path = Path(file)
        try:
            raw = path.read_bytes()
        except OSError as e:
            raise CommandError(f"{file}：无法读取文件（{e.strerror}）")
        actor_obj = self._actor(actor)
        try:
            arrangement = arrangement_parse(text=raw, replace=replace)
            result = calendar_year_load(
                actor=actor_obj, arrangement=arrangement, reason=reason or f"载入节假日安排文件 {path.name}",
                replace=replace,
            )
        except ArrangementFileError as e:
            for problem in e.problems:
                self.stderr.write(f"{file}: {problem}")
            raise CommandError(f"{file}：共 {len(e.problems)} 处错误，未载入任何数据")
        self._report(result, arrangement)

    def _actor(self, username: str | None):
        if username is None:
            return f"命令行 load_workdays（系统用户 {getpass.getuser()}）"
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"--actor：用户 {username} 不存在")
        return user

    def _report(self, result, arrangement: Arrangement) -> None:
        year = arrangement.year
        holidays = [d for d in arrangement.days if d.kind == DayKind.HOLIDAY]
        workdays = [d for d in arrangement.days if d.kind == DayKind.WORKDAY]
        on_weekdays = sum(1 for d in holidays if d.date.weekday() < 5)
        verb = "替换" if result.replaced else "载入"
        self.stdout.write(
            f"已{verb} {year} 年节假日安排（来源：{arrangement.source}）："
            f"放假 {len(holidays)} 天（其中周一至周五 {on_weekdays} 天），调休上班 {len(workdays)} 天"
        )
        for line in describe(arrangement):
            self.stdout.write(line)
        if result.replaced_days:
            self.stdout.write(f"原有 {result.replaced_days} 条该年的日期调整已被替换")
        if year in PACKAGE_YEARS:
            self.stdout.write(f"注意：chinesecalendar 也收录了 {year} 年，此后该年以本次载入的安排为准")
        eve = dt.datetime(year - 1, 12, 31, 12, tzinfo=SHANGHAI)
        total = working_days_between(eve, dt.datetime(year, 12, 31, 12, tzinfo=SHANGHAI))
        self.stdout.write(self.style.SUCCESS(f"{year} 年共有工作日 {total} 天"))
