from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "onevisit.cases"
    label = "cases"
    verbose_name = "办件"

    def ready(self):
        from django.core.signals import request_finished

        from onevisit.cases import hooks
        from onevisit.cases.services.core import applicant_bar_standing
        from onevisit.cases.services.submission import numbering_request_finished

        hooks.applicant_standing(applicant_bar_standing, grants=False)
        request_finished.connect(numbering_request_finished, dispatch_uid="cases-numbering-connection")
