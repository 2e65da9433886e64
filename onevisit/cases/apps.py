from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "onevisit.cases"
    label = "cases"
    verbose_name = "办件"
