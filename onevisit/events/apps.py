from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "onevisit.events"
    label = "events"
    verbose_name = "事件与订阅"

    def ready(self) -> None:
        from onevisit.cases import hooks
        from onevisit.events.outbox import on_case_moved

        # Every transition writes its event in its own transaction (the transactional outbox).
        hooks.on_transition()(on_case_moved)
