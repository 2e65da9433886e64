from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "onevisit.console"
    label = "console"
    verbose_name = "工作台"
