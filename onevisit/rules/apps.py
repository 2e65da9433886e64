from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "onevisit.rules"
    label = "rules"
    verbose_name = "秒批规则"

    def ready(self):
        from onevisit.rules import signals  # noqa: F401 - a new item version copies its rule
