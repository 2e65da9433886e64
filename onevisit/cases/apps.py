from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "onevisit.cases"
    label = "cases"
    verbose_name = "办件"

    def ready(self):
        from onevisit.cases import hooks
        from onevisit.cases.services.core import applicant_bar_standing

        hooks.applicant_standing(applicant_bar_standing)
