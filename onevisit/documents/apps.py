from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "onevisit.documents"
    label = "documents"
    verbose_name = "文书"
