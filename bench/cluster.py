"""A cluster on one machine: HAProxy in front of two web nodes (gunicorn), two Celery workers, Celery beat and
the event publisher, against the local PostgreSQL, RabbitMQ and Redis (docs/scaling.md).

    .venv/bin/python bench/cluster.py up        # `make cluster`: the demo data, runs until Ctrl-C
    .venv/bin/python bench/cluster.py killtest  # `make cluster-test`: load, SIGKILL a web node and a worker, check

The kill test (CI runs it once, in the PostgreSQL pass): a throwaway database, a webhook subscriber on this
machine subscribed to every department, submissions (multipart, an Idempotency-Key each, retried with the same
key after any failure) and acceptances through HAProxy from several client threads. Phase A measures the lag
from the client's answer of each transition (its commit came before) to the subscriber's receipt; in phase B one web node and one worker are SIGKILLed
mid-load and restarted. Then it checks that every acknowledged submission exists exactly once, that every event
of the outbox reached the subscriber at least once and, after dropping repeated ids, exactly once and in order
per case, and that `verify_history` passes. Prints JSON lines: event_lag_p50_ms, event_lag_p99_ms,
failover_lost (must be 0), and counts; exits 1 if anything was lost.

Environment: ONEVISIT_CLUSTER_PORT (8121: HAProxy; the web nodes and the subscriber take the next ports),
ONEVISIT_CLUSTER_AMQP_URL (amqp://guest:guest@127.0.0.1:5672/onevisit_cluster; the vhost is created with
rabbitmqctl when missing), ONEVISIT_CLUSTER_REDIS_URL (redis://127.0.0.1:6379/5), ONEVISIT_CLUSTER_DB
(onevisit_cluster), CLUSTER_PHASE_SECONDS (15), CLUSTER_CLIENTS (6)."""

from __future__ import annotations

import contextlib
import http.client
import http.server
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, emit, log, pg_url, psql  # noqa: E402

PY = str(ROOT / ".venv" / "bin" / "python")
BIN = ROOT / ".venv" / "bin"
BASE_PORT = int(os.environ.get("ONEVISIT_CLUSTER_PORT", "8121"))
AMQP_URL = os.environ.get("ONEVISIT_CLUSTER_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/onevisit_cluster")
REDIS_URL = os.environ.get("ONEVISIT_CLUSTER_REDIS_URL", "redis://127.0.0.1:6379/5")
DB = os.environ.get("ONEVISIT_CLUSTER_DB", "onevisit_cluster")
PHASE = float(os.environ.get("CLUSTER_PHASE_SECONDS", "15"))
CLIENTS = int(os.environ.get("CLUSTER_CLIENTS", "6"))
VAR = ROOT / "var" / "cluster"
SECRET = "cluster-subscriber-secret-" + "x" * 8


def ensure_vhost(url: str) -> None:
    vhost = url.rsplit("/", 1)[1] if url.count("/") >= 3 else ""
    if not vhost or not shutil.which("rabbitmqctl"):
        return
    listed = subprocess.run(["rabbitmqctl", "-q", "list_vhosts"], capture_output=True, text=True).stdout.split()
    if vhost not in listed:
        subprocess.run(["rabbitmqctl", "-q", "add_vhost", vhost], check=True)
        subprocess.run(["rabbitmqctl", "-q", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"], check=True)


def cluster_env(db_url: str) -> dict:
    VAR.mkdir(parents=True, exist_ok=True)
    secrets_file = VAR / "secrets.json"
    if not secrets_file.exists():
        secrets_file.write_text(json.dumps({"DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
                                            "ONEVISIT_KEY_ENCRYPTION_KEY": secrets.token_urlsafe(32)}))
    env = dict(os.environ)
    env.update(json.loads(secrets_file.read_text()))
    env.update({
        "DJANGO_SETTINGS_MODULE": "onevisit.settings", "DATABASE_URL": db_url, "ONEVISIT_AMQP_URL": AMQP_URL,
        "REDIS_URL": REDIS_URL, "ONEVISIT_CACHE_PREFIX": f"cluster-{DB}", "ONEVISIT_EVENTS_PUBLISHER": "process",
        "ONEVISIT_REACTION_DISPATCHER": "onevisit.events.tasks.dispatch_reactions",
        "ONEVISIT_NOTIFICATION_DISPATCHER": "onevisit.events.tasks.dispatch_notification",
        "ONEVISIT_WORKDAYS_UNKNOWN_YEAR_POLICY": "weekdays", "ONEVISIT_VAR_DIR": str(VAR),
        "ONEVISIT_PUBLIC_URL": f"http://127.0.0.1:{BASE_PORT}", "DB_CONN_MAX_AGE": "600",
        "ONEVISIT_WEBHOOK_LEASE_SECONDS": "6", "LOG_LEVEL": "WARNING",
    })
    return env


def haproxy_config(ports: list[int]) -> Path:
    servers = "\n".join(f"    server web{i} 127.0.0.1:{p} check" for i, p in enumerate(ports, start=1))
    cfg = VAR / "haproxy.cfg"
    cfg.write_text(f"""global
    maxconn 512
defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout check 5s
    retries 2
    option redispatch
frontend onevisit
    bind 127.0.0.1:{BASE_PORT}
    default_backend nodes
backend nodes
    balance roundrobin
    option httpchk GET /static/css/onevisit.css
    http-check expect status 200
    default-server inter 1s fall 3 rise 2
{servers}
""")
    return cfg


class Cluster:
    """The processes, each in its own process group (a SIGKILL takes a node with all its children)."""

    def __init__(self, env: dict):
        self.env = env
        self.procs: dict[str, subprocess.Popen] = {}
        self.web_ports = [BASE_PORT + 1, BASE_PORT + 2]
        (VAR / "logs").mkdir(parents=True, exist_ok=True)

    def command(self, name: str) -> tuple[list[str], dict]:
        env = dict(self.env)
        if name.startswith("web"):
            port = self.web_ports[int(name[3:]) - 1]
            env.update(ONEVISIT_BIND=f"127.0.0.1:{port}", ONEVISIT_WORKERS="2")
            return [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"], env
        if name.startswith("worker"):
            return [str(BIN / "celery"), "-A", "onevisit.celery", "worker", "-c", "2", "-n", f"{name}@%h",
                    "--loglevel", "WARNING", "--without-mingle", "--without-gossip"], env
        if name == "beat":
            return [str(BIN / "celery"), "-A", "onevisit.celery", "beat", "-s", str(VAR / "beat-schedule"),
                    "--loglevel", "WARNING"], env
        if name == "publisher":
            return [PY, "manage.py", "run_publisher"], env
        if name == "haproxy":
            return [shutil.which("haproxy") or "haproxy", "-f", str(haproxy_config(self.web_ports)), "-db"], env
        raise KeyError(name)

    def start(self, name: str) -> None:
        cmd, env = self.command(name)
        out = open(VAR / "logs" / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps it
        self.procs[name] = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def kill(self, name: str) -> None:
        """SIGKILL the whole process group: the node dies mid-request, mid-task, without a word."""
        proc = self.procs[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def up(self) -> None:
        for name in ("web1", "web2", "worker1", "worker2", "beat", "publisher", "haproxy"):
            self.start(name)
        deadline = time.monotonic() + 180
        for port in [*self.web_ports, BASE_PORT]:
            self.wait_http(f"http://127.0.0.1:{port}/static/css/onevisit.css", deadline)
        for port in self.web_ports:  # every worker of every node loads the API once before the load
            for _ in range(4):
                self.wait_http(f"http://127.0.0.1:{port}/api/v1/events/types", deadline, timeout=60)

    def wait_http(self, url: str, deadline: float, *, timeout: float = 2) -> None:
        import urllib.error

        while True:
            try:
                urllib.request.urlopen(url, timeout=timeout).read()
                return
            except urllib.error.HTTPError:  # answered (401 without a token): the node is up
                return
            except OSError:
                dead = [n for n, p in self.procs.items() if p.poll() is not None]
                if dead or time.monotonic() > deadline:
                    raise RuntimeError(f"cluster did not start ({url}; exited: {dead}); see {VAR / 'logs'}")
                time.sleep(0.3)

    def down(self) -> None:
        for proc in self.procs.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def prepare_database(env: dict) -> None:
    psql(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    psql(f'CREATE DATABASE "{DB}"')
    for args in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"], ["load_demo"]):
        subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    from onevisit.events.amqp import connect

    conn, channel = connect(AMQP_URL)
    with contextlib.suppress(Exception):
        channel.queue_purge("onevisit.tasks")
    conn.close()


# ------------------------------------------------------------------------------------------------
# The test subscriber: records every event with its receipt time


class Subscriber:
    def __init__(self, port: int):
        from onevisit.events.signing import SIGNATURE_HEADER, verify

        self.received: list[tuple[float, dict]] = []
        self.bad = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                now = time.time()
                if verify(SECRET, body, self.headers.get(SIGNATURE_HEADER, "")):
                    data = json.loads(body)
                    for e in data if isinstance(data, list) else [data]:
                        outer.received.append((now, e))
                    status = 200
                else:
                    outer.bad += 1
                    status = 401
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{port}/onevisit/events"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# ------------------------------------------------------------------------------------------------
# Load


class Client:
    """One department-system-like client: submits (retrying with its Idempotency-Key until acknowledged) and
    has the department accept what it submitted."""

    def __init__(self, base_port: int, fixture: dict, acks: dict, lock: threading.Lock, acked_at: dict):
        self.port, self.f, self.acks, self.lock, self.acked_at = base_port, fixture, acks, lock, acked_at
        self.conn = None
        self.errors = 0

    def request(self, method: str, path: str, body: bytes, headers: dict) -> tuple[int, bytes]:
        for _ in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                r = self.conn.getresponse()
                return r.status, r.read()
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
        return 0, b""

    def submit(self, stop_at: float) -> None:
        key = uuid.uuid4().hex
        boundary = "onevisit" + key[:12]
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="payload"\r\n\r\n'.encode()
                 + json.dumps(self.f["payload"], ensure_ascii=False).encode() + b"\r\n"]
        for k in self.f["material_keys"]:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"; filename="{k}.pdf"\r\n'
                         f"Content-Type: application/pdf\r\n\r\n".encode() + self.f["pdf"] + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers = {"Authorization": f"Bearer {self.f['citizen_token']}", "Idempotency-Key": key,
                   "Content-Type": f"multipart/form-data; boundary={boundary}"}
        case_id = None
        while case_id is None and time.monotonic() < stop_at + 60:
            status, data = self.request("POST", "/api/v1/cases/multipart", body, headers)
            if status in (200, 201):
                case_id = json.loads(data)["id"]
                with self.lock:
                    self.acks[key] = case_id
                    self.acked_at.setdefault((case_id, "submit"), time.time())
            else:
                self.errors += 1
                time.sleep(0.2)
        if case_id is None:
            return
        accept_headers = {"Authorization": f"Bearer {self.f['intake_token']}", "Content-Type": "application/json"}
        for _ in range(50):
            status, _ = self.request("POST", f"/api/v1/cases/{case_id}/accept", b"{}", accept_headers)
            if status == 200:
                self.acked_at.setdefault((case_id, "accept"), time.time())
            if status in (200, 409):  # 409: accepted already (the answer to an earlier try was lost)
                return
            self.errors += 1
            time.sleep(0.2)

    def run(self, stop_at: float) -> None:
        while time.monotonic() < stop_at:
            self.submit(stop_at)


def setup_fixture(sub_url: str) -> dict:
    from bench.prepare import MATERIAL_BYTES, form_for, pdf_of, pick_item
    from onevisit.accounts.models import ApiToken, User
    from onevisit.events.services import subscription_create
    from onevisit.orgs.models import Role, StaffRole

    item = pick_item()
    citizen = User.objects.get(username="citizen_li")
    intake = StaffRole.objects.filter(role=Role.REVIEWER, department_id=item.department_id).select_related("user").first()
    supervisor = StaffRole.objects.filter(role=Role.SUPERVISOR, department__isnull=True).select_related("user").first()
    subscription_create(actor=supervisor.user, data={"name": "测试订阅方（全部门）", "kind": "webhook",
                                                     "callback_url": sub_url, "secret": SECRET})
    return {
        "payload": {"item_code": item.implementation_code, "channel": "online", "form": form_for(item, citizen),
                    "applicant": {"kind": "person", "name": citizen.real_name, "id_number": citizen.id_number,
                                  "phone": "13857061234"}, "materials": {}},
        "material_keys": [m.key for m in item.materials.all()], "pdf": pdf_of(MATERIAL_BYTES, "cluster"),
        "citizen_token": ApiToken.issue(user=citizen, name="cluster test: app")[1],
        "intake_token": ApiToken.issue(user=intake.user, name="cluster test: department system")[1],
    }


ACKED_AT: dict = {}  # (case id, verb) -> when the client had the answer (the commit was before it)


def load(fixture: dict, seconds: float, acks: dict, *, during=None) -> int:
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    clients = [Client(BASE_PORT, fixture, acks, lock, ACKED_AT) for _ in range(CLIENTS)]
    threads = [threading.Thread(target=c.run, args=(stop_at,)) for c in clients]
    for t in threads:
        t.start()
    if during:
        during()
    for t in threads:
        t.join()
    return sum(c.errors for c in clients)


def drained(sub: Subscriber, timeout: float) -> bool:
    """Wait until everything in the outbox is published and the subscriber has every event id."""
    from onevisit.events.models import OutboxEvent

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ids = {str(u) for u in OutboxEvent.objects.values_list("event_id", flat=True)}
        got = {e["id"] for _, e in sub.received}
        pending_reactions = _pending_reactions()
        if ids and ids <= got and not OutboxEvent.objects.filter(published_at__isnull=True).exists() \
                and not pending_reactions:
            return True
        time.sleep(1)
    return False


def _pending_reactions() -> int:
    from onevisit.cases.models import CaseReaction

    return CaseReaction.objects.filter(done_at__isnull=True).count()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else 0.0


def lags_ms(sub: Subscriber, since: float, until: float) -> tuple[list[float], list[float]]:
    """Per event of phase A: receipt minus the moment the client had the transition's answer (the commit came
    before it: a close lower bound of commit-to-receipt), and receipt minus the event's own time (the start of
    the transition, before its work and its commit: an upper bound)."""
    import datetime as dt

    seen, from_ack, from_start = set(), [], []
    for received_at, e in sub.received:
        if e["id"] in seen:
            continue
        seen.add(e["id"])
        at = dt.datetime.fromisoformat(e["time"]).timestamp()
        if not since <= at <= until:
            continue
        from_start.append((received_at - at) * 1000)
        acked = ACKED_AT.get((e["data"]["case"]["id"], e["data"]["transition"]["verb"]))
        if acked is not None:
            from_ack.append((received_at - acked) * 1000)
    return from_ack, from_start


def check(sub: Subscriber, acks: dict) -> dict:
    from onevisit.cases.models import Case, IdempotencyKey
    from onevisit.events.models import OutboxEvent

    # Every acknowledged submission exists, once.
    ids = set(acks.values())
    existing = set(Case.objects.filter(pk__in=ids).values_list("pk", flat=True))
    keyed = IdempotencyKey.objects.filter(key__in=list(acks)).values_list("key", "case_id")
    lost_cases = len(ids - existing)
    # A case made by the load that no acknowledgement names: a retried request that created a second case.
    duplicated = sum(1 for k, c in keyed if acks.get(k) != c) + Case.objects.filter(
        pk__gt=_demo_count["n"]).exclude(pk__in=ids).count()
    # Every event reached the subscriber; after dropping repeated ids, once each, in order per case.
    outbox = {str(e): (p, s) for e, p, s in OutboxEvent.objects.values_list("event_id", "position", "subject")}
    first: dict[str, dict] = {}
    order: dict[str, list[int]] = {}
    for _, e in sub.received:
        if e["id"] in first:
            continue
        first[e["id"]] = e
        order.setdefault(e["subject"], []).append(e["position"])
    lost_events = len(set(outbox) - set(first))
    out_of_order = sum(1 for v in order.values() if v != sorted(v))
    verify = subprocess.run([PY, "manage.py", "verify_history"], cwd=ROOT, env=dict(os.environ),
                            capture_output=True, text=True)
    return {"acknowledged": len(acks), "lost_submissions": lost_cases, "duplicated_submissions": duplicated,
            "events": len(outbox), "deliveries": len(sub.received), "repeated_deliveries": len(sub.received) - len(first),
            "lost_events": lost_events, "cases_out_of_order": out_of_order, "bad_signatures": sub.bad,
            "verify_history": verify.returncode == 0, "verify_output": (verify.stdout + verify.stderr).strip()[-300:]}


_demo_count = {"n": 0}  # the highest case id before the load


def killtest() -> int:
    ensure_vhost(AMQP_URL)
    db_url = pg_url(DB)
    env = cluster_env(db_url)
    os.environ.update(env)
    log(f"database {DB}, broker {AMQP_URL}, redis {REDIS_URL}, HAProxy on {BASE_PORT}")
    started = time.monotonic()
    prepare_database(env)
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    sub = Subscriber(BASE_PORT + 3)
    fixture = setup_fixture(sub.url)
    from onevisit.cases.models import Case

    _demo_count["n"] = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    cluster = Cluster(env)
    failed = True
    try:
        cluster.up()
        log(f"cluster up in {time.monotonic() - started:.0f} s; phase A ({PHASE:.0f} s): load, no failure")
        acks: dict = {}
        t0 = time.time()
        errors_a = load(fixture, PHASE, acks)
        t1 = time.time()
        log(f"phase A: {len(acks)} acknowledged submissions, {errors_a} failed requests (retried)")

        def havoc():
            time.sleep(PHASE / 3)
            log("SIGKILL web1 and worker1")
            cluster.kill("web1")
            cluster.kill("worker1")
            time.sleep(3)
            log("restarting web1 and worker1")
            cluster.start("web1")
            cluster.start("worker1")

        n_a = len(acks)
        errors_b = load(fixture, PHASE, acks, during=havoc)
        log(f"phase B: {len(acks) - n_a} acknowledged submissions, {errors_b} failed requests (retried)")
        ok = drained(sub, timeout=120)
        log(f"drained: {ok} ({time.monotonic() - started:.0f} s since start)")
        lags, upper = lags_ms(sub, t0, t1)
        result = check(sub, acks)
        lost = result["lost_submissions"] + result["lost_events"]
        emit("event_lag_p50_ms", percentile(lags, 50), "ms", events=len(lags), since="the client's answer")
        emit("event_lag_p99_ms", percentile(lags, 99), "ms", events=len(lags), since="the client's answer")
        emit("event_lag_from_transition_start_p99_ms", percentile(upper, 99), "ms", events=len(upper))
        emit("cluster_submit_rate", n_a / PHASE, "submissions/s", nodes=2, clients=CLIENTS)
        emit("failover_lost", lost, "count", **{k: v for k, v in result.items() if k != "verify_output"})
        failed = bool(lost or result["duplicated_submissions"] or result["cases_out_of_order"]
                      or not result["verify_history"] or result["bad_signatures"] or not ok)
        if failed:
            log(f"FAILED: {json.dumps(result, ensure_ascii=False)}")
        else:
            log(f"kill test passed in {time.monotonic() - started:.0f} s")
    finally:
        cluster.down()
        sub.stop()
        from django.db import connections

        connections.close_all()
        if not os.environ.get("CLUSTER_KEEP_DB"):
            psql(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    return 1 if failed else 0


def up() -> int:
    ensure_vhost(AMQP_URL)
    db_url = os.environ.get("DATABASE_URL") or pg_url(DB)
    if not db_url.startswith("postgres"):
        raise SystemExit("the cluster needs PostgreSQL: DATABASE_URL=postgres://…")
    env = cluster_env(db_url)
    if not os.environ.get("DATABASE_URL"):
        with contextlib.suppress(subprocess.CalledProcessError):
            psql(f'CREATE DATABASE "{DB}"')
    for args in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"], ["load_demo"]):
        subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)
    cluster = Cluster(env)
    cluster.up()
    print(f"集群已启动：http://127.0.0.1:{BASE_PORT}/ （HAProxy → web1 :{BASE_PORT + 1}、web2 :{BASE_PORT + 2}）；"
          f"两个任务进程、定时任务、事件发布进程；日志在 {VAR / 'logs'}。Ctrl-C 停止。", flush=True)
    try:
        while True:
            time.sleep(1)
            for name, proc in list(cluster.procs.items()):
                if proc.poll() is not None:
                    print(f"{name} 已退出（{proc.returncode}），重新启动", flush=True)
                    cluster.start(name)
    except KeyboardInterrupt:
        pass
    finally:
        cluster.down()
    return 0


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else ""
    if what == "up":
        raise SystemExit(up())
    if what == "killtest":
        raise SystemExit(killtest())
    raise SystemExit("usage: bench/cluster.py up | killtest")
