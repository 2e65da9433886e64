"""Register look-ups and licence verifications over HTTP through the permission-checked, access-recorded
path, against gunicorn, on a throwaway PostgreSQL database that is dropped at the end.

Loads N population records with COPY (default 1,000,000; --records 10000000 for the issue's figure),
a sharing permission, a department token and some signed licences; then runs wrk (a separate process)
against GET /api/v1/datahub/records/population/<id> and GET /api/v1/licences/verify/<identifier>.
Prints JSON lines: lookup_rate, lookup_p99_ms, verify_rate (and verify_p99_ms).

Usage: .venv/bin/python bench/lookup_bench.py [--records N] [--seconds 15] [--connections 8] [--workers 3]
Needs PostgreSQL (BENCH_PG_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres) and wrk."""

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DBNAME = f"onevisit_lookup_bench_{os.getpid()}"
DB_URL = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + DBNAME
LUA = str(Path(__file__).resolve().parent / "wrk" / "lookup.lua")


def log(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


def emit(metric: str, value: float, unit: str, **extra) -> None:
    print(json.dumps({"metric": metric, "value": round(value, 3), "unit": unit, **extra}, ensure_ascii=False), flush=True)


def admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(sql)


def id_number(i: int) -> str:
    """The i-th synthetic 身份证号: 110101 (东城区), birth dates from 1950-01-01, 1,000 per day."""
    day = dt.date(1950, 1, 1) + dt.timedelta(days=i // 1000)
    body = f"110101{day:%Y%m%d}{i % 1000:03d}"
    check = (1 - 2 * int(body, 13)) % 11  # GB 11643 (the same arithmetic as stdnum.cn.ric)
    return body + ("X" if check == 10 else str(check))


def setup(records: int, licences: int) -> dict:
    os.environ["DATABASE_URL"] = DB_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onevisit.settings")
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(workers: int):
    port = free_port()
    # Persistent connections are safe with sync workers (one request at a time per worker).
    env = dict(os.environ, DB_CONN_MAX_AGE=os.environ.get("DB_CONN_MAX_AGE", "60"), DATABASE_URL=DB_URL, ONEVISIT_BIND=f"127.0.0.1:{port}", ONEVISIT_WORKERS=str(workers))
    proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py"], cwd=ROOT, env=env,
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/api/v1/openapi.json", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start: " + (proc.stderr.read() or b"").decode()[-2000:])
                time.sleep(0.3)
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def run_wrk(base: str, paths: list[str], *, token: str, seconds: int, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
        fh.write("\n".join(paths) + "\n")
    try:
        out = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", LUA, base],
            capture_output=True, text=True, check=True, env=dict(os.environ, BENCH_PATHS=fh.name, BENCH_TOKEN=token),
        )
    finally:
        os.unlink(fh.name)
    for line in reversed(out.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError("wrk printed no result:\n" + out.stdout + out.stderr)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--licences", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing (apt-get install -y wrk)")
    admin_sql(f'DROP DATABASE IF EXISTS "{DBNAME}" WITH (FORCE)')
    admin_sql(f'CREATE DATABASE "{DBNAME}"')
    try:
        state = setup(args.records, args.licences)
        with gunicorn(args.workers) as base:
            lookups = [f"/api/v1/datahub/records/population/{i}?fields=name,birth_date&item_code=BENCH-ITEM"
                       for i in state["ids"]]
            run_wrk(base, lookups[:200], token=state["token"], seconds=2, connections=args.connections)  # warm-up
            log(f"look-ups: {args.seconds} s, {args.connections} connections, {args.workers} workers")
            res = run_wrk(base, lookups, token=state["token"], seconds=args.seconds, connections=args.connections)
            extra = {"records": args.records, "errors": res["errors"], "non2xx": res["non2xx"]}
            emit("lookup_rate", res["rate"], "req/s", **extra)
            emit("lookup_p99_ms", res["p99_ms"], "ms", **extra)
            verifies = [f"/api/v1/licences/verify/{i}" for i in state["licences"]]
            res = run_wrk(base, verifies, token="", seconds=args.seconds, connections=args.connections)
            extra = {"licences": args.licences, "errors": res["errors"], "non2xx": res["non2xx"]}
            emit("verify_rate", res["rate"], "req/s", **extra)
            emit("verify_p99_ms", res["p99_ms"], "ms", **extra)
    finally:
        admin_sql(f'DROP DATABASE IF EXISTS "{DBNAME}" WITH (FORCE)')


if __name__ == "__main__":
    main()
