"""The task queue: Celery with RabbitMQ (docs/decisions/0020). `celery -A onevisit.celery worker` runs the
tasks of onevisit.events.tasks; `celery -A onevisit.celery beat` the schedule (CELERY_BEAT_SCHEDULE).
Without a broker (the embedded default) every task runs in-process at once (task_always_eager)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onevisit.settings")

app = Celery("onevisit")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["onevisit.events"])
