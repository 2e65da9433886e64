from django.apps import AppConfig


class ScaleConfig(AppConfig):
    name = "onevisit.scale"
    label = "scale"
    verbose_name = "扩展运行（分区、只读副本）"
