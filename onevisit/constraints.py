"""Database check constraints for what the services promise, so that a row written by any path (a
bulk load, a hand-written statement, a future bug) cannot break them either."""

from django.db import models
from django.db.models import Q


def in_choices(field: str, choices: type[models.Choices], *, name: str, blank: bool = False) -> models.CheckConstraint:
    """The column holds one of the enum's values (or '' where blank is allowed)."""
    values = [*choices.values, *([""] if blank else [])]
    return models.CheckConstraint(condition=Q(**{f"{field}__in": values}), name=name)


def not_before(later: str, earlier: str, *, name: str) -> models.CheckConstraint:
    """`later` is empty, or `earlier` is set and `later` is not before it."""
    return models.CheckConstraint(
        condition=Q(**{f"{later}__isnull": True}) | Q(**{f"{earlier}__isnull": False, f"{later}__gte": models.F(earlier)}),
        name=name,
    )
