from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "onevisit.notifications"
    label = "notifications"
    verbose_name = "消息通知"

    def ready(self) -> None:
        from onevisit.cases.signals import case_moved
        from onevisit.notifications.case_events import on_case_moved

        case_moved.connect(on_case_moved, dispatch_uid="notifications-case-moved")
