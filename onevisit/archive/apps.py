from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "onevisit.archive"
    label = "archive"
    verbose_name = "电子档案"

    def ready(self):
        from onevisit.archive.services import package_archived_case
        from onevisit.cases import hooks

        hooks.after_commit("archive.package", verbs=("archive",))(package_archived_case)
