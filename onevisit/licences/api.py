"""/api/v1/licences: public verification (what a QR code points at), issuing and revoking for departments."""

from datetime import date, datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from onevisit.datahub.auth import token_or_session
from onevisit.licences import services
from onevisit.licences.models import Licence, LicenceType

router = Router(tags=["电子证照"])


def mask(holder: str) -> str:
    return holder[:4] + "*" * max(0, len(holder) - 8) + holder[-4:] if len(holder) > 8 else "****"


class LicenceSummary(Schema):
    identifier: str
    type_code: str
    type_name: str
    issuer: str
    holder: str
    version: int
    issued_at: datetime
    valid_until: date | None
    status: str
    predecessor: str | None
    successor: str | None


class VerifyOut(Schema):
    identifier: str
    verdict: str
    label: str
    licence: LicenceSummary | None


def summary(licence: Licence, *, masked: bool) -> dict:
    successor = getattr(licence, "successor", None) if licence.status == "superseded" else None
    return {
        "identifier": licence.identifier, "type_code": licence.licence_type.code, "type_name": licence.licence_type.name,
        "issuer": licence.issuer.name, "holder": mask(licence.holder) if masked else licence.holder,
        "version": licence.version, "issued_at": licence.issued_at, "valid_until": licence.valid_until,
        "status": licence.status, "predecessor": licence.predecessor.identifier if licence.predecessor_id else None,
        "successor": successor.identifier if successor else None,
    }


@router.get("/licences/verify/{identifier}", response=VerifyOut, auth=None, summary="核验电子证照（公开）")
def verify(request, identifier: str):
    result = services.licence_verify(identifier=identifier)
    return {"identifier": result.identifier, "verdict": result.verdict, "label": result.label,
            "licence": summary(result.licence, masked=True) if result.licence else None}


class IssueIn(Schema):
    type_code: str
    holder: str
    data: dict
    case_number: str | None = None


class IssuedOut(Schema):
    identifier: str
    licence: LicenceSummary


@router.post("/licences", response=IssuedOut, auth=token_or_session, summary="签发电子证照")
def issue(request, payload: IssueIn):
    licence_type = get_object_or_404(LicenceType.objects.select_related("issuer"), code=payload.type_code.upper())
    licence = services.licence_issue(actor=request.user, licence_type=licence_type, holder=payload.holder,
                                     data=payload.data, case_number=payload.case_number)
    return {"identifier": licence.identifier, "licence": summary(licence, masked=False)}


class RevokeIn(Schema):
    reason: str


@router.post("/licences/{identifier}/revoke", response=LicenceSummary, auth=token_or_session, summary="注销电子证照")
def revoke(request, identifier: str, payload: RevokeIn):
    licence = get_object_or_404(Licence.objects.select_related("licence_type", "issuer"), identifier=identifier)
    services.licence_revoke(actor=request.user, licence=licence, reason=payload.reason)
    return summary(licence, masked=False)


@router.get("/licences/{identifier}/pdf", auth=token_or_session, summary="电子证照 PDF（持证人或签发部门）")
def pdf(request, identifier: str):
    from django.core.exceptions import PermissionDenied
    from django.http import HttpResponse

    from onevisit.licences.rendering import licence_pdf
    from onevisit.orgs.models import Role
    from onevisit.orgs.selectors import has_role

    licence = get_object_or_404(Licence.objects.select_related("licence_type", "issuer", "signing_key", "predecessor"),
                                identifier=identifier)
    own = getattr(request.user, "id_number", None) and request.user.id_number == licence.holder
    if not own and not any(has_role(request.user, r, department=licence.issuer) for r in (Role.APPROVER, Role.DATA_ADMIN,
                                                                                          Role.REVIEWER)):
        raise PermissionDenied("只有持证人或签发部门可以下载证照文件")
    from onevisit.events.documents import licence_pdf_stored

    # Rendered ahead by a worker when the task queue runs (onevisit.events.documents); else rendered now.
    response = HttpResponse(licence_pdf_stored(licence) or licence_pdf(licence), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{licence.licence_type.code}-{licence.serial}.pdf"'
    return response
