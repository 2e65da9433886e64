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
        # With reactions on the task queue, a worker renders an issued licence's PDF ahead of its download
        # (in-process it would hold up the answer to 秒批, so the embedded default renders on download).
        if settings.ONEVISIT_REACTION_DISPATCHER:
            from onevisit.events.documents import render_result_licence

            hooks.after_commit("events.render_licence_pdf", verbs=("issue_result",))(render_result_licence)
