"""Seams other apps plug into, so that the catalog imports none of them (they import the catalog).

Condition providers: a guide (办事指南) asks every registered provider for the conditions an item version
checks automatically. The rules app registers one from its AppConfig.ready() that renders the version's
秒批 rule in plain Chinese, so the guide shows the very conditions the rule applies and the two cannot
disagree (docs/decisions/0022)."""

from collections.abc import Callable
from dataclasses import dataclass

from onevisit.catalog.models import ServiceItem


@dataclass(frozen=True)
class CheckedCondition:
    """One condition as a citizen reads it ("年满60周岁"), where it is checked ("人口基础信息库") and by what
    ("秒批规则")."""

    text: str
    source: str = ""
    checked_by: str = ""


ConditionProvider = Callable[[ServiceItem], list[CheckedCondition]]

_condition_providers: dict[str, ConditionProvider] = {}


def register_condition_provider(name: str, provider: ConditionProvider) -> None:
    """Register (or replace, so that ready() may run twice) the provider called `name`."""
    _condition_providers[name] = provider


def checked_conditions(item: ServiceItem) -> list[CheckedCondition]:
    """The conditions the registered providers check automatically for this item version, in registration
    order; empty when no provider has any."""
    found: list[CheckedCondition] = []
    for provider in list(_condition_providers.values()):
        found.extend(provider(item))
    return found
