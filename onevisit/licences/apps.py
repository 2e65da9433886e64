from django.apps import AppConfig


class LicencesConfig(AppConfig):
    name = "onevisit.licences"
    label = "licences"
    verbose_name = "电子证照"

    def ready(self):
        from onevisit.datahub.providers import register_prefix_provider
        from onevisit.datahub.schema import LICENCE_PREFIX

        register_prefix_provider(LICENCE_PREFIX, "onevisit.licences.provider.LicenceProvider")

        from onevisit.cases import hooks
        from onevisit.licences.results import licence_for_result

        hooks.event_facts("issue_result")(licence_for_result)
