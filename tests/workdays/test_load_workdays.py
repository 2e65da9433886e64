"""manage.py load_workdays: the shipped 2026 file, the history it writes, and its error reporting."""

import datetime as dt
import json

import chinese_calendar
import pytest
from django.core.management.base import CommandError

from onevisit.accounts.models import User
from onevisit.history.models import Event
from onevisit.history.services import events_of, verify_chains
from onevisit.workdays.arrangement_file import parse_arrangement
from onevisit.workdays.calendar import is_working_day
from onevisit.workdays.models import CalendarYear, DayArrangement, DayKind
from tests.workdays.conftest import ARRANGEMENT_2026, FICTIONAL_2027, d

DAYS_2026 = [dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(365)]


def test_the_shipped_2026_file_is_the_packages_2026():
    arrangement = parse_arrangement(ARRANGEMENT_2026.read_bytes())
    holidays = {x.date for x in arrangement.days if x.kind == DayKind.HOLIDAY}
    workdays = {x.date for x in arrangement.days if x.kind == DayKind.WORKDAY}
    assert holidays == {x for x in chinese_calendar.holidays if x.year == 2026}
    assert workdays == {x for x in chinese_calendar.workdays if x.year == 2026}


def test_loading_2026_answers_every_day_as_the_package_does(load_workdays):
    out, _ = load_workdays(ARRANGEMENT_2026)
    assert CalendarYear.objects.get().year == 2026
    assert DayArrangement.objects.count() == 39  # 33 days off (weekends among them) + 6 调休 days
    assert [x for x in DAYS_2026 if is_working_day(x) != chinese_calendar.is_workday(x)] == []
    assert "已载入 2026 年节假日安排" in out
    assert "春节：放假 2026-02-15 至 2026-02-23（9 天）；调休上班 2026-02-14（周六）；调休上班 2026-02-28（周六）" in out
    assert "2026 年共有工作日 248 天" in out


def test_loading_appends_a_history_event_with_who_and_why(load_workdays, write_arrangement):
    admin = User.objects.create_user(username="calendar_operator", password="pass-1234")
    load_workdays(write_arrangement(FICTIONAL_2027), "--actor", "calendar_operator", "--reason", "测试载入")
    year = CalendarYear.objects.get(year=2027)
    (event,) = events_of(year)
    assert (event.action, event.actor, event.reason) == ("loaded", admin, "测试载入")
    assert event.data["arrangement"]["days"][0] == {"date": "2027-03-03", "kind": "holiday", "name": "测试假日"}
    assert list(verify_chains()) == []


def test_without_actor_the_command_line_user_is_recorded(load_workdays, write_arrangement):
    load_workdays(write_arrangement(FICTIONAL_2027, "fictional-2027.json"))
    (event,) = events_of(CalendarYear.objects.get(year=2027))
    assert event.actor is None
    assert event.actor_label.startswith("命令行 load_workdays")
    assert event.reason == "载入节假日安排文件 fictional-2027.json"


def test_unknown_actor_is_refused(load_workdays, write_arrangement):
    with pytest.raises(CommandError, match="nobody"):
        load_workdays(write_arrangement(FICTIONAL_2027), "--actor", "nobody")
    assert not CalendarYear.objects.exists()


def test_every_error_is_reported_and_nothing_is_loaded(load_workdays, write_arrangement, capsys):
    DayArrangement.objects.create(date=d("2027-07-01"), kind=DayKind.HOLIDAY, name="既有更正")
    before = Event.objects.count()
    bad = {
        "year": 2027,
        "source": "虚构的测试安排",
        "colour": "red",
        "days": [
            {"kind": "holiday", "name": "测试假日", "start": "2027-03-03", "end": "2027-03-05"},
            {"kind": "holiday", "name": "测试假日", "date": "2027-03-04"},  # duplicate
            {"kind": "holiday", "name": "周末放假", "date": "2027-03-07"},  # a Sunday: allowed
            {"kind": "workday", "name": "测试假日", "date": "2027-03-08"},  # a Monday: refused
            {"kind": "holiday", "name": "跨年", "date": "2028-01-01"},  # wrong year
            {"kind": "vacation", "name": "未知", "date": "2027-04-01"},  # unknown kind
            {"kind": "holiday", "date": "2027-04-02"},  # no name
            {"kind": "holiday", "name": "格式", "date": "2027/04/05"},  # bad format
            {"kind": "holiday", "name": "倒置", "start": "2027-05-05", "end": "2027-05-01"},
            {"kind": "holiday", "name": "不存在", "date": "2027-02-30"},
            {"kind": "holiday", "name": "缺结束", "start": "2027-06-01"},
        ],
    }
    with pytest.raises(CommandError, match="共 11 处错误，未载入任何数据"):
        load_workdays(write_arrangement(bad))
    err = capsys.readouterr().err
    for expected in [
        "colour：未知字段",
        "days[1]：日期 2027-03-04 重复，已在 days[0] 中出现",
        "days[3]：2027-03-08 是周一，本来就是工作日；调休上班日只能是周六或周日",
        "days[4].date：日期 2028-01-01 不在 2027 年内",
        'days[5].kind：未知类型 "vacation"，应为 holiday（放假）或 workday（调休上班）',
        "days[6].name：缺少此项",
        'days[7].date：日期 "2027/04/05" 格式不对，应为 YYYY-MM-DD',
        "days[8].end：结束日期 2027-05-01 早于开始日期 2027-05-05",
        "days[9].date：日期 2027-02-30 不存在",
        "days[10].end：缺少此项",
        "year：数据库中已有 2027 年的 1 条单日调整；如要以本文件整年替换，请使用 --replace",
    ]:
        assert expected in err
    assert "days[2]" not in err  # a holiday on a weekend is fine
    assert not CalendarYear.objects.exists()
    assert list(DayArrangement.objects.values_list("name", flat=True)) == ["既有更正"]
    assert Event.objects.count() == before


def test_broken_json_names_line_and_column(load_workdays, write_arrangement, capsys):
    with pytest.raises(CommandError):
        load_workdays(write_arrangement('{"year": 2027,\n  "source": "x"\n  "days": []}'))
    assert "第 3 行第 3 列：JSON 语法错误" in capsys.readouterr().err


def test_a_loaded_year_is_replaced_only_on_request(load_workdays, write_arrangement, capsys):
    load_workdays(write_arrangement(FICTIONAL_2027))
    changed = json.loads(json.dumps(FICTIONAL_2027))
    changed["days"][0]["end"] = "2027-03-04"
    changed["source"] = "虚构的测试安排（更正）"
    with pytest.raises(CommandError, match="1 处错误"):
        load_workdays(write_arrangement(changed))
    assert "2027 年的安排已于" in capsys.readouterr().err
    assert is_working_day(d("2027-03-05")) is False

    out, _ = load_workdays(write_arrangement(changed), "--replace")
    assert "已替换 2027 年节假日安排" in out
    assert is_working_day(d("2027-03-05")) is True
    year = CalendarYear.objects.get(year=2027)
    assert year.source == "虚构的测试安排（更正）"
    assert [e.action for e in events_of(year)] == ["loaded", "replaced"]
    assert len(events_of(year).last().data["removed_days"]) == 4
    assert DayArrangement.objects.filter(date__year=2027).count() == 3


def test_format_errors_and_an_existing_year_are_reported_together(load_workdays, write_arrangement, capsys):
    load_workdays(write_arrangement(FICTIONAL_2027))
    bad = dict(FICTIONAL_2027, source="")
    with pytest.raises(CommandError, match="共 2 处错误"):
        load_workdays(write_arrangement(bad))
    err = capsys.readouterr().err
    assert "source：应为非空文字" in err and "2027 年的安排已于" in err
