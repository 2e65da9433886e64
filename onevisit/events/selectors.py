"""Reads of the event log and of subscriptions, with the permission rule: a department system sees the
events of its own departments' cases; a supervisor sees them all."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from onevisit.events.models import DeadLetter, OutboxEvent, Subscription
from onevisit.events.publisher import Outgoing, head_position, sequenced
from onevisit.orgs.models import Role
from onevisit.orgs.selectors import roles_of


def event_scope(user) -> set[int] | None:
    """The departments whose events the user may receive: None for all (supervisors, administrators), else
    the departments of their staff roles (an empty set: none)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return set()
    if user.is_superuser:
        return None
    roles = roles_of(user)
    if any(r.role == Role.SUPERVISOR and r.department_id is None for r in roles):
        return None
    return {r.department_id for r in roles if r.department_id}


def require_scope(user) -> set[int] | None:
    scope = event_scope(user)
    if scope is not None and not scope:
        raise PermissionDenied("只有部门工作人员（或其业务系统令牌）和监督人员可以读取或订阅办件事件")
    return scope


def events_visible(user, *, after: int = 0, limit: int = 100, types: list[str] | None = None,
                   item_code: str | None = None, department: int | None = None) -> tuple[list[Outgoing], int]:
    """Events after a position that the user may see, in position order, and the head position."""
    scope = require_scope(user)
    clauses, params = [], []
    if department is not None:
        if scope is not None and department not in scope:
            raise PermissionDenied("无权读取该部门的办件事件")
        clauses.append("department_id = %s")
        params.append(department)
    elif scope is not None:
        ids = sorted(scope)
        clauses.append(f"department_id IN ({', '.join(['%s'] * len(ids))})")
        params += ids
    if item_code:
        clauses.append("item_code = %s")
        params.append(item_code)
    if types:
        clauses.append(f"type IN ({', '.join(['%s'] * len(types))})")
        params += types
    head = head_position()
    return sequenced(after=after, until=head, limit=limit, where=" AND ".join(clauses), params=params), head


def oldest_position() -> int:
    return OutboxEvent.objects.filter(position__isnull=False).order_by("position").values_list(
        "position", flat=True).first() or 0


def subscriptions_of(user) -> list[Subscription]:
    return list(Subscription.objects.filter(owner=user).order_by("id"))


def subscription_for(user, pk: int) -> Subscription:
    """The user's own subscription (administrators: any); another's is not found."""
    qs = Subscription.objects.select_related("owner")
    if not getattr(user, "is_superuser", False):
        qs = qs.filter(owner=user)
    sub = qs.filter(pk=pk).first()
    if sub is None:
        raise Http404("订阅不存在")
    return sub


def dead_letters_of(sub: Subscription, *, pending_only: bool = False) -> list[DeadLetter]:
    qs = sub.dead_letters.order_by("position")
    if pending_only:
        qs = qs.filter(resent_at__isnull=True)
    return list(qs)
