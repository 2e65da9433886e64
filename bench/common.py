"""Shared pieces of the benchmarks: a throwaway database, the production server in a subprocess,
wrk as the load generator in its own process, and the JSON-lines output format."""

import contextlib
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
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def emit(metric: str, value: float, unit: str, **extra) -> None:
    print(json.dumps({"metric": metric, "value": round(value, 3), "unit": unit, **extra}, ensure_ascii=False), flush=True)


def log(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_url(dbname: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + dbname


def psql(sql: str, *, db_url: str = PG_ADMIN_URL) -> str:
    out = subprocess.run(["psql", db_url, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql], check=True,
                         capture_output=True, text=True)
    return out.stdout.strip()


def recreate_pg_database(dbname: str) -> str:
    psql(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{dbname}"')
    return pg_url(dbname)


def manage(*args: str, env: dict) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)


def bench_env(db_url: str, **extra: str) -> dict:
    env = dict(os.environ)
    env.update({"DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "bench.settings", **extra})
    return env


@contextlib.contextmanager
def server(env: dict, *, workers: int, port: int | None = None, pids: list | None = None):
    """gunicorn (the production server of `make run`) on 127.0.0.1 in its own process group; the master's
    pid is appended to `pids` when given."""
    port = port or free_port()
    env = dict(env, ONEVISIT_BIND=f"127.0.0.1:{port}", ONEVISIT_WORKERS=str(workers))
    # The server's log goes to a file: a pipe nobody reads fills up and blocks every worker that logs.
    log_file = tempfile.NamedTemporaryFile(prefix="onevisit-bench-server-", suffix=".log", delete=False)
    proc = subprocess.Popen([GUNICORN, "-c", "gunicorn.conf.py"], cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=log_file)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/api/v1/openapi.json", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("server did not start: " + Path(log_file.name).read_text()[-2000:])
                time.sleep(0.3)
        if pids is not None:
            pids.append(proc.pid)
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        log_file.close()
        os.unlink(log_file.name)


def require_wrk() -> str:
    path = shutil.which("wrk")
    if not path:
        raise SystemExit("wrk is missing: `make bench` installs it (apt-get install -y wrk)")
    return path


def wrk(url: str, *, script: str, connections: int, seconds: int, env: dict | None = None, threads: int = 2) -> dict:
    """Run wrk with a Lua script whose done() prints one JSON line; return that object."""
    out = subprocess.run(
        [require_wrk(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", script, url],
        capture_output=True, text=True, env=dict(os.environ, **(env or {})), check=True,
    )
    for line in reversed(out.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError("wrk printed no result:\n" + out.stdout + out.stderr)


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
