"""Latency and rate of the 办事指南 (guide) endpoints under gunicorn, against a throwaway database.

    .venv/bin/python bench/guide_latency.py [--items 2000] [--seconds 4] [--threads 4]

With DATABASE_URL pointing at PostgreSQL it uses a database onevisit_bench_guide on that server
(created, then dropped); otherwise an SQLite file in a temporary directory. It seeds N published
items (one made through the services, the rest copied in bulk with their materials, fields and
steps), starts `.venv/bin/gunicorn -c gunicorn.conf.py` on a free port, sends sequential and then
concurrent requests for a few seconds each to /api/v1/items/{code}/guide and /guide/items/{code}/,
prints one JSON line per metric, stops the server and drops the database."""

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "onevisit_bench_guide"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


def prepare_database(tmp: Path) -> tuple[str, callable]:
    """Return the benchmark DATABASE_URL and a function that drops it."""
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith(("postgres://", "postgresql://")):
        admin = base
        bench = base.rsplit("/", 1)[0] + "/" + BENCH_DB
        pg_admin(admin, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        pg_admin(admin, f"CREATE DATABASE {BENCH_DB}")
        return bench, lambda: pg_admin(admin, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    return f"sqlite:///{tmp / 'bench.sqlite3'}", lambda: None


def seed(n: int) -> list[str]:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)

    from django.db import connection, transaction

    from onevisit.accounts.models import User
    from onevisit.catalog import services
    from onevisit.catalog.models import FormField, Material, ProcedureStep, ServiceItem, SpecialProcedure
    from onevisit.orgs.models import Department, Region, RegionLevel
    from onevisit.validators import make_credit_code

    province = Region.objects.create(code="330000", name="浙江省", level=RegionLevel.PROVINCE)
    city = Region.objects.create(code="331100", name="丽水市", level=RegionLevel.CITY, parent=province)
    dept = Department.objects.create(name="丽水市市场监督管理局", credit_code=make_credit_code("11331100MB1000001"),
                                     region=city)
    admin = User.objects.create_user(username="bench", password="x", is_superuser=True, is_staff=True)
    materials = [
        {"key": f"m{i}", "name": f"申请材料{i}", "necessity": "required", "standard": "原件核验，复印件留存",
         "shared_data_key": "population.id_card" if i == 0 else ""}
        for i in range(6)
    ]
    fields = [{"key": f"f{i}", "label": f"填写项{i}", "field_type": "text"} for i in range(8)]
    template = services.item_create(actor=admin, data={
        "implementation_code": "331100-B-000000", "name": "基准事项 设立登记", "basic_code": "000101001",
        "item_type": "licensing", "level": "city", "region": city, "department": dept, "targets": ["person"],
        "legal_limit": 20, "promised_limit": 3, "promised_visits": 0, "channels": ["window", "online"],
        "legal_basis": "《市场主体登记管理条例》" * 5, "conditions": "具备完全民事行为能力" * 5,
        "place": "丽水市民服务中心", "hours": "工作日 9:00-17:00",
    }, children={"materials": materials, "fields": fields,
                 "special_procedures": [{"kind": "site_survey", "cap": 5}]})
    template = services.item_publish(actor=admin, item=template)
    codes = ["331100-B-000000"]
    children = {Material: list(template.materials.all()), FormField: list(template.fields.all()),
                ProcedureStep: list(template.steps.all()), SpecialProcedure: list(template.special_procedures.all())}
    batch = 500
    for start in range(1, n, batch):
        with transaction.atomic():
            rows = []
            for i in range(start, min(n, start + batch)):
                row = ServiceItem.objects.get(pk=template.pk)
                row.pk, row.implementation_code, row.name = None, f"331100-B-{i:06d}", f"基准事项{i} 设立登记"
                rows.append(row)
            made = ServiceItem.objects.bulk_create(rows)
            if connection.vendor != "postgresql":  # SQLite bulk_create returns pks on 3.35+, but be sure
                made = list(ServiceItem.objects.filter(implementation_code__in=[r.implementation_code for r in rows]))
            for model, objs in children.items():
                copies = []
                for item in made:
                    for obj in objs:
                        copy = model(
                            **{f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.name != "id"}
                        )
                        copy.item_id = item.pk
                        copies.append(copy)
                model.objects.bulk_create(copies, batch_size=2000)
            codes += [r.implementation_code for r in made]
    connection.close()
    return codes


def get(port: int, path: str) -> tuple[int, float]:
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, (time.perf_counter() - t0) * 1000


def run_load(port: int, paths: list[str], seconds: float, threads: int) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(seed_: int) -> None:
        rng = random.Random(seed_)
        local, bad = [], 0
        while time.perf_counter() < deadline:
            status, ms = get(port, rng.choice(paths))
            local.append(ms)
            bad += status != 200
        with lock:
            latencies.extend(local)
            failures[0] += bad

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return latencies, failures[0], time.perf_counter() - started


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * p))], 2)


def emit(metric: str, value, unit: str, **extra) -> None:
    print(json.dumps({"metric": metric, "value": value, "unit": unit, **extra}, ensure_ascii=False), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="onevisit-bench-"))
    url, drop = prepare_database(tmp)
    env = {**os.environ, "DATABASE_URL": url, "ONEVISIT_VAR_DIR": str(tmp), "DJANGO_DEBUG": "0",
           "DJANGO_SETTINGS_MODULE": "onevisit.settings"}
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    server = None
    try:
        t0 = time.perf_counter()
        codes = seed(args.items)
        emit("guide_seed_s", round(time.perf_counter() - t0, 1), "s", items=len(codes))
        port = free_port()
        server = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "-c", "gunicorn.conf.py"], cwd=ROOT,
            env={**env, "ONEVISIT_BIND": f"127.0.0.1:{port}"}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                if get(port, "/api/v1/items?limit=1")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start")
        api = [f"/api/v1/items/{c}/guide" for c in codes]
        html = [f"/guide/items/{c}/" for c in codes]
        backend = "postgresql" if url.startswith("postgres") else "sqlite"
        for name, paths in (("guide_api", api), ("guide_html", html)):
            run_load(port, paths, 0.5, 1)  # warm the workers
            seq, bad_seq, _ = run_load(port, paths, args.seconds, 1)
            emit(f"{name}_sequential_p50_ms", pct(seq, 0.5), "ms", requests=len(seq), db=backend)
            lat, bad, elapsed = run_load(port, paths, args.seconds, args.threads)
            common = {"threads": args.threads, "requests": len(lat), "errors": bad + bad_seq, "db": backend,
                      "items": len(codes)}
            emit(f"{name}_p50_ms", pct(lat, 0.5), "ms", **common)
            emit(f"{name}_p99_ms", pct(lat, 0.99), "ms", **common)
            emit(f"{name}_rate", round(len(lat) / elapsed, 1), "req/s", **common)
            emit(f"{name}_mean_ms", round(statistics.fmean(lat), 2), "ms", **common)
        return 0
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 - Django may not be set up if seeding failed early
            pass
        drop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
