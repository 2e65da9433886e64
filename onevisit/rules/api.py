"""/api/v1/rules: item versions' auto-approval rules (catalog administrators), their tests on sample
applicants, and each automatic decision with its trace (applicant and staff who may see the case)."""

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from onevisit.catalog.models import ServiceItem
from onevisit.datahub.auth import token_or_session
from onevisit.rules import services
from onevisit.rules.models import AutoDecision, AutoRule

router = Router(tags=["秒批"])


class RuleIn(Schema):
    definition: dict[str, Any]
    description: str = ""
    licence_type: str | None = None
    licence_action: str = "none"
    licence_data: dict[str, str] = {}


class SampleIn(Schema):
    label: str = ""
    facts: dict[str, Any] = {}


class TestIn(Schema):
    samples: list[SampleIn] = Field(..., min_length=1, max_length=100)


def _rule(rule: AutoRule) -> dict:
    return {"item_code": rule.item.implementation_code, "version": rule.item.version, "status": rule.item.status,
            "definition": rule.definition, "description": rule.description,
            "licence_type": rule.licence_type.code if rule.licence_type_id else None,
            "licence_action": rule.licence_action, "licence_data": rule.licence_data}


def _item(code: str, version: int) -> ServiceItem:
    return get_object_or_404(ServiceItem.objects.select_related("department"), implementation_code=code, version=version)


@router.get("/rules/decisions/{case_number}", auth=token_or_session, summary="办件的自动判定及其依据")
def decision(request, case_number: str):
    from onevisit.cases.selectors import case_get

    found = AutoDecision.objects.filter(case__number=case_number).values_list("case_id", flat=True).first()
    if found is None:
        raise Http404
    case_get(user=request.user, pk=found)  # 404 unless the user may see the case
    d = AutoDecision.objects.get(case_id=found)
    return {"case_number": case_number, "outcome": d.outcome, "outcome_label": d.get_outcome_display(),
            "reasons": d.reasons, "trace": d.trace, "decided_at": d.decided_at, "licence": d.licence_identifier or None}


@router.put("/rules/{code}/{version}", auth=token_or_session, summary="设置事项版本的秒批规则（草稿版本）")
def put_rule(request, code: str, version: int, payload: RuleIn):
    rule = services.rule_set(actor=request.user, item=_item(code, version), definition=payload.definition,
                             description=payload.description, licence_type_code=payload.licence_type,
                             licence_action=payload.licence_action, licence_data=payload.licence_data)
    return _rule(rule)


@router.get("/rules/{code}/{version}", auth=None, summary="事项版本的秒批规则（公开）")
def get_rule(request, code: str, version: int):
    rule = get_object_or_404(AutoRule.objects.select_related("item", "licence_type"),
                             item__implementation_code=code, item__version=version)
    return _rule(rule)


@router.post("/rules/{code}/{version}/test", auth=token_or_session, summary="用样例申请人试算规则（事项管理员）")
def test_rule(request, code: str, version: int, payload: TestIn):
    return {"results": services.rule_test(actor=request.user, item=_item(code, version),
                                          samples=[s.dict() for s in payload.samples])}
