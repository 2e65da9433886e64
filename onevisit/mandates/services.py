"""Writes of mandates: grant (by the principal, or a company's legal representative), accept (by the
agent), revoke (by the principal, at once). Each is one transaction with its history event."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from onevisit.catalog.models import Bundle, ItemType, ServiceItem, VersionStatus
from onevisit.errors import DomainError
from onevisit.history.services import record_change
from onevisit.mandates.models import Mandate, PrincipalKind
from onevisit.validators import clean_credit_code, clean_id_number

MAX_DAYS = 3 * 366  # a mandate lasts at most about three years; a new one can follow


def _principal(actor, kind: str, credit_code: str) -> tuple[str, str]:
    """Who grants: the signed-in person for themself, or the company they represent in the register."""
    own = getattr(actor, "id_number", None)
    if not own:
        raise PermissionDenied("只有登录的本人可以授权委托")
    if kind == PrincipalKind.PERSON:
        return own, getattr(actor, "real_name", "") or own
    if kind != PrincipalKind.COMPANY:
        raise ValidationError({"principal_kind": "委托人类型应为 person 或 company"})
    try:
        code = clean_credit_code(credit_code)
    except ValidationError as exc:
        raise ValidationError({"credit_code": exc.messages[0]}) from None
    from onevisit.datahub.selectors import represents

    if not represents(user=actor, credit_code=code):
        raise PermissionDenied("只有该单位在法人库登记的法定代表人可以以单位名义授权委托")
    from onevisit.datahub.models import DataRecord

    record = DataRecord.objects.filter(resource__key="legal_entity", identifier=code).values_list("data", flat=True).first()
    return code, (record or {}).get("name") or code


def _scope(item_codes, bundle_codes, item_types, project_codes) -> dict:
    errors = {}
    item_codes = sorted({c.strip() for c in item_codes or [] if c and c.strip()})
    bundle_codes = sorted({c.strip() for c in bundle_codes or [] if c and c.strip()})
    item_types = sorted({t.strip() for t in item_types or [] if t and t.strip()})
    project_codes = sorted({c.strip() for c in project_codes or [] if c and c.strip()})
    known = set(ServiceItem.objects.filter(implementation_code__in=item_codes, status=VersionStatus.PUBLISHED)
                .values_list("implementation_code", flat=True))
    for i, code in enumerate(item_codes):
        if code not in known:
            errors[f"item_codes[{i}]"] = f"事项 {code} 不存在或未发布"
    known = set(Bundle.objects.filter(code__in=bundle_codes, status=VersionStatus.PUBLISHED).values_list("code", flat=True))
    for i, code in enumerate(bundle_codes):
        if code not in known:
            errors[f"bundle_codes[{i}]"] = f"一件事 {code} 不存在或未发布"
    for i, kind in enumerate(item_types):
        if kind not in ItemType.values:
            errors[f"item_types[{i}]"] = "事项类型取值无效"
    if not (item_codes or bundle_codes or item_types or project_codes):
        errors["item_codes"] = "请选择委托办理的事项、一件事或事项类型"
    if errors:
        raise ValidationError(errors)
    return {"item_codes": item_codes, "bundle_codes": bundle_codes, "item_types": item_types,
            "project_codes": project_codes}


@transaction.atomic
def mandate_grant(*, actor, agent_id_number: str, agent_name: str, valid_from: dt.date, valid_until: dt.date,
                  item_codes=None, bundle_codes=None, item_types=None, project_codes=None,
                  principal_kind: str = PrincipalKind.PERSON, credit_code: str = "", note: str = "",
                  now: dt.datetime | None = None) -> Mandate:
    now = now or timezone.now()
    principal_id, principal_name = _principal(actor, principal_kind, credit_code)
    errors = {}
    try:
        agent_id_number = clean_id_number(agent_id_number)
    except ValidationError as exc:
        errors["agent_id_number"] = exc.messages[0]
    agent_name = (agent_name or "").strip()
    if not agent_name:
        errors["agent_name"] = "受托人姓名必须填写"
    elif len(agent_name) > 50:
        errors["agent_name"] = "受托人姓名过长"
    if agent_id_number == principal_id:
        errors["agent_id_number"] = "不能委托给自己"
    today = timezone.localdate(now)
    if valid_from < today:
        errors["valid_from"] = "生效日期不能早于今天"
    if valid_until < valid_from:
        errors["valid_until"] = "截止日期不能早于生效日期"
    elif (valid_until - valid_from).days > MAX_DAYS:
        errors["valid_until"] = "委托期限最长三年"
    if len(note or "") > 300:
        errors["note"] = "委托说明不超过300字"
    if errors:
        raise ValidationError(errors)
    scope = _scope(item_codes, bundle_codes, item_types, project_codes)
    mandate = Mandate.objects.create(
        principal_kind=principal_kind, principal_id=principal_id, principal_name=principal_name,
        agent_id_number=agent_id_number, agent_name=agent_name, valid_from=valid_from, valid_until=valid_until,
        note=(note or "").strip(), granted_by=actor, granted_at=now, **scope)
    record_change(obj=mandate, actor=actor, action="granted", data={
        "principal": principal_id, "agent": agent_id_number, **scope, "valid_from": valid_from,
        "valid_until": valid_until})
    return mandate


@transaction.atomic
def mandate_accept(*, actor, mandate: Mandate, now: dt.datetime | None = None) -> Mandate:
    mandate = Mandate.objects.select_for_update().get(pk=mandate.pk)
    if getattr(actor, "id_number", None) != mandate.agent_id_number:
        raise PermissionDenied("只有受托人本人可以确认接受委托")
    if mandate.revoked_at is not None:
        raise DomainError("该委托已被撤销", code="mandate_revoked")
    if mandate.accepted_at is not None:
        return mandate
    mandate.accepted_at = now or timezone.now()
    mandate.save(update_fields=["accepted_at"])
    record_change(obj=mandate, actor=actor, action="accepted")
    return mandate


def can_revoke(actor, mandate: Mandate) -> bool:
    own = getattr(actor, "id_number", None)
    if not own:
        return False
    if mandate.principal_kind == PrincipalKind.PERSON:
        return own == mandate.principal_id
    from onevisit.datahub.selectors import represents

    return represents(user=actor, credit_code=mandate.principal_id)


@transaction.atomic
def mandate_revoke(*, actor, mandate: Mandate, reason: str = "", now: dt.datetime | None = None) -> Mandate:
    """The principal takes the mandate back: from this moment the agent can no longer act under it."""
    mandate = Mandate.objects.select_for_update().get(pk=mandate.pk)
    if not can_revoke(actor, mandate):
        raise PermissionDenied("只有委托人本人（单位为其法定代表人）可以撤销委托")
    if mandate.revoked_at is not None:
        raise DomainError("该委托已撤销", code="mandate_revoked")
    mandate.revoked_at, mandate.revoked_by = now or timezone.now(), actor
    mandate.revoke_reason = (reason or "").strip()[:300]
    mandate.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    record_change(obj=mandate, actor=actor, action="revoked", reason=mandate.revoke_reason)
    return mandate
