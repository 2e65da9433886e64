"""Subscriptions of department systems: the pull API and webhooks (signed, in order, retried with back-off,
dead-lettered, resent, replayed), each permission checked from the denied side too."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from onevisit.cases.services import case_issue_notice, case_withdraw
from onevisit.events.models import DeadLetter, Subscription
from onevisit.events.publisher import LocalTransport, publish_round, sequence
from onevisit.events.webhooks import backoff, deliver

from .conftest import SECRET, Subscriber, submit


def publish():
    while sequence():
        pass
    publish_round(LocalTransport(), limit=1000)


@pytest.fixture
def moved(personas, two_departments):
    """Market: a case submitted, noticed, withdrawn; real estate: one submitted."""
    citizen = personas["citizen"]
    a = submit(citizen, "331100-MKT-0001")
    b = submit(personas["other_citizen"], "331100-RE-0009")
    case_issue_notice(actor=personas["reviewer"], case=a)
    case_withdraw(actor=citizen, case=a, reason="不办了")
    publish()
    return {"a": a, "b": b}


def hook(client, headers, **data):
    body = {"name": "审批系统", "kind": "webhook", "secret": SECRET, **data}
    return client.post("/api/v1/subscriptions", json.dumps(body), content_type="application/json", headers=headers)


def test_pull_shows_a_department_its_own_events_in_position_order(client, tokens, moved):
    a, b = moved["a"], moved["b"]
    page = client.get("/api/v1/events", headers=tokens["market"]).json()
    assert [(e["subject"], e["type"].rsplit(".", 1)[1]) for e in page["results"]] == [
        (a.number, "submitted"), (a.number, "notice_issued"), (a.number, "withdrawn")]
    assert [e["position"] for e in page["results"]] == [1, 3, 4] and page["head"] == 4
    assert [e["subject"] for e in client.get("/api/v1/events", headers=tokens["re"]).json()["results"]] == [b.number]
    every = client.get("/api/v1/events?limit=2", headers=tokens["supervisor"]).json()
    assert [e["position"] for e in every["results"]] == [1, 2] and every["next_after"] == 2
    rest = client.get("/api/v1/events?after=2", headers=tokens["supervisor"]).json()
    assert [e["position"] for e in rest["results"]] == [3, 4] and rest["next_after"] == 4
    only = client.get("/api/v1/events?type=cn.onevisit.case.withdrawn", headers=tokens["supervisor"]).json()
    assert [e["position"] for e in only["results"]] == [4]


def test_pull_is_refused_to_others(client, tokens, personas, moved):
    assert client.get("/api/v1/events").status_code == 401
    assert client.get("/api/v1/events", headers={"Authorization": "Bearer ov_nonsense"}).status_code == 401
    # the tax department has no case here: it sees nothing, and may not ask for another department's
    assert client.get("/api/v1/events", headers=tokens["tax"]).json()["results"] == []
    denied = client.get(f"/api/v1/events?department={moved['a'].department_id}", headers=tokens["tax"])
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "forbidden"
    client.force_login(personas["citizen"])
    assert client.get("/api/v1/events").status_code == 403
    bad = client.get("/api/v1/events?limit=0", headers=tokens["market"])
    assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"].endswith("limit")


def test_bad_subscriptions_are_refused_naming_the_field(client, tokens, moved, departments):
    r = hook(client, tokens["market"], callback_url="ftp://x", secret="short", types=["cn.onevisit.case.nope"],
             item_codes=["331100-NOPE-1"], batch_size=0)
    assert r.status_code == 422
    fields = {f["field"] for f in r.json()["error"]["fields"]}
    assert fields == {"callback_url", "secret", "types", "item_codes", "batch_size"}
    r = hook(client, tokens["market"], callback_url="http://127.0.0.1:9/x", departments=[departments["tax"].pk])
    assert r.status_code == 403  # another department's cases
    r = hook(client, tokens["market"], callback_url="http://127.0.0.1:9/x", departments=["三"])
    assert r.status_code == 422 and "departments" in r.json()["error"]["fields"][0]["field"]
    assert not Subscription.objects.exists()


def test_a_webhook_receives_its_departments_events_signed_and_in_order(client, tokens, moved, subscriber, personas):
    r = hook(client, tokens["market"], callback_url=subscriber.url)
    assert r.status_code == 201, r.content
    sub = r.json()
    assert sub["cursor"] == 4 and sub["head"] == 4  # starts at the head: from now on
    replay = client.post(f"/api/v1/subscriptions/{sub['id']}/replay", json.dumps({"from_position": 1}),
                         content_type="application/json", headers=tokens["market"])
    assert replay.status_code == 200 and replay.json()["cursor"] == 0
    call_command("deliver_webhooks")
    assert subscriber.positions() == [1, 3, 4] and subscriber.bad_signatures == 0
    assert {e["subject"] for e in subscriber.received} == {moved["a"].number}
    # new events arrive after the published ones, the others' department never
    later = submit(personas["citizen"], "331100-MKT-0001")
    submit(personas["other_citizen"], "331100-RE-0009")
    publish()
    call_command("deliver_webhooks")
    assert subscriber.positions() == [1, 3, 4, 5]
    assert subscriber.received[-1]["subject"] == later.number
    state = client.get(f"/api/v1/subscriptions/{sub['id']}", headers=tokens["market"]).json()
    assert state["cursor"] == 6 and state["delivered_count"] == 4 and state["attempts"] == 0


def test_another_system_cannot_see_or_touch_a_subscription(client, tokens, moved, subscriber):
    sub = hook(client, tokens["market"], callback_url=subscriber.url).json()
    base = f"/api/v1/subscriptions/{sub['id']}"
    replay = json.dumps({"from_position": 1})
    for r in [client.get(base, headers=tokens["re"]), client.delete(base, headers=tokens["re"]),
              client.post(base + "/replay", replay, content_type="application/json", headers=tokens["re"]),
              client.get(base + "/dead-letters", headers=tokens["re"]),
              client.patch(base, json.dumps({"active": False}), content_type="application/json", headers=tokens["re"])]:
        assert r.status_code == 404, r.request
    assert client.get("/api/v1/subscriptions", headers=tokens["re"]).json() == []
    assert Subscription.objects.get().active


def test_a_failing_subscriber_is_retried_with_backoff_then_dead_lettered_and_resent(
        client, tokens, moved, subscriber, settings):
    settings.ONEVISIT_WEBHOOK_MAX_ATTEMPTS = 3
    sub = hook(client, tokens["market"], callback_url=subscriber.url).json()
    Subscription.objects.filter(pk=sub["id"]).update(cursor=0)
    subscriber.status = 503
    assert deliver(sub["id"]) == {"delivered": 0, "dead": 0, "failed": 1}
    row = Subscription.objects.get(pk=sub["id"])
    assert row.cursor == 0 and row.attempts == 1 and row.last_error == "HTTP 503"
    assert row.next_attempt_at - timezone.now() <= dt.timedelta(seconds=1)
    assert deliver(sub["id"]) == {"delivered": 0, "dead": 0, "failed": 0}  # backing off: not yet
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 10, 20)] == [1, 2, 4, 300, 300]
    for attempt in (2, 3):
        Subscription.objects.filter(pk=sub["id"]).update(next_attempt_at=timezone.now())
        out = deliver(sub["id"])
        if attempt == 2:
            assert out["failed"] == 1 and Subscription.objects.get(pk=sub["id"]).attempts == 2
    # the third failure: position 1 goes to the dead letters, the next events are tried (and fail) in turn
    dead = DeadLetter.objects.get()
    assert dead.position == 1 and dead.attempts == 3 and dead.last_error == "HTTP 503"
    row = Subscription.objects.get(pk=sub["id"])
    assert row.cursor == 1 and row.attempts == 1
    subscriber.status = 200
    Subscription.objects.filter(pk=sub["id"]).update(next_attempt_at=timezone.now())
    deliver(sub["id"])
    assert subscriber.positions() == [3, 4]
    listed = client.get(f"/api/v1/subscriptions/{sub['id']}/dead-letters?pending=true", headers=tokens["market"])
    assert [d["position"] for d in listed.json()] == [1]
    denied = client.post(f"/api/v1/subscriptions/{sub['id']}/dead-letters/{dead.pk}/resend", headers=tokens["re"])
    assert denied.status_code == 404
    r = client.post(f"/api/v1/subscriptions/{sub['id']}/dead-letters/{dead.pk}/resend", headers=tokens["market"])
    assert r.status_code == 200 and r.json()["resent_at"] is not None
    assert subscriber.positions() == [3, 4, 1]  # the resent event comes late; its position says where it belongs
    again = client.post(f"/api/v1/subscriptions/{sub['id']}/dead-letters/{dead.pk}/resend", headers=tokens["market"])
    assert again.status_code == 409


def test_a_subscriber_that_was_down_receives_everything_it_missed_in_order(
        client, tokens, moved, personas, settings):
    settings.ONEVISIT_WEBHOOK_BACKOFF_BASE = 0.01
    down = Subscriber()
    url = down.url
    sub = hook(client, tokens["supervisor"], callback_url=url, batch_size=2).json()
    down.stop()  # the department's system goes down
    missed = []
    for _ in range(3):
        case = submit(personas["citizen"], "331100-MKT-0001")
        case_withdraw(actor=personas["citizen"], case=case, reason="撤回")
        missed += [case.number, case.number]
    publish()
    for _ in range(3):
        Subscription.objects.filter(pk=sub["id"]).update(next_attempt_at=timezone.now())
        assert deliver(sub["id"])["failed"] == 1
    assert Subscription.objects.get(pk=sub["id"]).attempts == 3
    back = Subscriber(port=int(url.split(":")[2].split("/")[0]))  # it comes back on the same address
    try:
        Subscription.objects.filter(pk=sub["id"]).update(next_attempt_at=timezone.now())
        assert deliver(sub["id"]) == {"delivered": 6, "dead": 0, "failed": 0}
        assert [e["subject"] for e in back.received] == missed
        assert back.positions() == sorted(back.positions())
        per_case = {}
        for e in back.received:
            per_case.setdefault(e["subject"], []).append(e["type"].rsplit(".", 1)[1])
        assert all(v == ["submitted", "withdrawn"] for v in per_case.values())
    finally:
        back.stop()
