"""/api/v1/mandates: a person grants, accepts and revokes mandates (授权委托) for themself or the company
they legally represent. Thin adapters over onevisit.mandates.services and selectors."""

import datetime as dt

from django.http import Http404
from ninja import Router, Schema, Status
from pydantic import Field

from onevisit.accounts.auth import staff_auth
from onevisit.api_schemas import ERRORS
from onevisit.mandates import services
from onevisit.mandates.models import Mandate
from onevisit.mandates.selectors import mandates_of

router = Router(tags=["授权委托"], auth=staff_auth)


class MandateIn(Schema):
    principal_kind: str = Field("person", max_length=10)
    credit_code: str = Field("", max_length=18)
    agent_id_number: str = Field(..., max_length=18)
    agent_name: str = Field(..., max_length=50)
    item_codes: list[str] = Field([], max_length=200)
    bundle_codes: list[str] = Field([], max_length=50)
    item_types: list[str] = Field([], max_length=20)
    project_codes: list[str] = Field([], max_length=50)
    valid_from: dt.date
    valid_until: dt.date
    note: str = Field("", max_length=300)


class RevokeIn(Schema):
    reason: str = Field("", max_length=300)


class MandateOut(Schema):
    id: int
    principal_kind: str
    principal_id: str
    principal_name: str
    agent_id_number: str
    agent_name: str
    item_codes: list[str]
    bundle_codes: list[str]
    item_types: list[str]
    project_codes: list[str]
    valid_from: dt.date
    valid_until: dt.date
    note: str
    granted_at: dt.datetime
    accepted_at: dt.datetime | None
    revoked_at: dt.datetime | None
    revoke_reason: str


def _own(request, pk: int) -> Mandate:
    """A mandate the user gave or received (or their company gave); 404 for anyone else's."""
    mandate = mandates_of(user=request.user).filter(pk=pk).first() or Mandate.objects.filter(
        pk=pk, principal_kind="company").first()
    if mandate is None or (request.user.id_number not in (mandate.principal_id, mandate.agent_id_number)
                           and not services.can_revoke(request.user, mandate)):
        raise Http404("委托不存在或无权查看")
    return mandate


@router.post("/mandates", response={201: MandateOut, **ERRORS}, summary="授权委托（本人，或以本人为法定代表人的单位）")
def grant(request, payload: MandateIn):
    mandate = services.mandate_grant(actor=request.user, **payload.dict())
    return Status(201, mandate)


@router.get("/mandates", response={200: list[MandateOut], **ERRORS}, summary="我给出和收到的授权委托")
def mine(request):
    return list(mandates_of(user=request.user)[:200])


@router.post("/mandates/{mandate_id}/accept", response={200: MandateOut, **ERRORS}, summary="受托人确认接受委托")
def accept(request, mandate_id: int):
    return services.mandate_accept(actor=request.user, mandate=_own(request, mandate_id))


@router.post("/mandates/{mandate_id}/revoke", response={200: MandateOut, **ERRORS}, summary="委托人撤销委托（立即生效）")
def revoke(request, mandate_id: int, payload: RevokeIn):
    return services.mandate_revoke(actor=request.user, mandate=_own(request, mandate_id), reason=payload.reason)
