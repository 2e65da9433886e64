"""The typed read models of a case: what the API answers, and what the console and the portal show.

One inside the other: a worklist row is the case summary; the state a transition answers is the summary
with its deadlines, visits, flags, delivery and (for a bundle) children; the detail adds the applicant,
the form, the materials, steps, notices, refusals, pauses, the visit log, documents, allowed actions and
the history. Every moment is given in China Standard Time (+08:00), whatever the database returns."""

import datetime as dt
from typing import Annotated, Any

from ninja import Schema
from pydantic import PlainSerializer

from onevisit.workdays.calendar import SHANGHAI


def local_moment(moment: dt.datetime) -> str:
    """A moment as the API writes it: China Standard Time, milliseconds, with the +08:00 offset."""
    return moment.astimezone(SHANGHAI).isoformat(timespec="milliseconds")


# A moment, always serialised in Asia/Shanghai with its offset.
Moment = Annotated[dt.datetime, PlainSerializer(local_moment, return_type=str)]


class CaseSummary(Schema):
    """A case in one line (worklists, lists, the children of a bundle)."""

    id: int
    number: str
    status: str
    status_label: str
    title: str  # what the applicant applied for: the item's name, or the bundle's for a bundle's parent
    item_code: str | None  # None for a bundle's parent (its children carry the items)
    item_name: str | None
    bundle: str | None
    bundle_name: str | None
    department_id: int
    parent_id: int | None
    stage: int
    channel: str
    applicant_name: str
    submitted_at: Moment
    promised_due: Moment | None
    colour: str
    green_lane: bool = False


class Deadlines(Schema):
    accepted_at: Moment | None
    promised_due: Moment | None
    legal_due: Moment | None
    warn_at: Moment | None
    decided_at: Moment | None
    paused_working_days: int
    extended_working_days: int
    colour: str


class Visits(Schema):
    promised: int
    actual: int
    exceeded: bool
    reason: str


class Flags(Schema):
    gaps_outstanding: bool
    gaps_due: Moment | None
    gaps_overdue: bool
    post_check_required: bool
    post_check_done_at: Moment | None
    visits_exceeded: bool
    green_lane: bool
    green_lane_reason: str


class Delivery(Schema):
    method: str
    tracking_number: str
    delivered_at: Moment | None


class NoticeOut(Schema):
    seq: int
    issued_at: Moment
    due_at: Moment | None  # supply what it names by then
    problems: list[dict[str, Any]]  # each: kind, key, name, reason, blocking (False: may follow under 容缺)
    resolved_at: Moment | None


class CaseState(CaseSummary):
    """What a transition answers: the case row's own facts (and a bundle's children)."""

    deadlines: Deadlines
    visits: Visits
    flags: Flags
    delivery: Delivery
    children: list[CaseSummary]
    detail: str
    notice: NoticeOut | None = None  # the notice a `notice` transition issued


class ApplicantOut(Schema):
    kind: str
    name: str
    id_number: str
    credit_code: str
    phone: str
    email: str
    address: str
    agent_name: str
    agent_id_number: str


class MaterialOut(Schema):
    key: str
    name: str
    necessity: str
    provision: str
    sha256: str
    size: int
    content_type: str
    supplied_at: Moment | None


class PauseOut(Schema):
    kind: str
    requested: list[dict[str, Any]]
    procedure: str
    started_at: Moment
    ended_at: Moment | None
    shifted_days: int
    reason: str


class DetailDeadlines(Deadlines):
    working_days_used: int
    pauses: list[PauseOut]


class StepOut(Schema):
    key: str
    name: str
    role: str
    due_at: Moment | None
    completed_at: Moment | None


class VisitOut(Schema):
    kind: str
    at: Moment


class DetailVisits(Visits):
    log: list[VisitOut]


class RefusalOut(Schema):
    id: int
    case_id: int
    kind: str
    reasons: str
    legal_basis: str
    department_id: int
    registered_at: Moment
    overturned_at: Moment | None
    overturn_reason: str


class DocumentOut(Schema):
    kind: str
    label: str
    url: str


class HistoryEntry(Schema):
    seq: int
    at: Moment
    actor: str
    action: str
    reason: str
    data: dict[str, Any]


class CaseDetail(CaseState):
    item_version: int
    applicant: ApplicantOut
    form: dict[str, Any]
    materials: list[MaterialOut]
    deadlines: DetailDeadlines
    steps: list[StepOut]
    visits: DetailVisits
    notices: list[NoticeOut]
    refusals: list[RefusalOut]
    documents: list[DocumentOut]
    actions: list[str]
    history: list[HistoryEntry]


class CasePage(Schema):
    """A keyset page of cases: `next_cursor` continues it (None on the last page)."""

    results: list[CaseSummary]
    next_cursor: str | None


class RefusalPage(Schema):
    results: list[RefusalOut]
    next_cursor: int | None
