"""Monthly declarative partitioning of the two tables that only grow: the history events and the data hub's
access records (PostgreSQL; SQLite keeps plain tables). docs/decisions/0021.

- `history_event` is partitioned by `chain_month`: the month in which the object's chain was opened. Every
  event of one chain lives in one partition, so the unique (object_type, object_id, seq, chain_month)
  constraint is as strict as the old (object_type, object_id, seq) (chain_month is the same for the whole
  chain: racing appenders still collide and retry), and a detached month takes whole chains with it: what
  stays verifies, what leaves verifies on its own.
- `datahub_accessrecord` is partitioned by `at` (its own moment; no chain, no unique key but the id).

Partitions are named <table>_pYYYYMM, with a DEFAULT partition catching anything outside them; migrations
create the months of the existing rows plus MONTHS_AHEAD, the scheduled `ensure_partitions` keeps months
ahead, and `archive_partitions` detaches months past retention into the `onevisit_archive` schema or a file."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction

from onevisit.workdays.calendar import SHANGHAI

MONTHS_AHEAD = 3
ARCHIVE_SCHEMA = "onevisit_archive"


@dataclass(frozen=True)
class Spec:
    table: str
    key: str
    kind: str  # "date" (a first-of-month date) or "moment" (timestamptz, months in China Standard Time)
    # SQL giving the month (a date) of each row of the unpartitioned table (aliased "o") for the copy
    month_of_row: str


SPECS = {
    "history_event": Spec(
        "history_event", "chain_month", "date",
        # the month of the chain's first event, for every event of the chain
        "(SELECT date_trunc('month', f.at AT TIME ZONE 'Asia/Shanghai')::date FROM {old} f"
        " WHERE f.object_type = o.object_type AND f.object_id = o.object_id ORDER BY f.seq LIMIT 1)"),
    "datahub_accessrecord": Spec(
        "datahub_accessrecord", "at", "moment", "date_trunc('month', o.at AT TIME ZONE 'Asia/Shanghai')::date"),
}


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, n: int) -> dt.date:
    y, m = divmod(day.month - 1 + n, 12)
    return dt.date(day.year + y, m + 1, 1)


def current_month() -> dt.date:
    return month_start(dt.datetime.now(SHANGHAI).date())


def _bound(spec: Spec, month: dt.date) -> str:
    return f"'{month.isoformat()}'" if spec.kind == "date" else f"'{month.isoformat()} 00:00:00+08'"


def partition_name(table: str, month: dt.date) -> str:
    return f"{table}_p{month:%Y%m}"


def is_partitioned(table: str) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cur:
        cur.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [table])
        row = cur.fetchone()
    return bool(row) and row[0] == "p"


def partitions_of(table: str) -> dict[str, str]:
    """name -> bound expression of every attached partition."""
    with connection.cursor() as cur:
        cur.execute("SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i"
                    " JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(%s) ORDER BY 1", [table])
        return dict(cur.fetchall())


def _create_partition(cur, spec: Spec, month: dt.date) -> str | None:
    name = partition_name(spec.table, month)
    if name in partitions_of(spec.table):
        return None
    lo, hi = _bound(spec, month), _bound(spec, add_months(month, 1))
    default = f"{spec.table}_default"
    cur.execute(f"SELECT 1 FROM {default} WHERE {spec.key} >= {lo} AND {spec.key} < {hi} LIMIT 1")  # noqa: S608
    if cur.fetchone() is None:
        cur.execute(f"CREATE TABLE {name} PARTITION OF {spec.table} FOR VALUES FROM ({lo}) TO ({hi})")
        return name
    # Rows of that month went to the default partition meanwhile: move them into the new month.
    cur.execute(f"ALTER TABLE {spec.table} DETACH PARTITION {default}")
    cur.execute(f"CREATE TABLE {name} PARTITION OF {spec.table} FOR VALUES FROM ({lo}) TO ({hi})")
    cur.execute(f"INSERT INTO {spec.table} SELECT * FROM {default} WHERE {spec.key} >= {lo} AND {spec.key} < {hi}")  # noqa: S608
    cur.execute(f"DELETE FROM {default} WHERE {spec.key} >= {lo} AND {spec.key} < {hi}")  # noqa: S608
    cur.execute(f"ALTER TABLE {spec.table} ATTACH PARTITION {default} DEFAULT")
    return name


def partitions_ensure(*, months_ahead: int = MONTHS_AHEAD, months_back: int = 0) -> list[str]:
    """Create the missing monthly partitions from `months_back` before this month to `months_ahead` after it."""
    if connection.vendor != "postgresql":
        return []
    created = []
    now = current_month()
    with transaction.atomic(), connection.cursor() as cur:
        for spec in SPECS.values():
            if not is_partitioned(spec.table):
                continue
            for n in range(-months_back, months_ahead + 1):
                name = _create_partition(cur, spec, add_months(now, n))
                if name:
                    created.append(name)
    return created


# ------------------------------------------------------------------------------------------------
# The migration: an ordinary table becomes a partitioned one with the same columns, indexes and keys


def convert(schema_editor, table: str, *, months_ahead: int = MONTHS_AHEAD) -> None:
    """Turn `table` into a table partitioned by month (PostgreSQL; a no-op elsewhere or if done already).
    The rows are copied (in a maintenance window for a big table), unique keys gain the partition key,
    indexes and foreign keys are recreated with their names."""
    if schema_editor.connection.vendor != "postgresql" or is_partitioned(table):
        return
    spec = SPECS[table]
    old = f"{table}_unpartitioned"
    with schema_editor.connection.cursor() as cur:
        cur.execute("SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), c.contype"
                    " FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid"
                    " WHERE i.indrelid = %s::regclass", [table])
        indexes = cur.fetchall()
        cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass"
                    " AND contype = 'f'", [table])
        foreign = cur.fetchall()
        cur.execute("SELECT a.attname FROM pg_attribute a WHERE a.attrelid = %s::regclass AND a.attnum > 0"
                    " AND NOT a.attisdropped ORDER BY a.attnum", [table])
        columns = [r[0] for r in cur.fetchall()]
        cur.execute(f"ALTER TABLE {table} RENAME TO {old}")
        cur.execute(f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY)"
                    f" PARTITION BY RANGE ({spec.key})")
        cur.execute(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT")
        month_sql = spec.month_of_row.format(old=old)
        cur.execute(f"SELECT DISTINCT {month_sql} FROM {old} o")  # noqa: S608
        months = {r[0] for r in cur.fetchall() if r[0] is not None}
        now = current_month()
        months |= {add_months(now, n) for n in range(0, months_ahead + 1)}
        for month in sorted(months):
            lo, hi = _bound(spec, month), _bound(spec, add_months(month, 1))
            cur.execute(f"CREATE TABLE {partition_name(table, month)} PARTITION OF {table}"
                        f" FOR VALUES FROM ({lo}) TO ({hi})")
        cols = ", ".join(columns)
        if spec.kind == "date":  # the partition key is recomputed for the rows already there
            select = ", ".join(f"COALESCE({month_sql}, '{now.isoformat()}'::date)" if c == spec.key else f"o.{c}"
                               for c in columns)
        else:
            select = ", ".join(f"o.{c}" for c in columns)
        cur.execute(f"INSERT INTO {table} ({cols}) OVERRIDING SYSTEM VALUE SELECT {select} FROM {old} o")  # noqa: S608
        cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT max(id) FROM {old}), 0) + 1,"
                    " false)")
        cur.execute(f"DROP TABLE {old}")
        for name, definition, contype in indexes:
            if contype == "p":
                cur.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} PRIMARY KEY (id, {spec.key})")
            elif contype == "u":
                cols_in = definition[definition.index("(") + 1:definition.rindex(")")]
                keyed = cols_in if spec.key in [c.strip() for c in cols_in.split(",")] else f"{cols_in}, {spec.key}"
                cur.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} UNIQUE ({keyed})")
            else:
                cur.execute(definition.replace(f" ON public.{old} ", f" ON public.{table} ")
                            .replace(f" ON {old} ", f" ON {table} "))
        for name, definition in foreign:
            cur.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")


def unconvert(schema_editor, table: str) -> None:
    """Back to a plain table (the reverse migration): the same rows, one table."""
    if schema_editor.connection.vendor != "postgresql" or not is_partitioned(table):
        return
    raise NotImplementedError("回退分区需人工处理：先用 archive_partitions 导出，再重建普通表")


# ------------------------------------------------------------------------------------------------
# Archiving months past retention


@dataclass
class ArchiveResult:
    partition: str
    rows: int
    destination: str
    kept_reason: str = ""


def archive_before(*, before: dt.date, to_dir: Path | None = None, dry_run: bool = False,
                   tables: list[str] | None = None) -> list[ArchiveResult]:
    """Detach every monthly partition that ends on or before `before` (a month), into the archive schema or,
    with `to_dir`, into a gzipped CSV with a manifest (rows, SHA-256), then drop it. A history month is kept
    while any of its chains has an event at or after `before` (the chain is still alive)."""
    if connection.vendor != "postgresql":
        return []
    before = month_start(before)
    out = []
    for spec in SPECS.values():
        if tables and spec.table not in tables or not is_partitioned(spec.table):
            continue
        for name in sorted(partitions_of(spec.table)):
            if name.endswith("_default"):
                continue
            month = dt.date(int(name[-6:-2]), int(name[-2:]), 1)
            if add_months(month, 1) > before:
                continue
            with connection.cursor() as cur:
                cur.execute(f"SELECT count(*) FROM {name}")  # noqa: S608
                rows = cur.fetchone()[0]
                if spec.table == "history_event":
                    cur.execute(f"SELECT max(at) FROM {name}")  # noqa: S608
                    last = cur.fetchone()[0]
                    if last is not None and last >= dt.datetime.combine(before, dt.time(), SHANGHAI):
                        out.append(ArchiveResult(name, rows, "", f"链仍在延续：最近一条记录在 {last.astimezone(SHANGHAI):%Y-%m-%d}"))
                        continue
            if dry_run:
                out.append(ArchiveResult(name, rows, "（演练，未执行）"))
                continue
            out.append(_detach(spec, name, rows, to_dir))
    return out


def _detach(spec: Spec, name: str, rows: int, to_dir: Path | None) -> ArchiveResult:
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # deferred checks of this transaction, done before the DDL
        cur.execute(f"ALTER TABLE {spec.table} DETACH PARTITION {name}")
        if to_dir is None:
            cur.execute(f"CREATE SCHEMA IF NOT EXISTS {ARCHIVE_SCHEMA}")
            cur.execute(f"ALTER TABLE {name} SET SCHEMA {ARCHIVE_SCHEMA}")
            return ArchiveResult(name, rows, f"{ARCHIVE_SCHEMA}.{name}")
        to_dir.mkdir(parents=True, exist_ok=True)
        path = to_dir / f"{name}.csv.gz"
        digest = hashlib.sha256()
        with gzip.open(path, "wb") as fh, cur.cursor.copy(f"COPY {name} TO STDOUT WITH (FORMAT csv, HEADER true)") as copy:
            for chunk in copy:
                data = bytes(chunk)
                digest.update(data)
                fh.write(data)
        manifest = {"table": spec.table, "partition": name, "rows": rows, "sha256_of_csv": digest.hexdigest(),
                    "file": path.name}
        (to_dir / f"{name}.manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        cur.execute(f"DROP TABLE {name}")
        return ArchiveResult(name, rows, str(path))
