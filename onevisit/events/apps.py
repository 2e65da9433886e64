from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "onevisit.events"
    label = "events"
    verbose_name = "事件与订阅"

    def ready(self) -> None:
        from django.conf import settings

        from onevisit.cases import hooks
        from onevisit.events.outbox import on_case_moved

        # Every transition writes its event in its own transaction (the transactional outbox). Only the
        # benchmark's A/B run of the outbox's cost (bench/run.py) turns it off; no deployment does.
        if not settings.ONEVISIT_BENCH_WITHOUT_OUTBOX:
            hooks.on_transition()(on_case_moved)
