"""The case engine's seam: how every other app reacts to a case without the engine knowing it.

The engine imports none of the apps that plug in here; each app registers in its `AppConfig.ready()`
(docs/decisions/0011-engine-seam.md). Five kinds of hook:

- `before_submit(fn)`: enrichers. Called while a case is being created, after validation and numbering,
  before its row is written: `fn(submission)` may change the unsaved case, its materials and its form
  (the data hub fetches proofs and prefills). It returns a callable to run once the case row exists (to
  write rows that point at it), or None. An enricher runs inside the submission's transaction: an error
  refuses the submission.
- `event_facts(*verbs)(fn)`: contributors inside the transition's transaction, before the case moves and
  its history event is appended: `fn(case, verb, actor, at)` returns facts to add to the event (or None) and may refuse the
  transition by raising. For what must be part of the step itself (the e-licence issued with a result).
- `on_transition(*verbs)(fn)`: listeners inside the transition's transaction, after the history event is
  appended: `fn(moved)`. For facts that must commit together with the change or not at all (the
  applicant's notification rows, outbound events, statistics). A listener that raises undoes the
  transition, so listeners write rows and do nothing slow.
- `after_commit(name, verbs=..., applies=...)(fn)`: reactions. When a transition with one of the verbs is
  written and `applies(moved)` holds, a `CaseReaction` row is written in the same transaction (so a
  crash after the commit loses nothing); after the commit the reaction runs in its own transaction with
  the row locked, `fn(call)`, and the row is marked done in that same transaction, so a reaction's effects
  and its "done" commit together. A reaction that raises leaves its row pending with the error;
  `manage.py run_reactions` (and the scheduled task) runs it again. Reactions therefore must tolerate a
  case that has moved on meanwhile (check the status, do nothing when there is nothing to do).
- `authorise_applicant(fn)`: at submission, when a signed-in person applies in someone else's name (a
  principal, a company): `fn(actor, case)` answers `(claim, reference)` when it finds the entitlement (a
  mandate, the register's legal representative), or None. No answer: the submission is refused.
- `applicant_standing(fn)`: at acceptance, `fn(case)` answers restrictions on the applicant (barred from
  容缺 or 告知承诺, with the reason) and privileges (a green lane). The engine applies them.
- `case_access(who=..., visible=...)`: extra ways a user relates to a case (an agent under a mandate, the
  accepting hall of a case handled elsewhere): `who(user, case)` adds roles of the transition table,
  `visible(user)` adds a Q filter of cases the user may see.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger("onevisit.cases.hooks")

# A new reaction runs right after its commit; the sweeper takes it only if it is still pending this long
# after (the process that committed it died, or the reaction failed and is due again).
SWEEP_GRACE = dt.timedelta(seconds=60)

# ------------------------------------------------------------------------------------------------
# What the hooks are given


@dataclass
class Submission:
    """A case being created: the unsaved case (number assigned), the item version it is frozen to, its
    material rows (unsaved; those the applicant uploads already marked uploaded), its form fields and the
    acting user."""

    actor: Any
    case: Any
    item: Any
    materials: list
    channel: str
    fields: list = field(default_factory=list)  # the item version's form fields (read once, cached per worker)


@dataclass(frozen=True)
class Moved:
    """One transition as written: the locked case after the change, the verb, the statuses, the acting
    user, the moment, the facts of the history event and its position in the case's chain."""

    case: Any
    verb: str
    before: str | None
    after: str
    actor: Any
    at: dt.datetime
    data: dict
    seq: int
    batch: tuple[str, ...] = ()  # all the verbs written together with this one (a batch, e.g. 秒批), in order


@dataclass(frozen=True)
class ReactionCall:
    """What a reaction is run with: the case, the verb and chain position that caused it, the attempt."""

    case_id: int
    verb: str
    seq: int
    attempt: int
    name: str


@dataclass(frozen=True)
class Standing:
    """An applicant's standing at acceptance (from the credit lists or any other source)."""

    gaps_barred: str = ""  # why 容缺受理 is not allowed (empty: allowed)
    commitment_barred: str = ""  # why 告知承诺 is not allowed (empty: allowed)
    green_lane: str = ""  # why the case goes first (empty: no green lane)


@dataclass(frozen=True)
class Reaction:
    name: str
    verbs: frozenset[str]
    fn: Callable[[ReactionCall], Any]
    applies: Callable[[Moved], bool] | None = None
    max_attempts: int = 8


@dataclass
class _Registry:
    enrichers: list[Callable] = field(default_factory=list)
    contributors: list[tuple[frozenset[str], Callable]] = field(default_factory=list)
    listeners: list[tuple[frozenset[str], Callable]] = field(default_factory=list)
    reactions: dict[str, Reaction] = field(default_factory=dict)
    standings: list[tuple[Callable, bool]] = field(default_factory=list)  # (source, may grant a green lane)
    authorisers: list[Callable] = field(default_factory=list)
    who: list[Callable] = field(default_factory=list)
    visible: list[Callable] = field(default_factory=list)


registry = _Registry()

# ------------------------------------------------------------------------------------------------
# Registration (from AppConfig.ready)


def before_submit(fn: Callable[[Submission], Callable[[], None] | None]) -> Callable:
    if fn not in registry.enrichers:
        registry.enrichers.append(fn)
    return fn


def event_facts(*verbs: str) -> Callable:
    """Contribute facts to the history event of the given verbs (none: every transition)."""

    def register(fn: Callable[..., dict | None]) -> Callable:
        if all(existing is not fn for _v, existing in registry.contributors):
            registry.contributors.append((frozenset(verbs), fn))
        return fn

    return register


def on_transition(*verbs: str) -> Callable:
    """Listen to the given verbs (none: every transition), inside the transition's transaction."""

    def register(fn: Callable[[Moved], None]) -> Callable:
        entry = (frozenset(verbs), fn)
        if all(existing is not fn for _v, existing in registry.listeners):
            registry.listeners.append(entry)
        return fn

    return register


def after_commit(name: str, *, verbs: Iterable[str], applies: Callable[[Moved], bool] | None = None,
                 max_attempts: int = 8) -> Callable:
    """Register a durable reaction under a unique name (kept in the CaseReaction rows: do not rename)."""

    def register(fn: Callable[[ReactionCall], Any]) -> Callable:
        registry.reactions[name] = Reaction(name, frozenset(verbs), fn, applies, max_attempts)
        return fn

    return register


def applicant_standing(fn: Callable[[Any], Standing | None] | None = None, *, grants: bool = True):
    """Register a source of applicants' standing. `grants=False`: it only ever restricts (bars 容缺 or 告知承诺),
    so the engine asks it only when an acceptance would use one of those; a source that may grant a green
    lane is asked at every acceptance."""

    def register(source: Callable[[Any], Standing | None]) -> Callable:
        if all(existing is not source for existing, _g in registry.standings):
            registry.standings.append((source, grants))
        return source

    return register(fn) if fn is not None else register


def authorise_applicant(fn: Callable[[Any, Any], tuple[str, str] | None]) -> Callable:
    if fn not in registry.authorisers:
        registry.authorisers.append(fn)
    return fn


def case_access(*, who: Callable | None = None, visible: Callable | None = None) -> None:
    if who is not None and who not in registry.who:
        registry.who.append(who)
    if visible is not None and visible not in registry.visible:
        registry.visible.append(visible)


# ------------------------------------------------------------------------------------------------
# Called by the engine


def enrich(submission: Submission) -> list[Callable[[], None]]:
    after = []
    for fn in registry.enrichers:
        then = fn(submission)
        if then is not None:
            after.append(then)
    return after


def facts_for(case, verb: str, actor, at: dt.datetime) -> dict:
    out: dict = {}
    for verbs, fn in registry.contributors:
        if not verbs or verb in verbs:
            out.update(fn(case, verb, actor, at) or {})
    return out


def authorise(actor, case) -> tuple[str, str] | None:
    """The first entitlement a source finds for the actor to apply in the case's applicant's name."""
    for fn in registry.authorisers:
        found = fn(actor, case)
        if found:
            return found
    return None


def standing_of(case, *, restrictions: bool = True) -> Standing:
    """All sources merged: the first reason given for each restriction wins. `restrictions=False`: the caller
    needs only what may be granted (no 容缺, no commitment in this acceptance), so restricting-only sources
    are not asked."""
    gaps = commitment = green = ""
    for fn, grants in registry.standings:
        if not (grants or restrictions):
            continue
        s = fn(case)
        if s is None:
            continue
        gaps, commitment, green = gaps or s.gaps_barred, commitment or s.commitment_barred, green or s.green_lane
    return Standing(gaps, commitment, green)


def extra_who(user, case) -> set:
    out: set = set()
    for fn in registry.who:
        out |= set(fn(user, case) or ())
    return out


def extra_visible(user) -> Q | None:
    q = None
    for fn in registry.visible:
        more = fn(user)
        if more is not None:
            q = more if q is None else q | more
    return q


def transitioned(moved: Moved) -> None:
    """Run the listeners, then record and schedule the reactions of one written transition."""
    for verbs, fn in registry.listeners:
        if not verbs or moved.verb in verbs:
            fn(moved)
    wanted = [r for r in registry.reactions.values()
              if moved.verb in r.verbs and (r.applies is None or r.applies(moved))]
    if not wanted:
        return
    from onevisit.cases.models import CaseReaction

    rows = CaseReaction.objects.bulk_create([
        CaseReaction(case_id=moved.case.pk, name=r.name, verb=moved.verb, event_seq=moved.seq,
                     run_after=moved.at + SWEEP_GRACE)
        for r in wanted
    ])
    moved.case._onevisit_reacted = True  # the caller may re-read the case once the reactions have run
    ids = [r.pk for r in rows]
    if all(ids):
        transaction.on_commit(functools.partial(dispatcher(), ids), robust=True)
    else:  # a backend that does not return ids from bulk inserts: the sweeper picks them up
        transaction.on_commit(functools.partial(run_pending, case_id=moved.case.pk), robust=True)


# ------------------------------------------------------------------------------------------------
# Running reactions


def dispatcher() -> Callable[[list[int]], None]:
    """Who runs new reactions after the commit: the function named by ONEVISIT_REACTION_DISPATCHER (given the
    row ids; a task queue's, which runs `run_reaction(pk)` on a worker), or `run_reactions` here, in-process."""
    path = getattr(settings, "ONEVISIT_REACTION_DISPATCHER", "")
    return import_string(path) if path else run_reactions


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 6 * 3600))


def run_reaction(pk: int) -> bool | None:
    """Run one pending reaction in its own transaction. True: done; False: failed (kept for a retry);
    None: nothing to do (done already, taken by another worker, or no longer registered)."""
    from onevisit.cases.models import CaseReaction

    with transaction.atomic():
        row = (CaseReaction.objects.select_for_update(skip_locked=True)
               .filter(pk=pk, done_at__isnull=True).first())
        if row is None:
            return None
        reaction = registry.reactions.get(row.name)
        if reaction is None:
            logger.warning("reaction %s is not registered; case %s left pending", row.name, row.case_id)
            return None
        call = ReactionCall(case_id=row.case_id, verb=row.verb, seq=row.event_seq, attempt=row.attempts + 1,
                            name=row.name)
        try:
            with transaction.atomic():
                reaction.fn(call)
        except Exception as exc:  # the reaction's own writes rolled back; keep the row for a retry
            row.attempts += 1
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000] + "\n" + traceback.format_exc(limit=8)[-4000:]
            row.run_after = timezone.now() + _backoff(row.attempts)
            if row.attempts >= reaction.max_attempts:
                row.given_up_at = timezone.now()
            row.save(update_fields=["attempts", "last_error", "run_after", "given_up_at"])
            logger.exception("reaction %s of case %s failed (attempt %s)", row.name, row.case_id, row.attempts)
            return False
        row.attempts += 1
        row.done_at = timezone.now()
        row.save(update_fields=["attempts", "done_at"])
        return True


def run_reactions(ids: Iterable[int]) -> None:
    for pk in ids:
        try:
            run_reaction(pk)
        except Exception:  # never fail the request that committed the transition
            logger.exception("reaction row %s could not be run", pk)


def run_pending(*, case_id: int | None = None, limit: int = 500, now: dt.datetime | None = None,
                include_given_up: bool = False) -> dict[str, int]:
    """Run the reactions that are due (failed earlier, or never run because a process died after the
    commit). Returns counts of done, failed and skipped."""
    from onevisit.cases.models import CaseReaction

    now = now or timezone.now()
    qs = CaseReaction.objects.filter(done_at__isnull=True, run_after__lte=now)
    if not include_given_up:
        qs = qs.filter(given_up_at__isnull=True)
    if case_id is not None:
        qs = qs.filter(case_id=case_id)
    counts = {"done": 0, "failed": 0, "skipped": 0}
    for pk in qs.order_by("run_after", "id").values_list("pk", flat=True)[:limit]:
        outcome = run_reaction(pk)
        counts["done" if outcome else "failed" if outcome is False else "skipped"] += 1
    return counts
