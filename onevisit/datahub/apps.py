from django.apps import AppConfig


class DatahubConfig(AppConfig):
    name = "onevisit.datahub"
    label = "datahub"
    verbose_name = "一库共享"
