"""Register look-ups and licence verifications over HTTP through the permission-checked, access-recorded
path, against gunicorn, on a throwaway PostgreSQL database that is dropped at the end.

Loads N population records with COPY (default 1,000,000 in about 20 s; --records 10000000 for the issue's
figure: about 4 minutes of COPY and some 3 GB on disk; the look-ups probe the unique (resource, identifier)
B-tree, one level deeper at 10M, and 20,000 distinct people so the hot pages stay in shared buffers),
a sharing permission, a department token and some signed licences; then runs wrk (a separate process)
against GET /api/v1/datahub/records/population/<id> and GET /api/v1/licences/verify/<identifier>.
Prints JSON lines: lookup_rate, lookup_p99_ms, verify_rate (and verify_p99_ms), and the CPU per request of
the server workers + PostgreSQL backends (*_cpu_ms_per_req) with the rate two idle cores would give at that cost.
The server runs with persistent connections (DB_CONN_MAX_AGE=60: 2.7x the rate of a connection per request,
measured) and a 5 s per-worker sharing-permission cache (ONEVISIT_DATAHUB_PERMISSION_CACHE_SECONDS).

Usage: .venv/bin/python bench/lookup_bench.py [--records N] [--seconds 15] [--connections 8] [--workers 3]
       [--runs 3] [--conn-max-age 60] [--permission-cache 5]
Needs PostgreSQL (BENCH_PG_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres) and wrk."""

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, bench_env, emit, log, median, psql, recreate_pg_database, server, wrk  # noqa: E402
from cpuacct import CpuMeter  # noqa: E402

DBNAME = f"onevisit_lookup_bench_{os.getpid()}"
LUA = str(Path(__file__).resolve().parent / "wrk" / "lookup.lua")


def id_number(i: int) -> str:
    """The i-th synthetic 身份证号: 110101 (东城区), birth dates from 1950-01-01, 1,000 per day."""
    day = dt.date(1950, 1, 1) + dt.timedelta(days=i // 1000)
    body = f"110101{day:%Y%m%d}{i % 1000:03d}"
    check = (1 - 2 * int(body, 13)) % 11  # GB 11643 (the same arithmetic as stdnum.cn.ric)
    return body + ("X" if check == 10 else str(check))


def setup(db_url: str, records: int, licences: int) -> dict:
    os.environ.update(bench_env(db_url))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from stdnum.cn import ric

    from onevisit.accounts.models import ApiToken, User
    from onevisit.datahub.schema import STANDARD_RESOURCES
    from onevisit.datahub.services import permission_grant, resource_create
    from onevisit.licences.services import licence_issue, licence_type_create
    from onevisit.orgs.models import Department, Region, RegionLevel, Role, StaffRole
    from onevisit.validators import make_credit_code

    call_command("migrate", verbosity=0, interactive=False)
    province = Region.objects.create(code="110000", name="北京市", level=RegionLevel.PROVINCE)
    police = Department.objects.create(name="公安局", credit_code=make_credit_code("11110000MB0000001"), region=province)
    civil = Department.objects.create(name="民政局", credit_code=make_credit_code("11110000MB0000002"), region=province)
    admin = User.objects.create_user(username="bench_admin", is_superuser=True)
    reader = User.objects.create_user(username="bench_reader")
    StaffRole.objects.create(user=reader, role=Role.REVIEWER, department=civil)
    _, token = ApiToken.issue(user=reader, name="bench")
    population = resource_create(actor=admin, key="population", owner=police, **STANDARD_RESOURCES["population"])
    permission_grant(actor=admin, department=civil, resource=population, fields=["name", "sex", "birth_date"])

    assert all(ric.is_valid(id_number(i)) for i in range(0, records, max(1, records // 997)))
    log(f"COPY {records:,} population records")
    t0 = time.monotonic()
    now = timezone.now().isoformat()
    with connection.cursor() as cur:
        with cur.cursor.copy(
            "COPY datahub_datarecord (resource_id, identifier, data, updated_at) FROM STDIN"
        ) as copy:
            for i in range(records):
                ident = id_number(i)
                data = json.dumps({"name": f"居民{i}", "sex": "男" if i % 2 else "女",
                                   "birth_date": f"{ident[6:10]}-{ident[10:12]}-{ident[12:14]}",
                                   "household_address": f"北京市东城区第{i % 997}街{i % 89}号", "region_code": "110101"},
                                  ensure_ascii=False)
                copy.write_row((population.pk, ident, data, now))
        cur.execute("ANALYZE datahub_datarecord")
    log(f"loaded in {time.monotonic() - t0:.1f} s")

    card = licence_type_create(actor=admin, code="LNK", name="老年人优待证", issuer=civil, holder_kind="id_number",
                               fields=[{"key": "name", "label": "姓名", "type": "string", "required": True}],
                               validity_days=3650)
    issued = [licence_issue(actor=None, licence_type=card, holder=id_number(i), data={"name": f"居民{i}"}).identifier
              for i in range(licences)]
    connection.close()
    step = max(1, records // 20000)
    return {"token": token, "ids": [id_number(i) for i in range(0, records, step)], "licences": issued}


def run_wrk(base: str, paths: list[str], *, token: str, seconds: int, connections: int) -> dict:
    listing = Path(f"/tmp/{DBNAME}.paths")
    listing.write_text("\n".join(paths) + "\n")
    try:
        return wrk(base, script=LUA, connections=connections, seconds=seconds,
                   env={"BENCH_PATHS": str(listing), "BENCH_TOKEN": token})
    finally:
        listing.unlink()


def cpu_report(name: str, meter: CpuMeter, runs: list[dict]) -> None:
    """CPU per request (server workers + PostgreSQL backends) and the rate two otherwise idle cores could
    serve at that cost: what the machine allows when other work shares it."""
    app_s, db_s = meter.stop()
    served = sum(r["requests"] for r in runs)
    per = (app_s + db_s) / max(1, served) * 1000
    emit(f"{name}_cpu_ms_per_req", per, "ms", app_ms=round(app_s / max(1, served) * 1000, 3),
         db_ms=round(db_s / max(1, served) * 1000, 3))
    emit(f"{name}_rate_2_idle_cores", 2000 / per if per else 0.0, "req/s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--licences", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--runs", type=int, default=1, help="runs of each measurement; the median is printed")
    parser.add_argument("--conn-max-age", default="60", help="DB_CONN_MAX_AGE of the server (0: a connection "
                        "per request)")
    parser.add_argument("--permission-cache", default="5", help="ONEVISIT_DATAHUB_PERMISSION_CACHE_SECONDS")
    args = parser.parse_args()
    db_url = recreate_pg_database(DBNAME)
    try:
        state = setup(db_url, args.records, args.licences)
        env = bench_env(db_url, DB_CONN_MAX_AGE=args.conn_max_age,
                        ONEVISIT_DATAHUB_PERMISSION_CACHE_SECONDS=args.permission_cache)
        config = {"workers": args.workers, "connections": args.connections, "conn_max_age": args.conn_max_age,
                  "permission_cache_s": args.permission_cache}
        with server(env, workers=args.workers) as base:
            lookups = [f"/api/v1/datahub/records/population/{i}?fields=name,birth_date&item_code=BENCH-ITEM"
                       for i in state["ids"]]
            run_wrk(base, lookups, token=state["token"], seconds=3, connections=args.connections)  # warm-up
            log(f"look-ups: {args.runs} x {args.seconds} s, {config}")
            meter = CpuMeter(base, DBNAME)
            meter.start()
            runs = [run_wrk(base, lookups, token=state["token"], seconds=args.seconds, connections=args.connections)
                    for _ in range(args.runs)]
            cpu_report("lookup", meter, runs)
            extra = {"records": args.records, "runs": [r["rate"] for r in runs],
                     "errors": sum(r["errors"] for r in runs), "non2xx": sum(r["non2xx"] for r in runs), **config}
            emit("lookup_rate", median([r["rate"] for r in runs]), "req/s", **extra)
            emit("lookup_p99_ms", median([r["p99_ms"] for r in runs]), "ms", records=args.records,
                 p50_ms=median([r["p50_ms"] for r in runs]))
            emit("lookup_rate_vs_aim", median([r["rate"] for r in runs]) / 600, "ratio")
            verifies = [f"/api/v1/licences/verify/{i}" for i in state["licences"]]
            meter.start()
            runs = [run_wrk(base, verifies, token="", seconds=args.seconds, connections=args.connections)
                    for _ in range(args.runs)]
            cpu_report("verify", meter, runs)
            emit("verify_rate", median([r["rate"] for r in runs]), "req/s", licences=args.licences,
                 runs=[r["rate"] for r in runs], errors=sum(r["errors"] for r in runs),
                 non2xx=sum(r["non2xx"] for r in runs))
            emit("verify_p99_ms", median([r["p99_ms"] for r in runs]), "ms", licences=args.licences)
        # Every look-up left its access record: the benchmark measured the recorded path.
        emit("lookup_access_records", float(psql("SELECT count(*) FROM datahub_accessrecord", db_url=db_url)),
             "rows")
    finally:
        psql(f'DROP DATABASE IF EXISTS "{DBNAME}" WITH (FORCE)')


if __name__ == "__main__":
    main()
