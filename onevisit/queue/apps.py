from django.apps import AppConfig


class QueueConfig(AppConfig):
    name = "onevisit.queue"
    label = "queue"
    verbose_name = "大厅排队叫号"
