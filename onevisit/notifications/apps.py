from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "onevisit.notifications"
    label = "notifications"
    verbose_name = "消息通知"

    def ready(self) -> None:
        from onevisit.cases import hooks
        from onevisit.notifications.case_events import MESSAGES, on_case_moved

        hooks.on_transition(*MESSAGES)(on_case_moved)
