from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "onevisit.portal"
    label = "portal"
    verbose_name = "网上办事大厅"
