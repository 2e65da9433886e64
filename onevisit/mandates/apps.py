from django.apps import AppConfig


class MandatesConfig(AppConfig):
    name = "onevisit.mandates"
    label = "mandates"
    verbose_name = "授权委托"

    def ready(self):
        from onevisit.cases import hooks
        from onevisit.mandates.seam import agent_roles, agent_visible, authorise_by_mandate

        hooks.authorise_applicant(authorise_by_mandate)
        hooks.case_access(who=agent_roles, visible=agent_visible)
