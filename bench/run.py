"""`make bench`: the case engine under load on PostgreSQL (issue 3, item 16).

Creates a throwaway database, migrates, loads the demo, generates BENCH_CASES synthetic cases (default
1,000,000), starts gunicorn (sync workers, 1.5 x cores) on 127.0.0.1 and drives it with wrk in its own
process. Prints one JSON object per line {"metric", "value", "unit"}; progress goes to stderr.

Environment: BENCH_CASES (1000000), BENCH_RUNS (3 repeated runs, medians reported), BENCH_SECONDS (15 per
run), BENCH_CONNECTIONS (8), BENCH_WORKERS (1.5 x cores), BENCH_KEEP_DB=1 to keep the database, BENCH_DB
(onevisit_bench) its name, BENCH_CONN_MAX_AGE (600: persistent connections, as gunicorn.conf.py sets).

Iterating: `BENCH_KEEP_DB=1 make bench` once, then `.venv/bin/python bench/run.py --reuse-db --only
worklist,accept` (or BENCH_REUSE=1 BENCH_ONLY=worklist,accept) measures only those parts against the kept
database (migrated, not regenerated; a reused database is kept). Parts: submit, floor, pgbench, accept,
worklist. BENCH_PYSPY=<dir> records py-spy stacks of one worker during each measured part (collapsed stacks; with
BENCH_PYSPY_FORMAT=flamegraph an SVG). py-spy is not a project dependency: `.venv/bin/pip install py-spy`."""

import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    PY,
    ROOT,
    bench_env,
    emit,
    log,
    manage,
    median,
    pg_url,
    psql,
    recreate_pg_database,
    require_wrk,
    server,
    wrk,
)

DB = os.environ.get("BENCH_DB", "onevisit_bench")
PARTS = ("submit", "floor", "pgbench", "accept", "worklist")
LUA = ROOT / "bench" / "wrk"
CASES = int(os.environ.get("BENCH_CASES", "1000000"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
WORKERS = int(os.environ.get("BENCH_WORKERS", max(2, int((os.cpu_count() or 2) * 1.5))))


def multipart_body(payload: dict, files: dict[str, bytes], boundary: str) -> bytes:
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="payload"\r\n\r\n'.encode()
             + json.dumps(payload, ensure_ascii=False).encode() + b"\r\n"]
    for key, content in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; filename="{key}.pdf"\r\n'
                     f"Content-Type: application/pdf\r\n\r\n".encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


def good(result: dict) -> float:
    """Successful requests per second (wrk's errors include non-2xx answers)."""
    return max(result["requests"] - result["errors"], 0) / result["seconds"]


def pgbench(script: Path, db_url: str, *, clients: int, seconds: int) -> float:
    out = subprocess.run(["pgbench", "-n", "-c", str(clients), "-j", "2", "-T", str(seconds), "-f", str(script),
                          db_url], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError("pgbench failed:\n" + out.stdout[-2000:] + out.stderr[-2000:])
    found = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out.stdout) or re.search(
        r"tps = ([\d.]+)", out.stdout)
    return float(found.group(1))


def explain_worklist(env: dict, department: int) -> str:
    code = (
        "import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','onevisit.settings');django.setup()\n"
        "from onevisit.cases.models import HANDLING, Case\n"
        f"qs=Case.objects.filter(status__in=HANDLING, department_id={department}, promised_due__isnull=False)"
        ".order_by('promised_due','id')[:21]\n"
        "print(qs.explain(analyze=True))\n"
    )
    return subprocess.run([PY, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout


def options(argv: list[str]) -> tuple[set[str], bool]:
    only = os.environ.get("BENCH_ONLY", "")
    reuse = os.environ.get("BENCH_REUSE") == "1"
    args = iter(argv)
    for arg in args:
        if arg == "--reuse-db":
            reuse = True
        elif arg == "--only":
            only = next(args, "")
        elif arg.startswith("--only="):
            only = arg.split("=", 1)[1]
        else:
            raise SystemExit(f"unknown argument {arg!r}: bench/run.py [--reuse-db] [--only {','.join(PARTS)}]")
    parts = {p.strip() for p in only.split(",") if p.strip()} or set(PARTS)
    if parts - set(PARTS):
        raise SystemExit(f"unknown parts {sorted(parts - set(PARTS))}; choose among {', '.join(PARTS)}")
    return parts, reuse


def worker_pids(master: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True)
    return [int(x) for x in out.stdout.split()]


@contextlib.contextmanager
def pyspy(kind: str, master: int, seconds: int):
    """With BENCH_PYSPY=<dir>: a flame graph of the first worker while `kind` runs."""
    target = os.environ.get("BENCH_PYSPY")
    pids = worker_pids(master) if target else []
    if not pids:
        yield
        return
    Path(target).mkdir(parents=True, exist_ok=True)
    fmt = os.environ.get("BENCH_PYSPY_FORMAT", "raw")  # raw: collapsed stacks (grep-able); or flamegraph
    out = Path(target) / f"{kind}-{time.strftime('%H%M%S')}.{'txt' if fmt == 'raw' else 'svg'}"
    proc = subprocess.Popen([str(Path(PY).parent / "py-spy"), "record", "--nonblocking", "-r", "200", "-d",
                             str(seconds), "-f", fmt, "-o", str(out), "--pid", str(pids[0])],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        proc.wait(timeout=seconds + 30)
        log(f"py-spy: {out}")


def main() -> None:
    require_wrk()
    parts, reuse = options(sys.argv[1:])
    started = time.monotonic()
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB}'") == "1"
    if reuse and not exists:
        raise SystemExit(f"--reuse-db: database {DB} does not exist; run once with BENCH_KEEP_DB=1")
    db_url = pg_url(DB) if reuse else recreate_pg_database(DB)
    work = Path(tempfile.mkdtemp(prefix="onevisit-bench-"))
    env = bench_env(
        db_url,
        DB_CONN_MAX_AGE=os.environ.get("BENCH_CONN_MAX_AGE", "600"), ONEVISIT_MEDIA_ROOT=str(work / "media"),
        ONEVISIT_VAR_DIR=str(work), ONEVISIT_WORKDAYS_UNKNOWN_YEAR_POLICY="weekdays", DJANGO_DEBUG="false",
    )
    try:
        if reuse:
            log(f"database {DB} reused ({psql('SELECT count(*) FROM cases_case', db_url=db_url)} cases): migrate only")
            manage("migrate", "--noinput", "-v0", env=env)
        else:
            log(f"database {DB}: migrate, load_demo, generate_cases --count {CASES}")
            manage("migrate", "--noinput", "-v0", env=env)
            subprocess.run([PY, "manage.py", "load_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
            t0 = time.monotonic()
            subprocess.run([PY, "manage.py", "generate_cases", "--count", str(CASES)], cwd=ROOT, env=env,
                           check=True, stdout=sys.stderr)
            generated = time.monotonic() - t0
            emit("generate_rate", CASES / generated, "cases/s", cases=CASES, seconds=round(generated, 1))
            psql("VACUUM ANALYZE", db_url=db_url)
        prep = json.loads(subprocess.run([PY, str(ROOT / "bench" / "prepare.py"), str(work)], cwd=ROOT, env=env,
                                         check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
        log(f"submitting {prep['item_name']} ({prep['item_code']}); worklist of department "
            f"{prep['worklist_department']} with {prep['worklist_department_cases']} cases in hand")
        boundary = "----onevisit" + uuid.uuid4().hex
        files = {k: (work / f"{k}.pdf").read_bytes() for k in prep["material_keys"]}
        body = work / "submit.body"
        body.write_bytes(multipart_body(prep["payload"], files, boundary))
        common = {"BENCH_LUA_DIR": str(LUA), "BENCH_BODY": str(body), "BENCH_BOUNDARY": boundary}
        results: dict[str, list] = {part: [] for part in PARTS}
        masters: list[int] = []
        with server(env, workers=WORKERS, pids=masters) as base:
            master = masters[0]
            log(f"gunicorn with {WORKERS} sync workers at {base}; wrk with {CONNECTIONS} connections; "
                f"parts: {', '.join(p for p in PARTS if p in parts)}")

            def drive(kind: str, path: str, seconds: int, *, measured: bool = True) -> dict:
                lua = {"submit": "submit.lua", "floor": "submit.lua", "accept": "accept.lua",
                       "worklist": "get.lua"}[kind]
                token = {"submit": prep["citizen_token"], "floor": prep["citizen_token"],
                         "accept": prep["intake_token"], "worklist": prep["reviewer_token"]}[kind]
                extra = dict(common, BENCH_PATH=path, BENCH_TOKEN=token, BENCH_RUN=uuid.uuid4().hex[:8],
                             BENCH_THREADS="2", BENCH_IDS=str(work / "accept.ids"))
                with pyspy(kind, master, seconds) if measured else contextlib.nullcontext():
                    return wrk(base + path, script=str(LUA / lua), connections=CONNECTIONS, seconds=seconds,
                               env=extra)

            # warm-up: workers, connections, caches; accept needs freshly submitted cases in any case
            drive("submit", "/api/v1/cases/multipart", 3 if parts & {"submit", "floor", "pgbench"} else 6,
                  measured=False)
            if "floor" in parts:
                drive("floor", "/api/v1/bench/floor", 2, measured=False)
            for run in range(RUNS):
                for kind, path in (("submit", "/api/v1/cases/multipart"), ("floor", "/api/v1/bench/floor")):
                    if kind not in parts:
                        continue
                    r = drive(kind, path, SECONDS)
                    results[kind].append(r)
                    log(f"run {run + 1} {kind}: {good(r):.0f}/s p50 {r['p50_ms']:.1f} ms p99 {r['p99_ms']:.1f} ms "
                        f"errors {r['errors']}")
                if "pgbench" in parts:
                    tps = pgbench(work / "submit.pgbench", db_url, clients=CONNECTIONS,
                                  seconds=max(SECONDS // 2, 5))
                    results["pgbench"].append(tps)
                    log(f"run {run + 1} pgbench: {tps:.0f} tps")
            if "accept" in parts:
                ids = psql(f"SELECT id FROM cases_case WHERE id > {prep['max_case_id']} AND status = 'pre_review' "
                           f"AND item_code = '{prep['item_code']}' AND contact_address <> 'bench floor' ORDER BY id",
                           db_url=db_url).split()
                (work / "accept.ids").write_text("\n".join(ids) + "\n")
                log(f"{len(ids)} submitted cases to accept")
                per_run = max(len(ids) // RUNS, 1)
                for run in range(RUNS):
                    chunk = ids[run * per_run:(run + 1) * per_run]
                    (work / "accept.ids").write_text("\n".join(chunk) + "\n")
                    r = drive("accept", "/api/v1/cases/0/accept", min(SECONDS, 8))
                    results["accept"].append(r)
                    log(f"run {run + 1} accept: {good(r):.0f}/s p99 {r['p99_ms']:.1f} ms errors {r['errors']} "
                        f"(of {len(chunk)} cases)")
            if "worklist" in parts:
                path = "/api/v1/worklists/reviewer?limit=20"
                drive("worklist", path, 2, measured=False)
                for run in range(RUNS):
                    r = drive("worklist", path, min(SECONDS, 10))
                    results["worklist"].append(r)
                    log(f"run {run + 1} worklist: {good(r):.0f}/s p50 {r['p50_ms']:.1f} ms "
                        f"p99 {r['p99_ms']:.1f} ms errors {r['errors']}")

        def med(kind: str, key: str) -> float:
            return median([r[key] for r in results[kind]])

        cases = int(psql("SELECT count(*) FROM cases_case", db_url=db_url))
        emit("cases_in_database", cases, "cases")
        if results["submit"]:
            submit_rate = median([good(r) for r in results["submit"]])
            emit("submit_rate", submit_rate, "req/s", connections=CONNECTIONS, workers=WORKERS, runs=RUNS,
                 material_kb=round(sum(len(v) for v in files.values()) / 3 / 1024, 1))
            emit("submit_p50_ms", med("submit", "p50_ms"), "ms")
            emit("submit_p99_ms", med("submit", "p99_ms"), "ms")
            emit("submit_errors", sum(r["errors"] for r in results["submit"]), "requests")
        if results["accept"]:
            emit("accept_rate", median([good(r) for r in results["accept"]]), "req/s")
            emit("accept_p50_ms", med("accept", "p50_ms"), "ms")
            emit("accept_p99_ms", med("accept", "p99_ms"), "ms")
        if results["worklist"]:
            plan = explain_worklist(env, prep["worklist_department"])
            log("worklist plan:\n" + plan)
            emit("worklist_rate", median([good(r) for r in results["worklist"]]), "req/s")
            emit("worklist_p50_ms", med("worklist", "p50_ms"), "ms")
            emit("worklist_p99_ms", med("worklist", "p99_ms"), "ms")
            emit("worklist_plan_index_scan", 1.0 if "cases_wl_handling" in plan and "Sort" not in plan else 0.0,
                 "bool")
        if results["pgbench"]:
            pg_tps = median(results["pgbench"])
            emit("pgbench_equiv_tps", pg_tps, "tx/s", clients=CONNECTIONS)
            if results["submit"]:
                emit("submit_vs_pgbench", submit_rate / pg_tps, "ratio")
        if results["floor"]:
            floor_rate = median([good(r) for r in results["floor"]])
            emit("floor_rate", floor_rate, "req/s")
            emit("floor_p99_ms", med("floor", "p99_ms"), "ms")
            if results["submit"]:
                emit("submit_vs_floor", submit_rate / floor_rate, "ratio")
        emit("bench_seconds", time.monotonic() - started, "s")
    finally:
        if os.environ.get("BENCH_KEEP_DB") != "1" and not reuse:
            psql(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')


if __name__ == "__main__":
    main()
