"""The map from each verb of the transition table to its service and its input, beside the table.

The API's transition routes (POST /api/v1/cases/{id}/<path>) and the console's actions are both built
from this map, so adding a verb is one row of the table, one service and one entry here. Each service
takes `actor` and `case` and the payload's fields as keyword arguments (plus the path's own parameter,
e.g. the step of `complete_step`)."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ninja import Schema
from pydantic import Field

from onevisit.cases import services
from onevisit.cases.transitions import TABLE

# Limits of free text a person types into a transition (reasons, notes): long enough for a legal basis.
TEXT = 2000


class Empty(Schema):
    pass


class NoteIn(Schema):
    note: str = Field("", max_length=TEXT)


class NoticeIn(Schema):
    rejected: dict[str, str] = {}


class SupplementIn(Schema):
    form: dict[str, Any] = {}
    at_window: bool = False


class AcceptIn(Schema):
    gaps: bool = False
    gaps_due: dt.datetime | None = None


class RefuseIn(Schema):
    reasons: str = Field(..., max_length=TEXT)
    legal_basis: str = Field(..., max_length=TEXT)


class SuspendIn(Schema):
    procedure: str = Field(..., max_length=40)
    reason: str = Field(..., max_length=TEXT)


class RequestSupplementIn(Schema):
    materials: dict[str, str] = {}
    fields: dict[str, str] = {}


class ExtendIn(Schema):
    days: int
    reason: str = Field(..., max_length=TEXT)


class DeliverIn(Schema):
    method: str = Field("", max_length=20)
    tracking_number: str = Field("", max_length=60)


class WithdrawIn(Schema):
    reason: str = Field("", max_length=TEXT)


class PostCheckIn(Schema):
    result: str = Field(..., max_length=TEXT)
    passed: bool


class ChooseDeliveryIn(Schema):
    method: str = Field(..., max_length=20)
    address: str = Field("", max_length=300)


@dataclass(frozen=True)
class Verb:
    verb: str  # the transition table's verb
    service: Callable
    payload: type[Schema]
    path: str  # below /cases/{case_id}/; may name one more path parameter, e.g. {step_key}
    param: str | None = None  # that parameter's name, passed to the service as a keyword argument

    @property
    def label(self) -> str:
        return TABLE[self.verb].label

    def call(self, *, actor, case, payload: Schema, param: str | None = None):
        kwargs = payload.dict()
        if self.param:
            kwargs[self.param] = param
        return self.service(actor=actor, case=case, **kwargs)


VERBS: dict[str, Verb] = {
    v.verb: v
    for v in [
        Verb("notice", services.case_issue_notice, NoticeIn, "notice"),
        Verb("supplement", services.case_supplement, SupplementIn, "supplement"),
        Verb("accept", services.case_accept, AcceptIn, "accept"),
        Verb("refuse", services.case_refuse, RefuseIn, "refuse"),
        Verb("complete_step", services.case_complete_step, NoteIn, "steps/{step_key}/complete", "step_key"),
        Verb("approve", services.case_approve, NoteIn, "approve"),
        Verb("deny", services.case_deny, RefuseIn, "deny"),
        Verb("suspend", services.case_suspend, SuspendIn, "suspend"),
        Verb("resume", services.case_resume, NoteIn, "resume"),
        Verb("request_supplement", services.case_request_supplement, RequestSupplementIn, "request-supplement"),
        Verb("supply_requested", services.case_supply_requested, SupplementIn, "supply"),
        Verb("extend", services.case_extend, ExtendIn, "extend"),
        Verb("issue_result", services.case_issue_result, NoteIn, "result"),
        Verb("deliver", services.case_deliver, DeliverIn, "deliver"),
        Verb("archive", services.case_archive, Empty, "archive"),
        Verb("withdraw", services.case_withdraw, WithdrawIn, "withdraw"),
        Verb("post_check", services.case_record_post_check, PostCheckIn, "post-check"),
        Verb("choose_delivery", services.case_choose_delivery, ChooseDeliveryIn, "delivery"),
        Verb("commit", services.case_material_commit, Empty, "materials/{key}/commit", "key"),
    ]
}

# `accept_on_the_spot` is decided by case_accept (an on-the-spot item is decided at acceptance); `upload` and
# `supply_gap` take a file (POST /cases/{id}/materials/{key}); `overturn` acts on a refusal; the rest are the
# engine's own (bundle stages, roll-ups, overdue flags).
assert set(VERBS) <= set(TABLE), set(VERBS) - set(TABLE)
