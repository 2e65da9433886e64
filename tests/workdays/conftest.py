import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from onevisit.workdays.calendar import SHANGHAI

ARRANGEMENT_2026 = Path(__file__).resolve().parents[2] / "onevisit" / "workdays" / "arrangements" / "2026.json"

# Clearly fictional: the real 2027 arrangement is not known to us. Used only inside tests, never shipped.
FICTIONAL_2027 = {
    "year": 2027,
    "source": "虚构的测试安排（并非国务院办公厅发布）",
    "days": [
        {"kind": "holiday", "name": "测试假日", "start": "2027-03-03", "end": "2027-03-05"},
        {"kind": "workday", "name": "测试假日", "date": "2027-03-06"},
    ],
}


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=SHANGHAI)


def d(day: str) -> dt.date:
    return dt.date.fromisoformat(day)


@pytest.fixture
def write_arrangement(tmp_path):
    def write(data, name: str = "arrangement.json") -> Path:
        path = tmp_path / name
        path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return path

    return write


@pytest.fixture
def load_workdays(db, capsys):
    """Run the real command; returns (stdout, stderr)."""

    def run(path, *args):
        call_command("load_workdays", str(path), *args)
        out = capsys.readouterr()
        return out.out, out.err

    return run
