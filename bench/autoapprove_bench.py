"""秒批 end to end over HTTP: POST /api/v1/cases for an item with a rule, each request reading the population
and death registers through the data hub (permission-checked, access-recorded), evaluating the rule, moving
the case through accept → approve → result → electronic delivery, issuing and SM2-signing the e-licence.
Then licence verifications. On a throwaway PostgreSQL database, dropped at the end.

Prints JSON lines: autoapprove_rate, autoapprove_p99_ms, verify_rate (and verify_p99_ms).
Also the CPU per request (server workers + PostgreSQL backends), autoapprove_cpu_ms_per_req, and the rate two
otherwise idle cores could give at that cost: the machine is shared, so the rate alone says little.
Usage: .venv/bin/python bench/autoapprove_bench.py [--seconds 10] [--connections 8] [--workers 3] [--runs 3]
       [--conn-max-age 60] [--permission-cache 5]"""

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, bench_env, emit, log, median, psql, recreate_pg_database, server, wrk  # noqa: E402
from cpuacct import CpuMeter  # noqa: E402

DBNAME = f"onevisit_autoapprove_bench_{os.getpid()}"
LUA = str(Path(__file__).resolve().parent / "wrk" / "autoapprove.lua")
LOOKUP_LUA = str(Path(__file__).resolve().parent / "wrk" / "lookup.lua")
CODE = "331100-BENCH-0001"


def setup(db_url: str, licences: int) -> dict:
    os.environ.update(bench_env(db_url))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from onevisit.accounts.models import User
    from onevisit.catalog.services import item_create, item_publish
    from onevisit.datahub.schema import STANDARD_RESOURCES
    from onevisit.datahub.services import permission_grant, records_write, resource_create
    from onevisit.licences.services import licence_type_create
    from onevisit.orgs.models import Department, Region, RegionLevel
    from onevisit.rules.services import rule_set
    from onevisit.validators import make_credit_code, make_id_number

    call_command("migrate", verbosity=0, interactive=False)
    city = Region.objects.create(code="331100", name="丽水市", level=RegionLevel.CITY)
    police = Department.objects.create(name="公安局", credit_code=make_credit_code("11331100MB0000001"), region=city)
    transport = Department.objects.create(name="交通运输局", credit_code=make_credit_code("11331100MB0000002"),
                                          region=city)
    admin = User.objects.create_user(username="bench_admin", is_superuser=True)
    citizen = User.objects.create_user(username="bench_elder", password="bench-pass-1", real_name="王老伯",
                                       id_number=make_id_number("33250219500505123"))
    res = {k: resource_create(actor=admin, key=k, owner=police, **STANDARD_RESOURCES[k]) for k in ("population", "death")}
    records_write(actor=admin, resource=res["population"], source="bench", rows=[(citizen.id_number, {
        "name": "王老伯", "sex": "男", "birth_date": "1950-05-05", "household_address": "丽水市莲都区大洋路8号",
        "region_code": "331102"})])
    for r in res.values():
        permission_grant(actor=admin, department=transport, resource=r, fields=r.field_keys)
    licence_type_create(actor=admin, code="LNGJK", name="老年人公交优待卡", issuer=transport, holder_kind="id_number",
                        fields=[{"key": "name", "label": "姓名", "type": "string", "required": True},
                                {"key": "birth_date", "label": "出生日期", "type": "date", "required": True}],
                        validity_days=1825)
    item = item_create(actor=admin, data={
        "implementation_code": CODE, "name": "公交老年卡", "basic_code": "3307090010", "item_type": "public_service",
        "domain": "transport", "level": "city", "region": city, "department": transport, "targets": ["person"],
        "channels": ["online"], "legal_limit": 10, "promised_limit": 3, "promised_visits": 0,
        "legal_basis": "《老年人权益保障法》"}, children={
        "materials": [{"key": "id_card", "name": "居民身份证", "necessity": "required", "shared_data_key": "population"}],
        "fields": [{"key": "applicant_name", "label": "姓名", "field_type": "text", "prefill_key": "population.name"}]})
    rule_set(actor=admin, item=item, definition={"all": [
        {"fact": "population.birth_date", "op": "age_at_least", "value": 60}, {"fact": "death", "op": "absent"},
        {"fact": "population.region_code", "op": "starts_with", "value": "3311"}]},
        licence_type_code="LNGJK", licence_action="issue",
        licence_data={"name": "population.name", "birth_date": "population.birth_date"})
    item_publish(actor=admin, item=item)
    client = Client(enforce_csrf_checks=True)
    client.login(username="bench_elder", password="bench-pass-1")
    client.get("/api/v1/openapi.json")
    from django.middleware.csrf import _get_new_csrf_string

    csrf = _get_new_csrf_string()
    body = json.dumps({"item_code": CODE, "channel": "online",
                       "applicant": {"kind": "person", "name": "王老伯", "id_number": citizen.id_number}})
    connection.close()
    return {"cookie": f"sessionid={client.cookies['sessionid'].value}; csrftoken={csrf}", "csrf": csrf, "body": body}


def cpu_report(name: str, meter: CpuMeter, runs: list[dict]) -> None:
    """CPU per request (server workers + PostgreSQL backends) and the rate two otherwise idle cores could
    serve at that cost."""
    app_s, db_s = meter.stop()
    served = max(1, sum(r["requests"] for r in runs))
    per = (app_s + db_s) / served * 1000
    emit(f"{name}_cpu_ms_per_req", per, "ms", app_ms=round(app_s / served * 1000, 3),
         db_ms=round(db_s / served * 1000, 3))
    emit(f"{name}_rate_2_idle_cores", 2000 / per if per else 0.0, "req/s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--runs", type=int, default=1, help="runs of each measurement; the median is printed")
    parser.add_argument("--conn-max-age", default="60", help="DB_CONN_MAX_AGE of the server")
    parser.add_argument("--permission-cache", default="5", help="ONEVISIT_DATAHUB_PERMISSION_CACHE_SECONDS")
    parser.add_argument("--licences", type=int, default=0, help="unused; kept for a uniform command line")
    args = parser.parse_args()
    db_url = recreate_pg_database(DBNAME)
    try:
        state = setup(db_url, args.licences)
        env = bench_env(db_url, DB_CONN_MAX_AGE=args.conn_max_age,
                        ONEVISIT_DATAHUB_PERMISSION_CACHE_SECONDS=args.permission_cache)
        config = {"workers": args.workers, "connections": args.connections, "conn_max_age": args.conn_max_age,
                  "permission_cache_s": args.permission_cache}
        with server(env, workers=args.workers) as base:
            wenv = {"BENCH_BODY": state["body"], "BENCH_COOKIE": state["cookie"], "BENCH_CSRF": state["csrf"],
                    "BENCH_REFERER": base + "/"}
            wrk(base, script=LUA, connections=args.connections, seconds=2, env=wenv)  # warm-up
            log(f"auto-approvals: {args.runs} x {args.seconds} s, {config}")
            meter = CpuMeter(base, DBNAME)
            meter.start()
            runs = [wrk(base, script=LUA, connections=args.connections, seconds=args.seconds, env=wenv)
                    for _ in range(args.runs)]
            cpu_report("autoapprove", meter, runs)
            approved = psql("SELECT count(*) FROM rules_autodecision WHERE outcome = 'approved'", db_url=db_url)
            total = psql("SELECT count(*) FROM rules_autodecision", db_url=db_url)
            manual = psql("SELECT DISTINCT reasons::text FROM rules_autodecision WHERE outcome <> 'approved' LIMIT 5",
                          db_url=db_url)
            if manual:
                log(f"not approved: {manual}")
            extra = {"runs": [r["rate"] for r in runs], "errors": sum(r["errors"] for r in runs),
                     "non2xx": sum(r["non2xx"] for r in runs), "approved": int(approved), "decided": int(total),
                     **config}
            emit("autoapprove_rate", median([r["rate"] for r in runs]), "req/s", **extra)
            emit("autoapprove_p99_ms", median([r["p99_ms"] for r in runs]), "ms",
                 p50_ms=median([r["p50_ms"] for r in runs]))
            emit("autoapprove_rate_vs_aim", median([r["rate"] for r in runs]) / 200, "ratio")
            ids = psql("SELECT identifier FROM licences_licence ORDER BY id DESC LIMIT 2000", db_url=db_url).split()
            paths = Path(f"/tmp/{DBNAME}.paths")
            paths.write_text("\n".join(f"/api/v1/licences/verify/{i}" for i in ids) + "\n")
            try:
                meter.start()
                runs = [wrk(base, script=LOOKUP_LUA, connections=args.connections, seconds=args.seconds,
                            env={"BENCH_PATHS": str(paths), "BENCH_TOKEN": ""}) for _ in range(args.runs)]
                cpu_report("verify", meter, runs)
            finally:
                paths.unlink()
            emit("verify_rate", median([r["rate"] for r in runs]), "req/s", licences=len(ids),
                 runs=[r["rate"] for r in runs], errors=sum(r["errors"] for r in runs),
                 non2xx=sum(r["non2xx"] for r in runs))
            emit("verify_p99_ms", median([r["p99_ms"] for r in runs]), "ms", licences=len(ids))
    finally:
        psql(f'DROP DATABASE IF EXISTS "{DBNAME}" WITH (FORCE)')


if __name__ == "__main__":
    main()
