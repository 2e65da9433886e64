"""The cost of one case on one node (docs/scaling.md): an online submission with 3 uploaded PDF materials and
its acceptance by the department, through the same HTTP stack in-process (Django's test client: routing,
ninja, token auth, multipart, services), on a throwaway PostgreSQL database with the demo loaded.

Per case: CPU ms of the Python process and of its PostgreSQL backend (from /proc, so other load on the machine
does not count), SQL statements, and bytes added to the database (tables and indexes) and to file storage;
and the outbox's share: its statement, its bytes, the CPU of its listener (timed around every call).
Prints JSON lines. Usage: .venv/bin/python bench/cost_per_case.py [--cases 300]"""

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, emit, log, psql, recreate_pg_database  # noqa: E402
from cpuacct import _cpu  # noqa: E402

DB = f"onevisit_cost_bench_{os.getpid()}"


def db_bytes() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n"
                    " ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')"
                    " AND NOT c.relispartition")
        sizes = dict(cur.fetchall())
        cur.execute("SELECT i.inhparent::regclass::text, sum(pg_total_relation_size(i.inhrelid)) FROM pg_inherits i"
                    " GROUP BY 1")
        for parent, total in cur.fetchall():
            sizes[parent] = sizes.get(parent, 0) + int(total)
    return sizes


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=300)
    args = ap.parse_args()
    media = tempfile.mkdtemp(prefix="onevisit-cost-")
    db_url = recreate_pg_database(DB)
    os.environ.update({"DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "onevisit.settings", "DB_CONN_MAX_AGE": "600",
                       "ONEVISIT_WORKDAYS_UNKNOWN_YEAR_POLICY": "weekdays", "ONEVISIT_MEDIA_ROOT": media,
                       "ONEVISIT_EVENTS_PUBLISHER": "process", "ONEVISIT_TASKS_BROKER_URL": "",
                       })
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench.prepare import MATERIAL_BYTES, form_for, pdf_of, pick_item
    from onevisit.accounts.models import ApiToken, User
    from onevisit.cases import hooks
    from onevisit.events import outbox
    from onevisit.orgs.models import Role, StaffRole

    try:
        call_command("migrate", verbosity=0, interactive=False)
        call_command("load_demo", verbosity=0, stdout=io.StringIO())
        item = pick_item()
        citizen = User.objects.get(username="citizen_li")
        intake = StaffRole.objects.filter(role=Role.REVIEWER, department_id=item.department_id).first().user
        citizen_auth = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=citizen, name='cost')[1]}"}
        intake_auth = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user=intake, name='cost')[1]}"}
        import json

        payload = json.dumps({"item_code": item.implementation_code, "channel": "online",
                              "form": form_for(item, citizen), "materials": {},
                              "applicant": {"kind": "person", "name": citizen.real_name, "id_number": citizen.id_number,
                                            "phone": "13857061234"}}, ensure_ascii=False)
        keys = [m.key for m in item.materials.all()]
        pdf = pdf_of(MATERIAL_BYTES, "cost")
        client = Client()
        # The outbox listener, timed around every call (the registered function is replaced by a timed one).
        spent = {"s": 0.0, "cpu": 0.0, "n": 0}
        original = outbox.on_case_moved

        def timed(moved):
            t, c = time.perf_counter(), time.thread_time()
            original(moved)
            spent["s"] += time.perf_counter() - t
            spent["cpu"] += time.thread_time() - c
            spent["n"] += 1

        hooks.registry.listeners = [(v, timed if fn is original else fn) for v, fn in hooks.registry.listeners]

        def one(i: int) -> None:
            from django.core.files.uploadedfile import SimpleUploadedFile

            files = {k: SimpleUploadedFile(f"{k}.pdf", pdf, content_type="application/pdf") for k in keys}
            r = client.post("/api/v1/cases/multipart", {"payload": payload, **files}, **citizen_auth,
                            HTTP_IDEMPOTENCY_KEY=f"cost-{i}")
            assert r.status_code == 201, r.content[:500]
            case_id = r.json()["id"]
            r = client.post(f"/api/v1/cases/{case_id}/accept", "{}", content_type="application/json", **intake_auth)
            assert r.status_code == 200, r.content[:500]

        for i in range(20):  # warm up (caches, connections, the first partition pages)
            one(-i - 1)
        connection.ensure_connection()
        with connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            backend = cur.fetchone()[0]
        before_bytes = db_bytes()
        before_files = sum(f.stat().st_size for f in Path(media).rglob("*") if f.is_file())
        spent.update(s=0.0, cpu=0.0, n=0)
        counts = {"all": 0, "outbox": 0}

        def count(execute, sql, params, many, context):
            counts["all"] += 1
            counts["outbox"] += sql.startswith('INSERT INTO "events_outboxevent"')
            return execute(sql, params, many, context)

        cpu0, pg0, wall0 = time.process_time(), _cpu(backend), time.perf_counter()
        with connection.execute_wrapper(count):
            for i in range(args.cases):
                one(i)
        cpu1, pg1, wall1 = time.process_time(), _cpu(backend), time.perf_counter()
        after_bytes = db_bytes()
        after_files = sum(f.stat().st_size for f in Path(media).rglob("*") if f.is_file())
        n = args.cases
        growth = {t: after_bytes.get(t, 0) - before_bytes.get(t, 0) for t in after_bytes}
        statements, outbox_statements = counts["all"], counts["outbox"]
        emit("case_cpu_ms_python", (cpu1 - cpu0) * 1000 / n, "ms/case", note="submission + acceptance, in-process")
        emit("case_cpu_ms_postgres", (pg1 - pg0) * 1000 / n, "ms/case")
        emit("case_wall_ms", (wall1 - wall0) * 1000 / n, "ms/case")
        emit("case_statements", statements / n, "statements/case")
        emit("case_db_bytes", sum(growth.values()) / n, "bytes/case",
             top={k: round(v / n) for k, v in sorted(growth.items(), key=lambda kv: -kv[1])[:8]})
        emit("case_file_bytes", (after_files - before_files) / n, "bytes/case")
        emit("outbox_statements_per_case", outbox_statements / n, "statements/case")
        emit("outbox_bytes_per_case", growth.get("events_outboxevent", 0) / n, "bytes/case")
        emit("outbox_listener_cpu_us", spent["cpu"] * 1e6 / max(spent["n"], 1), "us/event", events=spent["n"],
             note="Python CPU of building the event and issuing its INSERT")
        emit("outbox_listener_wall_us", spent["s"] * 1e6 / max(spent["n"], 1), "us/event", events=spent["n"],
             note="with the INSERT's round trip; follows the machine's load")
        log(f"{n} cases: {statements} statements; growth by table: "
            + ", ".join(f"{k} {v // n}" for k, v in sorted(growth.items(), key=lambda kv: -kv[1])[:10]))
    finally:
        connection.close()
        psql(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')


if __name__ == "__main__":
    main()
