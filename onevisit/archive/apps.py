from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "onevisit.archive"
    label = "archive"
    verbose_name = "电子档案"
