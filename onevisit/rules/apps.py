from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "onevisit.rules"
    label = "rules"
    verbose_name = "秒批规则"

    def ready(self):
        from onevisit.cases import hooks
        from onevisit.catalog.hooks import register_condition_provider
        from onevisit.rules import signals  # noqa: F401 - a new item version copies its rule
        from onevisit.rules.describe import rule_conditions
        from onevisit.rules.services import autoapprove_applies, autoapprove_reaction

        # 秒批 after the submission (or a supplement) commits, in its own transaction (decision 0008).
        hooks.after_commit("rules.autoapprove", verbs=("submit", "supplement"),
                           applies=autoapprove_applies)(autoapprove_reaction)
        # The guide of an item version shows the conditions of its 秒批 rule (docs/decisions/0022).
        register_condition_provider("rules", rule_conditions)
