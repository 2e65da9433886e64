from django.apps import AppConfig


class DatahubConfig(AppConfig):
    name = "onevisit.datahub"
    label = "datahub"
    verbose_name = "一库共享"

    def ready(self):
        from onevisit.cases import hooks
        from onevisit.datahub.onecard import authorise_representative, enrich_submission

        hooks.before_submit(enrich_submission)  # identity checked, 一证通办: proofs fetched, form prefilled
        hooks.authorise_applicant(authorise_representative)  # a company's legal representative
