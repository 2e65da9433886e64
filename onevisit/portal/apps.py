from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "onevisit.portal"
    label = "portal"
    verbose_name = "网上办事大厅"

    def ready(self) -> None:
        from onevisit.catalog.signals import catalog_published

        catalog_published.connect(_refresh_search_index, dispatch_uid="portal-search-index")


def _refresh_search_index(sender, *, kind: str, code: str, **kwargs) -> None:
    from onevisit.portal.search import search_index_refresh_bundle, search_index_refresh_item

    if kind == "item":
        search_index_refresh_item(code=code)
    else:
        search_index_refresh_bundle(code=code)
