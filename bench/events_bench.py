"""Events: how fast the outbox moves to RabbitMQ and how fast signed webhooks go out (docs/scaling.md).

On a throwaway PostgreSQL database: N events written through outbox_publish (as transitions write them), then
- publish_rate: the publisher (sequencing + persistent messages to the topic exchange, publisher confirms,
  marking) moving all N, events per second (a durable queue bound to the exchange keeps the messages, so the
  broker really stores them);
- webhook_rate: one webhook subscription delivering all N to a subscriber on this machine (a separate process
  that checks each HMAC-SHA256 signature), one event per signed POST, in order; webhook_batch_event_rate the
  same with 50 events per POST.
Medians of --runs. Broker: ONEVISIT_BENCH_AMQP_URL (amqp://guest:guest@127.0.0.1:5672/onevisit_bench_events,
the vhost created with rabbitmqctl when missing). Prints JSON lines.
Usage: .venv/bin/python bench/events_bench.py [--events 20000] [--runs 3]"""

import argparse
import contextlib
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cluster import ensure_vhost  # noqa: E402
from common import ROOT, emit, free_port, log, median, psql, recreate_pg_database  # noqa: E402
from cpuacct import _cpu  # noqa: E402

AMQP_URL = os.environ.get("ONEVISIT_BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/onevisit_bench_events")
DB = f"onevisit_events_bench_{os.getpid()}"
SECRET = "bench-subscriber-secret-0123456789"

SUBSCRIBER = textwrap.dedent(f"""
    import http.server, sys
    sys.path.insert(0, {str(ROOT)!r})
    from onevisit.events.signing import verify
    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            ok = verify({SECRET!r}, body, self.headers.get("X-OneVisit-Signature", ""))
            self.send_response(200 if ok else 401)
            self.send_header("Content-Length", "0")
            self.end_headers()
        def log_message(self, *a):
            pass
    http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
""")


def write_events(n: int) -> None:
    from django.db import transaction

    from onevisit.events.models import OutboxEvent
    from onevisit.events.outbox import outbox_publish

    OutboxEvent.objects.all().delete()
    data = {"case": {"number": "X", "status": "submitted", "item_code": "330000-BENCH-0001", "applicant_name": "张三",
                     "submitted_at": "2026-12-01T10:00:00.000+08:00"},
            "transition": {"verb": "submit", "from": None, "to": "submitted", "seq": 1, "facts": {"channel": "online"}}}
    for start in range(0, n, 1000):
        with transaction.atomic():
            for i in range(start, min(start + 1000, n)):
                outbox_publish(type="cn.onevisit.case.submitted", subject=f"330000-BENCH-000120261201{i % 2000:06d}",
                               data=data, item_code="330000-BENCH-0001")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=20000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    ensure_vhost(AMQP_URL)
    db_url = recreate_pg_database(DB)
    os.environ.update({"DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "onevisit.settings",
                       "ONEVISIT_AMQP_URL": AMQP_URL, "ONEVISIT_EVENTS_PUBLISHER": "process",
                       "ONEVISIT_TASKS_BROKER_URL": ""})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from onevisit.events.amqp import connect, declare_exchange
    from onevisit.events.models import Subscription
    from onevisit.events.publisher import Publisher
    from onevisit.events.webhooks import deliver

    call_command("migrate", verbosity=0, interactive=False)
    conn, channel = connect(AMQP_URL)
    declare_exchange(channel)
    channel.queue_declare("bench.all", durable=True, auto_delete=False)
    channel.queue_bind("bench.all", exchange="onevisit.events", routing_key="#")
    port = free_port()
    subscriber = subprocess.Popen([sys.executable, "-c", SUBSCRIBER, str(port)], cwd=ROOT)
    import socket

    for _ in range(100):  # until the subscriber listens
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            break
        time.sleep(0.1)
    from django.contrib.auth import get_user_model

    owner = get_user_model().objects.create(username="bench_supervisor", is_superuser=True)
    publish, hooks, batched, cpu, hook_cpu = [], [], [], [], []
    try:
        for run in range(args.runs):
            write_events(args.events)
            channel.queue_purge("bench.all")
            with connection.cursor() as cur:
                cur.execute("SELECT pg_backend_pid()")
                backend = cur.fetchone()[0]
            started, cpu0, pg0 = time.perf_counter(), time.process_time(), _cpu(backend)
            Publisher(batch=500, idle_sleep=0.01).run(max_events=args.events, seconds=600)
            publish.append(args.events / (time.perf_counter() - started))
            cpu.append((time.process_time() - cpu0 + _cpu(backend) - pg0) * 1e6 / args.events)
            log(f"run {run + 1}: published {args.events} events at {publish[-1]:.0f}/s, {cpu[-1]:.0f} µs CPU each"
                " (publisher + its PostgreSQL backend)")
            for size, out in ((1, hooks), (50, batched)):
                sub = Subscription.objects.create(owner=owner, name=f"bench {size}", callback_url=f"http://127.0.0.1:{port}/",
                                                  secret=SECRET, batch_size=size, cursor=0)
                started, cpu0 = time.perf_counter(), time.process_time()
                pg0 = _cpu(backend)
                done = 0
                while done < args.events:
                    got = deliver(sub.pk, max_events=args.events, max_seconds=600)
                    if not got["delivered"]:
                        raise RuntimeError(f"webhook delivery stalled: {got}, {Subscription.objects.get(pk=sub.pk).last_error}")
                    done += got["delivered"]
                out.append(args.events / (time.perf_counter() - started))
                if size == 1:
                    hook_cpu.append((time.process_time() - cpu0 + _cpu(backend) - pg0) * 1e6 / args.events)
                log(f"run {run + 1}: webhooks, {size} per POST: {out[-1]:.0f} events/s")
                sub.delete()
        emit("publish_rate", median(publish), "events/s", events=args.events, runs=args.runs)
        emit("publish_cpu_us_per_event", median(cpu), "us/event", note="publisher process + its PostgreSQL backend")
        emit("publish_rate_1_idle_core", 1e6 / median(cpu), "events/s",
             note="what one otherwise idle core gives at that cost (the broker's own CPU not counted)")
        emit("webhook_rate", median(hooks), "deliveries/s", events=args.events, runs=args.runs, per_post=1)
        emit("webhook_cpu_us_per_delivery", median(hook_cpu), "us/delivery",
             note="the delivering process + its PostgreSQL backend; the subscriber's own CPU not counted")
        emit("webhook_rate_1_idle_core", 1e6 / median(hook_cpu), "deliveries/s")
        emit("webhook_batch_event_rate", median(batched), "events/s", events=args.events, runs=args.runs, per_post=50)
    finally:
        subscriber.terminate()
        channel.queue_delete("bench.all")
        conn.close()
        connection.close()
        psql(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')


if __name__ == "__main__":
    main()
