"""The hash-chained history: it verifies, a tampered record is found and named, and writers to
different objects append concurrently without breaking any chain."""

import io
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import close_old_connections, connection

from onevisit.history.management.commands.verify_history import Command
from onevisit.history.models import Event
from onevisit.history.services import event_append, events_of, record_change, verify_chains


def test_chain_verifies_and_links(personas):
    user = personas["catalog_admin"]
    for n in range(3):
        record_change(obj=user, actor=user, action="edited", reason=f"第{n}次", data={"n": n})
    events = list(events_of(user))
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
    assert list(verify_chains()) == []
    out = io.StringIO()
    call_command("verify_history", stdout=out)
    assert "校验通过" in out.getvalue()


def test_records_cannot_be_changed_through_the_model(personas):
    event = event_append(object_type="test.thing", object_id=1, actor=None, action="created")
    event.reason = "改"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_tampered_record_is_detected_and_the_command_names_it_and_fails(personas):
    actor = personas["catalog_admin"]
    for n in range(3):
        event_append(object_type="test.thing", object_id=7, actor=actor, action="edited", data={"n": n})
    event_append(object_type="test.thing", object_id=8, actor=actor, action="edited")
    target = Event.objects.get(object_type="test.thing", object_id="7", seq=2)
    Event.objects.filter(pk=target.pk).update(reason="事后改写")  # bypasses the model, as a DBA could

    broken = list(verify_chains())
    assert [(b.event_id, b.object_id, b.seq) for b in broken] == [(target.pk, "7", 2)]
    assert "篡改" in broken[0].problem

    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_history", stderr=err)
    assert f"记录 #{target.pk}" in err.getvalue() and "test.thing:7" in err.getvalue()
    command = Command(stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(SystemExit) as exit_:
        command.run_from_argv(["manage.py", "verify_history"])
    assert exit_.value.code != 0


def test_deleted_record_is_detected(personas):
    for n in range(3):
        event_append(object_type="test.thing", object_id=9, actor=None, action="edited", data={"n": n})
    Event.objects.filter(object_type="test.thing", object_id="9", seq=2)._raw_delete(using="default")
    broken = list(verify_chains())
    assert len(broken) == 1 and broken[0].seq == 3 and "序号" in broken[0].problem


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_to_different_objects_all_land_in_intact_chains():
    if connection.vendor == "sqlite" and "memory" in connection.settings_dict["NAME"]:
        pytest.skip("the shared-cache in-memory SQLite test database uses table locks without busy timeout")
    errors: list[Exception] = []

    def writer(object_id: int) -> None:
        try:
            for n in range(10):
                event_append(object_type="test.parallel", object_id=object_id, actor=None, action="tick", data={"n": n})
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Event.objects.filter(object_type="test.parallel").count() == 40
    for object_id in range(4):
        seqs = list(Event.objects.filter(object_type="test.parallel", object_id=str(object_id))
                    .order_by("seq").values_list("seq", flat=True))
        assert seqs == list(range(1, 11))
    assert list(verify_chains(object_type="test.parallel")) == []
