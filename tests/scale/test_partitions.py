"""Monthly partitions of the history and of the data hub's access records (PostgreSQL): a chain stays in one
partition whatever month it continues in, racing appenders still collide, future months are created, and a
month past retention leaves whole chains behind it (verify_history still passes) or is kept while alive."""

import datetime as dt
import gzip
import json

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from onevisit.history.models import Event
from onevisit.history.services import compute_hash, events_of, record_change, verify_chains
from onevisit.orgs.models import Region
from onevisit.scale.partitions import (
    ARCHIVE_SCHEMA,
    add_months,
    current_month,
    partition_name,
    partitions_ensure,
    partitions_of,
)
from onevisit.workdays.calendar import SHANGHAI

pytestmark = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite keeps plain tables")


def where(event_id: int) -> str:
    with connection.cursor() as cur:
        cur.execute("SELECT tableoid::regclass::text FROM history_event WHERE id = %s", [event_id])
        return cur.fetchone()[0]


def old_chain(obj, month: dt.date, n: int = 2) -> list[int]:
    """A chain opened in an earlier month (written as the services would have then)."""
    prev, ids = "", []
    for seq in range(1, n + 1):
        at = dt.datetime.combine(month, dt.time(10), SHANGHAI) + dt.timedelta(days=seq)
        digest = compute_hash(object_type="orgs.region", object_id=str(obj.pk), seq=seq, at=at, actor_label="系统",
                              action=f"step{seq}", reason="", data={}, prev_hash=prev)
        ids.append(Event.objects.create(object_type="orgs.region", object_id=str(obj.pk), seq=seq, at=at,
                                        actor_label="系统", action=f"step{seq}", data={}, prev_hash=prev, hash=digest,
                                        chain_month=month).pk)
        prev = digest
    return ids


def test_both_tables_are_partitioned_with_months_ahead(db):
    now = current_month()
    for table in ("history_event", "datahub_accessrecord"):
        names = set(partitions_of(table))
        assert {partition_name(table, add_months(now, n)) for n in range(4)} | {f"{table}_default"} <= names


def test_a_chain_continues_in_the_partition_of_its_first_month(db):
    region = Region.objects.create(code="339999", name="测试区", level="county")
    last_month = add_months(current_month(), -2)
    partitions_ensure(months_back=2)
    ids = old_chain(region, last_month)
    assert where(ids[0]) == partition_name("history_event", last_month)
    later = record_change(obj=region, actor=None, action="renamed")  # written today, two months on
    assert later.seq == 3 and later.chain_month == last_month
    assert where(later.pk) == partition_name("history_event", last_month)
    fresh = Region.objects.create(code="339998", name="新区", level="county")
    opened = record_change(obj=fresh, actor=None, action="created")
    assert opened.chain_month == current_month() and where(opened.pk) == partition_name("history_event", current_month())
    assert list(verify_chains(object_type="orgs.region")) == []
    assert [e.action for e in events_of(region)] == ["step1", "step2", "renamed"]


def test_racing_appenders_still_collide_on_the_chain(db):
    region = Region.objects.create(code="339997", name="并发区", level="county")
    first = record_change(obj=region, actor=None, action="created")
    with pytest.raises(IntegrityError), transaction.atomic():  # a second seq 1 of the same chain
        Event.objects.create(object_type=first.object_type, object_id=first.object_id, seq=1, at=first.at,
                             actor_label="x", action="forked", prev_hash="", hash="0" * 64,
                             chain_month=first.chain_month)


def test_rows_of_a_month_without_partition_move_out_of_the_default_when_it_is_created(db):
    region = Region.objects.create(code="339996", name="远月区", level="county")
    far = add_months(current_month(), 9)
    [event_id] = old_chain(region, far, n=1)
    assert where(event_id) == "history_event_default"
    created = partitions_ensure(months_ahead=9)
    assert partition_name("history_event", far) in created
    assert where(event_id) == partition_name("history_event", far)


def test_months_past_retention_are_detached_whole_and_live_chains_keep_theirs(db, tmp_path, capsys):
    quiet = Region.objects.create(code="339995", name="旧区", level="county")
    alive = Region.objects.create(code="339994", name="活区", level="county")
    m5, m4 = add_months(current_month(), -5), add_months(current_month(), -4)
    partitions_ensure(months_back=5)
    old_chain(quiet, m5)
    old_chain(alive, m4)
    record_change(obj=alive, actor=None, action="still-going")  # a chain of month -4 written today
    call_command("archive_partitions", "--before", f"{add_months(current_month(), -3):%Y-%m}",
                 "--table", "history_event")
    out = capsys.readouterr().out
    assert f"已分离 {partition_name('history_event', m5)}（2 条）→ {ARCHIVE_SCHEMA}." in out
    assert f"保留 {partition_name('history_event', m4)}（3 条）：链仍在延续" in out
    assert not Event.objects.filter(object_id=str(quiet.pk), object_type="orgs.region").exists()
    assert Event.objects.filter(object_id=str(alive.pk), object_type="orgs.region").count() == 3
    assert list(verify_chains()) == []  # what stays is whole chains
    call_command("verify_history")
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {ARCHIVE_SCHEMA}.{partition_name('history_event', m5)}")
        assert cur.fetchone()[0] == 2


def test_access_records_archived_to_a_file_with_a_manifest(db, tmp_path, capsys):
    from onevisit.datahub.models import AccessRecord

    old = add_months(current_month(), -7)
    partitions_ensure(months_back=7)
    at = dt.datetime.combine(old, dt.time(9), SHANGHAI)
    AccessRecord.objects.create(at=at, actor_label="审查员", resource_key="population", identifier="X",
                                granted=True)
    call_command("archive_partitions", "--before", f"{add_months(old, 1):%Y-%m}", "--table", "datahub_accessrecord",
                 "--to-dir", str(tmp_path))
    name = partition_name("datahub_accessrecord", old)
    manifest = json.loads((tmp_path / f"{name}.manifest.json").read_text())
    assert manifest["rows"] == 1 and manifest["partition"] == name
    text = gzip.open(tmp_path / f"{name}.csv.gz", "rt").read()
    assert "population" in text and text.startswith("id,")
    assert name not in partitions_of("datahub_accessrecord") and not AccessRecord.objects.exists()
