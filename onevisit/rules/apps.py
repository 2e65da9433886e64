from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "onevisit.rules"
    label = "rules"
    verbose_name = "秒批规则"

    def ready(self):
        from onevisit.catalog.hooks import register_condition_provider
        from onevisit.rules import signals  # noqa: F401 - a new item version copies its rule
        from onevisit.rules.describe import rule_conditions

        # The guide of an item version shows the conditions of its 秒批 rule (docs/decisions/0011).
        register_condition_provider("rules", rule_conditions)
