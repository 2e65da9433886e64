"""The publisher against a real RabbitMQ: a topic exchange, routing keys by department, item and type,
publisher confirms, order per case; several publishers share the shards and send nothing twice; a subscriber's
own queue is bound by its filters and can be replayed into."""

import json
import threading
import time
import uuid

import pytest
from django.db import connection

from onevisit.cases.services import case_withdraw
from onevisit.events.amqp import connect, declare_exchange
from onevisit.events.models import OutboxEvent, Subscription
from onevisit.events.publisher import AmqpTransport, Publisher, publish_round, sequence

from .conftest import submit


def drain(url, queue, *, expect, timeout=10.0):
    """Read a queue until `expect` messages came (or the time is up); acknowledges what it read."""
    conn, channel = connect(url)
    got = []
    deadline = time.monotonic() + timeout
    try:
        while len(got) < expect and time.monotonic() < deadline:
            msg = channel.basic_get(queue)
            if msg is None:
                time.sleep(0.05)
                continue
            got.append(msg)
            channel.basic_ack(msg.delivery_tag)
    finally:
        conn.close()
    return got


@pytest.fixture
def queue(amqp_url, settings):
    """A test queue bound to the test exchange; yields a function to bind more keys."""
    conn, channel = connect(amqp_url)
    declare_exchange(channel)
    name = f"test.q.{uuid.uuid4().hex[:8]}"
    channel.queue_declare(name, durable=False, auto_delete=False)

    def bind(key):
        channel.queue_bind(name, exchange=settings.ONEVISIT_EVENTS_EXCHANGE, routing_key=key)

    yield name, bind
    channel.queue_delete(name)
    conn.close()


def test_events_reach_the_exchange_confirmed_in_order_with_routing_keys(amqp_url, queue, personas, two_departments):
    name, bind = queue
    citizen = personas["citizen"]
    a = submit(citizen, "331100-MKT-0001")
    b = submit(personas["other_citizen"], "331100-RE-0009")
    case_withdraw(actor=citizen, case=a, reason="不办了")
    bind(f"{a.department.credit_code}.#")  # the market department's system: its cases only
    sequence()
    transport = AmqpTransport(amqp_url)
    try:
        assert publish_round(transport, limit=100) == 3
    finally:
        transport.close()
    assert not OutboxEvent.objects.filter(published_at__isnull=True).exists()  # confirmed, then marked
    got = drain(amqp_url, name, expect=3, timeout=3)
    assert len(got) == 2  # b's event went to real estate's key
    bodies = [json.loads(m.body) for m in got]
    assert [(e["subject"], e["type"]) for e in bodies] == [
        (a.number, "cn.onevisit.case.submitted"), (a.number, "cn.onevisit.case.withdrawn")]
    assert [m.properties["message_id"] for m in got] == [e["id"] for e in bodies]
    assert got[0].properties["content_type"] == "application/cloudevents+json"
    assert got[0].properties["delivery_mode"] == 2 and got[1].headers["position"] == 3
    assert b.number not in {e["subject"] for e in bodies}


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="shard locks are PostgreSQL advisory locks")
@pytest.mark.django_db(transaction=True)
def test_two_publishers_share_the_shards_and_send_each_event_once_in_order(amqp_url, queue, personas,
                                                                             two_departments, settings):
    settings.ONEVISIT_EVENTS_PUBLISHER = "process"  # no in-process publishing: the two publishers do it all
    name, bind = queue
    bind("#")
    publishers = [Publisher(idle_sleep=0.02, rebalance_every=0.2, batch=5) for _ in range(2)]

    def run(p):
        try:
            p.run(seconds=4)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(p,)) for p in publishers]
    for t in threads:
        t.start()
    time.sleep(1.0)  # both have taken their share of the shards
    assert {len(p.held) for p in publishers} == {8}
    citizen = personas["citizen"]
    numbers = []
    for _ in range(12):
        case = submit(citizen, "331100-MKT-0001")
        case_withdraw(actor=citizen, case=case, reason="撤回")
        numbers.append(case.number)
    for t in threads:
        t.join()
    assert sum(p.published for p in publishers) == 24
    assert all(p.published > 0 for p in publishers), [p.published for p in publishers]  # both took shards
    got = [json.loads(m.body) for m in drain(amqp_url, name, expect=25, timeout=3)]
    assert len(got) == 24 and len({e["id"] for e in got}) == 24  # once each
    per_case = {}
    for e in got:
        per_case.setdefault(e["subject"], []).append(e["type"].rsplit(".", 1)[1])
    assert set(per_case) == set(numbers)
    assert all(v == ["submitted", "withdrawn"] for v in per_case.values())
    assert sorted(OutboxEvent.objects.values_list("position", flat=True)) == list(range(1, 25))


def test_a_subscribers_own_queue_is_bound_by_its_filters_and_replayed(amqp_url, client, tokens, personas,
                                                                     two_departments):
    r = client.post("/api/v1/subscriptions", json.dumps({"name": "市场监管队列", "kind": "amqp"}),
                    content_type="application/json", headers=tokens["market"])
    assert r.status_code == 201, r.content
    sub = r.json()
    market = two_departments["market"].department
    assert sub["queue"]["queue"] == f"onevisit.sub.{sub['id']}"
    assert sub["queue"]["binding_keys"] == [f"{market.credit_code}.*.#"]  # its one department
    from onevisit.events.amqp import declare_subscriber_queue

    conn, channel = connect(amqp_url)
    declare_subscriber_queue(channel, Subscription.objects.get(pk=sub["id"]))  # (the commit hook's job)
    conn.close()
    try:
        a = submit(personas["citizen"], "331100-MKT-0001")
        submit(personas["other_citizen"], "331100-RE-0009")
        sequence()
        transport = AmqpTransport(amqp_url)
        publish_round(transport)
        transport.close()
        got = drain(amqp_url, sub["queue"]["queue"], expect=2, timeout=2)
        assert [json.loads(m.body)["subject"] for m in got] == [a.number]
        r = client.post(f"/api/v1/subscriptions/{sub['id']}/replay", json.dumps({"from_position": 1}),
                        content_type="application/json", headers=tokens["market"])
        assert r.status_code == 200
        from onevisit.events.tasks import replay_to_queue

        replay_to_queue(sub["id"], 1)  # the on-commit task (tests do not commit)
        again = drain(amqp_url, sub["queue"]["queue"], expect=1, timeout=2)
        assert [json.loads(m.body)["id"] for m in again] == [json.loads(got[0].body)["id"]]
        assert again[0].headers["replay"] is True
    finally:
        conn, channel = connect(amqp_url)
        channel.queue_delete(sub["queue"]["queue"])
        conn.close()
