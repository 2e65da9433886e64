"""CPU accounting for the HTTP benchmarks on a shared machine: the CPU seconds the server's workers and
the benchmark database's PostgreSQL backends spent during a run. Divided by the requests served, this is
the cost of one request, which other load on the machine does not change much (the request rate does)."""

import contextlib
import os
from pathlib import Path
from urllib.parse import urlparse

from common import psql

TICK = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def server_pids(base: str) -> list[int]:
    """gunicorn master and workers started by bench.common.server for this base URL."""
    bind = f"ONEVISIT_BIND=127.0.0.1:{urlparse(base).port}".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if bind in (entry / "environ").read_bytes().split(b"\0"):
                    pids.append(int(entry.name))
    return pids


def backend_pids(dbname: str) -> list[int]:
    out = psql(f"SELECT pid FROM pg_stat_activity WHERE datname = '{dbname}' AND pid <> pg_backend_pid()")
    return [int(p) for p in out.split()]


class CpuMeter:
    """meter = CpuMeter(base, dbname); meter.start(); ...run...; app_s, db_s = meter.stop()"""

    def __init__(self, base: str, dbname: str):
        self.base, self.dbname = base, dbname

    def _sample(self) -> dict:
        return {("app", p): _cpu(p) for p in server_pids(self.base)} | {
            ("db", p): _cpu(p) for p in backend_pids(self.dbname)}

    def start(self) -> None:
        self.before = self._sample()

    def stop(self) -> tuple[float, float]:
        after = self._sample()
        totals = {"app": 0.0, "db": 0.0}
        for key, value in after.items():
            totals[key[0]] += value - self.before.get(key, 0.0)  # a backend that appeared mid-run counts whole
        return totals["app"], totals["db"]
