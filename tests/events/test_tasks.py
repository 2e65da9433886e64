"""Background work through the task queue's entry points (Celery; in-process here, as without a broker):
秒批 and notifications dispatched as tasks do their work once however often the task runs."""

import json

import pytest
from django.conf import settings as django_settings

from onevisit.cases.models import Case, CaseReaction
from onevisit.celery import app
from onevisit.events import tasks
from onevisit.licences.models import Licence
from onevisit.notifications.models import Notification, NotificationStatus
from tests.datahub.conftest import hub  # noqa: F401 - shared fixtures
from tests.licences.conftest import lic  # noqa: F401
from tests.rules.conftest import ELDER_CODE, elder  # noqa: F401


@pytest.mark.django_db(transaction=True)
def test_auto_approval_and_its_messages_run_as_tasks_once(client, elder, settings):  # noqa: F811
    settings.ONEVISIT_REACTION_DISPATCHER = "onevisit.events.tasks.dispatch_reactions"
    settings.ONEVISIT_NOTIFICATION_DISPATCHER = "onevisit.events.tasks.dispatch_notification"
    person = elder["person"]
    client.force_login(person)
    response = client.post("/api/v1/cases", json.dumps({
        "item_code": ELDER_CODE, "channel": "online",
        "applicant": {"kind": "person", "name": person.real_name, "id_number": person.id_number,
                      "phone": "13905781234"}}),
        content_type="application/json")
    assert response.status_code == 201, response.content
    case = Case.objects.get()
    assert case.status == "delivered"
    reaction = CaseReaction.objects.get(case=case)
    assert reaction.done_at is not None and reaction.attempts == 1
    # the task delivered again (a worker killed after the commit, before the broker heard the ack): no effect
    assert tasks.run_reaction(reaction.pk) is None
    assert Licence.objects.count() == 1 and CaseReaction.objects.get(pk=reaction.pk).attempts == 1
    sent = Notification.objects.filter(object_id=str(case.pk))
    assert sent.exists() and {n.status for n in sent} == {NotificationStatus.SENT}
    for n in sent:
        assert tasks.deliver_notification(n.pk) == NotificationStatus.SENT
    assert {n.attempts for n in Notification.objects.filter(object_id=str(case.pk))} == {1}  # no second SMS


def test_the_schedule_names_registered_tasks_and_the_queue_acknowledges_late():
    names = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert names <= set(app.tasks), names - set(app.tasks)
    assert {"onevisit.run_due_reactions", "onevisit.flag_overdue_gaps", "onevisit.retry_notifications",
            "onevisit.webhooks_due", "onevisit.ensure_partitions", "onevisit.prune_outbox"} <= names
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert app.conf.worker_prefetch_multiplier == 1


def test_without_a_broker_tasks_run_in_process(db):
    assert app.conf.task_always_eager is (not django_settings.CELERY_BROKER_URL)
    assert tasks.flag_overdue_gaps.delay().get() == 0


@pytest.mark.django_db(transaction=True)
def test_a_workers_reaction_renders_the_issued_licence_pdf_once_before_its_download(
        client, elder, settings, tmp_path):  # noqa: F811
    from onevisit.cases import hooks
    from onevisit.events.documents import render_licence, render_result_licence, stored_path

    settings.MEDIA_ROOT = tmp_path
    settings.ONEVISIT_REACTION_DISPATCHER = "onevisit.events.tasks.dispatch_reactions"
    hooks.after_commit("events.render_licence_pdf", verbs=("issue_result",))(render_result_licence)
    try:
        person = elder["person"]
        client.force_login(person)
        response = client.post("/api/v1/cases", json.dumps({
            "item_code": ELDER_CODE, "channel": "online",
            "applicant": {"kind": "person", "name": person.real_name, "id_number": person.id_number}}),
            content_type="application/json")
        assert response.status_code == 201 and response.json()["status"] == "delivered"
        licence = Licence.objects.get()
        stored = tmp_path / stored_path(licence)
        assert stored.read_bytes().startswith(b"%PDF")  # rendered by the reaction, before any download
        rendered = CaseReaction.objects.get(name="events.render_licence_pdf")
        assert rendered.done_at is not None
        before = stored.stat().st_mtime_ns
        assert tasks.run_reaction(rendered.pk) is None and render_licence(licence) == stored_path(licence)
        assert stored.stat().st_mtime_ns == before  # a second run renders nothing
        download = client.get(f"/api/v1/licences/{licence.identifier}/pdf")
        assert download.status_code == 200 and download.content == stored.read_bytes()
        assert not list(tmp_path.rglob(".tmp-*"))
    finally:
        hooks.registry.reactions.pop("events.render_licence_pdf", None)
