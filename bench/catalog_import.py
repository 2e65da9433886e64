"""Benchmark: import and export of a 10,000-item catalog through the Excel workbook.

Generates a workbook of N published items (each with 5 materials, 5 form fields, 5 steps) plus bundles,
imports it into a fresh database (median of 3 runs, the database emptied before each) and exports it.
Runs against whatever DATABASE_URL says, in a throwaway database: for SQLite a temporary file, for
PostgreSQL a database named onevisit_bench_import that the script creates and drops.

    .venv/bin/python bench/catalog_import.py [--items 10000] [--runs 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/catalog_import.py

Prints JSON lines: {"metric": "catalog_import_10k_s", "value": ..., "unit": "s"}."""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onevisit.settings")

BENCH_DB = "onevisit_bench_import"


def _prepare_database() -> tuple[str, callable]:
    """Point DATABASE_URL at a throwaway database; return its description and a clean-up function."""
    import dj_database_url

    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        cfg = dj_database_url.parse(url)
        admin = dict(host=cfg["HOST"] or None, port=cfg["PORT"] or None, user=cfg["USER"] or None,
                     password=cfg["PASSWORD"] or None, dbname=cfg["NAME"] or "postgres", autocommit=True)
        with psycopg.connect(**admin) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
            conn.execute(f"CREATE DATABASE {BENCH_DB}")
        base = url.rsplit("/", 1)[0]
        os.environ["DATABASE_URL"] = f"{base}/{BENCH_DB}"

        def drop():
            from django.db import connections

            connections.close_all()
            with psycopg.connect(**admin) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")

        return "postgresql", drop
    tmp = tempfile.mkdtemp(prefix="onevisit-bench-")
    path = Path(tmp) / "bench.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"

    def remove():
        from django.db import connections

        connections.close_all()
        for p in Path(tmp).iterdir():
            p.unlink()
        Path(tmp).rmdir()

    return "sqlite", remove


def generate(path: str, n_items: int) -> None:
    """Write an import file directly (no database): regions, 10 departments, n items, n/100 bundles."""
    from openpyxl import Workbook

    from onevisit.catalog.excel import (
        BUNDLES,
        DEPARTMENTS,
        ENTRIES,
        FIELDS,
        ITEMS,
        MATERIALS,
        REGIONS,
        SHEET,
        SPECIALS,
        STEPS,
        _sheet,
        _write_row,
    )
    from onevisit.validators import make_credit_code

    wb = Workbook(write_only=True)

    def sheet(name, rows):
        spec = SHEET[name]
        ws = _sheet(wb, spec)
        keys = [c.key for c in spec.columns]
        for row in rows:
            _write_row(ws, spec.columns, [row.get(k) for k in keys])

    sheet(REGIONS, [
        {"code": "330000", "name": "浙江省", "level": "province"},
        {"code": "331100", "name": "丽水市", "level": "city", "parent": "330000"},
    ])
    depts = [make_credit_code(f"11331100MB10000{i:02d}") for i in range(10)]
    sheet(DEPARTMENTS, [{"credit_code": c, "name": f"丽水市第{i}局", "region": "331100"} for i, c in enumerate(depts)])
    codes = [f"331100-BENCH-{i:05d}" for i in range(n_items)]
    sheet(ITEMS, ({
        "implementation_code": code, "version": 1, "status": "published", "name": f"测试事项{i}", "basic_code": code[:12],
        "item_type": "licensing", "domain": "business", "level": "city", "region": "331100",
        "department": depts[i % 10], "co_departments": [depts[(i + 1) % 10]], "legal_basis": "《条例》第一条" * 5,
        "conditions": "符合条件", "targets": ["person", "company"], "legal_limit": 20, "legal_limit_unit": "working_days",
        "promised_limit": 5, "promised_limit_unit": "working_days", "promised_visits": 1, "channels": ["window", "online"],
        "online_depth": 3, "scope": "local", "charges_fee": False, "fee_amount": 0, "fee_waivable": False,
        "allows_gaps": True, "allows_commitment": False, "result_type": "licence", "result_name": "许可证",
        "place": "市民服务中心", "hours": "工作日", "consult_phone": "12345", "complaint_phone": "12345",
    } for i, code in enumerate(codes)))
    sheet(MATERIALS, ({
        "implementation_code": code, "version": 1, "key": f"m{j}", "position": j, "name": f"材料{j}", "kind": "other",
        "form": "both", "copies": 1, "necessity": "required", "source": "applicant", "standard": "原件",
        "commitment_allowed": False,
    } for code in codes for j in range(1, 6)))
    sheet(FIELDS, ({
        "implementation_code": code, "version": 1, "key": f"f{j}", "position": j, "label": f"字段{j}",
        "field_type": "text", "required": True, "max_length": 100,
    } for code in codes for j in range(1, 6)))
    steps = [("accept", "受理", "window_clerk", 10), ("review", "审查", "reviewer", 40), ("decide", "决定", "approver", 30),
             ("issue", "制证", "reviewer", 10), ("deliver", "送达", "window_clerk", 10)]
    sheet(STEPS, ({
        "implementation_code": code, "version": 1, "position": j, "key": key, "name": name, "role": role, "share": share,
    } for code in codes for j, (key, name, role, share) in enumerate(steps, start=1)))
    sheet(SPECIALS, [])
    n_bundles = n_items // 100
    sheet(BUNDLES, ({
        "code": f"bundle-{b}", "name": f"一件事{b}", "status": "published", "promised_limit": 10,
        "promised_limit_unit": "working_days", "promised_visits": 1, "lead_department": depts[b % 10],
    } for b in range(n_bundles)))
    sheet(ENTRIES, ({
        "bundle": f"bundle-{b}", "stage": s, "position": 1, "item_code": codes[b * 2 + s - 1],
    } for b in range(n_bundles) for s in (1, 2)))
    wb.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    engine, cleanup = _prepare_database()
    import django

    django.setup()
    from django.core.management import call_command

    from onevisit.catalog.excel import export_catalog, import_catalog
    from onevisit.catalog.models import ServiceItem

    try:
        call_command("migrate", verbosity=0, interactive=False)
        label = f"{args.items // 1000}k" if args.items % 1000 == 0 else str(args.items)
        with tempfile.TemporaryDirectory() as tmp:
            source = os.path.join(tmp, "catalog.xlsx")
            started = time.perf_counter()
            generate(source, args.items)
            gen_s = time.perf_counter() - started
            times = []
            for _ in range(args.runs):
                call_command("flush", verbosity=0, interactive=False)
                started = time.perf_counter()
                import_catalog(source, actor=None)
                times.append(time.perf_counter() - started)
                assert ServiceItem.objects.count() == args.items
            started = time.perf_counter()
            export_catalog(os.path.join(tmp, "out.xlsx"))
            export_s = time.perf_counter() - started
            size_mb = os.path.getsize(source) / 1e6
        common = {"engine": engine, "items": args.items}
        for metric, value in (
            (f"catalog_import_{label}_s", statistics.median(times)),
            (f"catalog_export_{label}_s", export_s),
        ):
            print(json.dumps({"metric": metric, "value": round(value, 2), "unit": "s", **common}))
        print(json.dumps({"metric": "catalog_import_runs_s", "value": [round(t, 2) for t in times], "unit": "s",
                          "file_mb": round(size_mb, 1), "generate_s": round(gen_s, 2), **common}))
    finally:
        cleanup()


if __name__ == "__main__":
    main()
