"""The transactional outbox: every transition writes its CloudEvents event in its own transaction (a rolled
back transition writes none), with a global position given in commit order and without gaps; every verb has
a documented type; other apps publish registered types only."""

import json
import re
from pathlib import Path

import pytest
from django.db import connection, transaction

from onevisit.cases.services import case_issue_notice, case_withdraw
from onevisit.cases.transitions import TABLE
from onevisit.events.models import OutboxEvent
from onevisit.events.outbox import CASE_TYPES, EVENT_TYPES, outbox_publish, register_event_type
from onevisit.events.publisher import LocalTransport, publish_round, sequence, sequenced

from .conftest import submit

DOCS = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def test_a_submission_and_a_notice_write_one_event_each_with_the_case_state(personas, two_departments):
    citizen = personas["citizen"]
    case = submit(citizen, "331100-MKT-0001")
    case_issue_notice(actor=personas["reviewer"], case=case)
    rows = list(OutboxEvent.objects.order_by("id"))
    assert [r.type for r in rows] == ["cn.onevisit.case.submitted", "cn.onevisit.case.notice_issued"]
    assert {r.subject for r in rows} == {case.number}
    first, second = rows
    assert first.department_id == case.department_id and first.item_code == "331100-MKT-0001"
    assert first.data["case"]["number"] == case.number and first.data["case"]["status"] == "pre_review"
    assert first.data["case"]["item_name"] == "测试事项331100-MKT-0001"
    assert first.data["transition"] == {**first.data["transition"], "verb": "submit", "from": None, "to": "pre_review",
                                        "seq": 1}
    assert second.data["case"]["status"] == "awaiting_supplement"
    assert second.data["transition"]["seq"] == 2 and second.data["transition"]["actor"] == "reviewer"
    # the notice's problems travel as facts of the transition (the engine's own history facts)
    assert second.data["transition"]["facts"]["problems"]
    assert first.position is None and first.published_at is None  # not sequenced until a publisher runs


def test_a_transition_that_rolls_back_leaves_no_event(personas, two_departments):
    citizen = personas["citizen"]
    case = submit(citizen, "331100-MKT-0001")
    before = OutboxEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        case_withdraw(actor=citizen, case=case, reason="不办了")
        assert OutboxEvent.objects.count() == before + 1  # written inside the transaction…
        raise RuntimeError("the caller fails after the withdrawal")
    assert OutboxEvent.objects.count() == before  # …and gone with it
    case.refresh_from_db()
    assert case.status == "pre_review"


def test_positions_follow_insertion_per_shard_without_gaps_and_publishing_marks_them(personas, two_departments):
    citizen, other = personas["citizen"], personas["other_citizen"]
    a = submit(citizen, "331100-MKT-0001")
    b = submit(other, "331100-RE-0009")
    case_withdraw(actor=citizen, case=a, reason="重复申请")
    assert sequence(limit=2) == 2  # a batch limit is honoured; the rest waits for the next round
    assert sequence() == 1
    assert sequence() == 0
    rows = list(OutboxEvent.objects.order_by("position"))
    assert [r.position for r in rows] == [1, 2, 3]
    assert [(r.subject, r.type.rsplit(".", 1)[1]) for r in rows] == [
        (a.number, "submitted"), (b.number, "submitted"), (a.number, "withdrawn")]
    assert publish_round(LocalTransport(), limit=2) == 2
    assert OutboxEvent.objects.filter(published_at__isnull=True).count() == 1
    sent = sequenced(after=1)
    assert [e.position for e in sent] == [2, 3]
    envelope = json.loads(sent[1].body)
    assert envelope["specversion"] == "1.0" and envelope["type"] == "cn.onevisit.case.withdrawn"
    assert envelope["subject"] == a.number and envelope["position"] == 3 and envelope["partitionkey"] == a.number
    assert envelope["id"] == str(rows[2].event_id) and re.fullmatch(r".*\+08:00", envelope["time"])
    assert envelope["department"] == a.department.credit_code and envelope["itemcode"] == "331100-MKT-0001"
    assert envelope["data"]["case"]["status"] == "withdrawn"
    assert sent[1].routing_key == f"{a.department.credit_code}.331100-MKT-0001.cn.onevisit.case.withdrawn"


@pytest.mark.django_db(transaction=True)
def test_the_embedded_publisher_sequences_after_each_commit(personas, two_departments):
    citizen = personas["citizen"]
    case = submit(citizen, "331100-MKT-0001")
    case_withdraw(actor=citizen, case=case, reason="不办了")
    rows = list(OutboxEvent.objects.order_by("id").values_list("position", "published_at"))
    assert [p for p, _ in rows] == [1, 2] and all(at is not None for _, at in rows)


def test_every_verb_has_a_type_and_every_type_is_documented():
    assert set(TABLE) | {"submit"} <= set(CASE_TYPES), sorted(set(TABLE) - set(CASE_TYPES))
    documented = set(re.findall(r"`(cn\.onevisit\.[a-z0-9_.]+)`", DOCS.read_text(encoding="utf-8")))
    assert set(EVENT_TYPES) <= documented, sorted(set(EVENT_TYPES) - documented)


def test_other_apps_publish_registered_types_in_their_own_transaction(db, departments):
    with pytest.raises(ValueError, match="未登记"):
        outbox_publish(type="cn.onevisit.rating.submitted", subject="R1", data={})
    with pytest.raises(ValueError, match="不合规"):
        register_event_type("onevisit.Rating", "bad")
    register_event_type("cn.onevisit.test_app.thing_done", "测试用")
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            outbox_publish(type="cn.onevisit.test_app.thing_done", subject="T-1", data={"n": 1},
                           department=departments["tax"], item_code="X")
            raise RuntimeError
        assert not OutboxEvent.objects.exists()
        event_id = outbox_publish(type="cn.onevisit.test_app.thing_done", subject="T-1", data={"n": 2},
                                  department=departments["tax"])
        row = OutboxEvent.objects.get()
        assert row.event_id == event_id and row.data == {"n": 2} and row.department_id == departments["tax"].pk
    finally:
        del EVENT_TYPES["cn.onevisit.test_app.thing_done"]


def test_the_outbox_write_is_one_statement(personas, two_departments, django_assert_num_queries):
    """On the hot paths the outbox costs exactly one INSERT per transition, nothing else."""
    from onevisit.cases import hooks
    from onevisit.events.outbox import on_case_moved

    case = submit(personas["citizen"], "331100-MKT-0001")
    case.refresh_from_db()
    case = type(case).objects.select_related("item").get(pk=case.pk)
    moved = hooks.Moved(case=case, verb="withdraw", before="pre_review", after="withdrawn", actor=None,
                        at=case.submitted_at, data={"from": "pre_review", "to": "withdrawn"}, seq=2)
    with django_assert_num_queries(1) as ctx:
        on_case_moved(moved)
    assert ctx.captured_queries[0]["sql"].startswith(f'INSERT INTO "{OutboxEvent._meta.db_table}"')
    assert connection.vendor in ("sqlite", "postgresql")
