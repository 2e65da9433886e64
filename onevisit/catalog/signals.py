"""Signals other apps listen to (e.g. the portal's search index) so the catalog depends on none of them."""

from django.dispatch import Signal

# Sent after commit when what the public sees of an item or bundle changed: kind is "item" or "bundle".
catalog_published = Signal()


def announce(*, kind: str, code: str) -> None:
    from django.db import transaction

    transaction.on_commit(lambda: catalog_published.send(sender=None, kind=kind, code=code))
