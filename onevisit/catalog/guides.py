"""办事指南: the complete guide of an item version and of a 一件事 bundle, as plain data.

The JSON endpoint and the printable HTML page both render exactly what these two functions return,
so the two can never say different things."""

from typing import Any

from onevisit.catalog.bundles import bundle_plan
from onevisit.catalog.hooks import checked_conditions
from onevisit.catalog.models import (
    Bundle,
    Channel,
    FieldType,
    ItemType,
    LimitUnit,
    MaterialForm,
    MaterialKind,
    MaterialSource,
    Necessity,
    OnlineDepth,
    ServiceItem,
    SpecialProcedureKind,
    Target,
)

NEED_NOT_BRING = "无需提交，由部门通过数据共享获取"
CHECKED_NOTE = "以下条件由系统依据共享数据自动核验；下方文字说明与之不一致的，以这些条件为准"


def choice(enum, value) -> dict[str, Any]:
    try:
        label = enum(value).label
    except ValueError:
        label = str(value)
    return {"value": value, "label": label}


def limit(value: int, unit: str) -> dict[str, Any]:
    """A time limit with its unit; 即办 (on the spot) has no number."""
    if unit == LimitUnit.ON_THE_SPOT:
        text = LimitUnit.ON_THE_SPOT.label
    else:
        text = f"{value}个{LimitUnit(unit).label}"
    return {"value": value, "unit": unit, "unit_label": LimitUnit(unit).label, "text": text}


def department(dept) -> dict[str, str]:
    return {"name": dept.name, "credit_code": dept.credit_code}


def _visits_text(visits: int) -> str:
    return "零跑动（一次不用跑）" if visits == 0 else f"最多跑{visits}次"


def _material(m) -> dict[str, Any]:
    need_not_bring = bool(m.shared_data_key)
    return {
        "key": m.key,
        "name": m.name,
        "kind": choice(MaterialKind, m.kind),
        "necessity": choice(Necessity, m.necessity),
        "form": choice(MaterialForm, m.form),
        "copies": m.copies,
        "source": choice(MaterialSource, m.source),
        "standard": m.standard,
        "legal_basis": getattr(m, "legal_basis", ""),
        "commitment_allowed": m.commitment_allowed,
        "shared_data_key": m.shared_data_key,
        "need_not_bring": need_not_bring,
        "need_not_bring_note": NEED_NOT_BRING if need_not_bring else "",
    }


def _field(f) -> dict[str, Any]:
    return {
        "key": f.key,
        "label": f.label,
        "field_type": choice(FieldType, f.field_type),
        "required": f.required,
        "choices": list(f.choices or []),
        "help_text": f.help_text,
        "prefill_key": f.prefill_key,
    }


def item_guide(item: ServiceItem) -> dict[str, Any]:
    """The guide of one item version. Expects the prefetches of catalog.selectors (fixed query count).
    The conditions checked automatically (catalog.hooks: the version's 秒批 rule) come first, ahead of the
    conditions typed by the administrator."""
    if item.charges_fee:
        fee_text = f"收费：{item.fee_standard or ''}{'，' if item.fee_standard and item.fee_amount else ''}"
        fee_text += f"{item.fee_amount}元" if item.fee_amount else ""
    else:
        fee_text = "不收费"
    checked = checked_conditions(item)
    return {
        "kind": "item",
        "name": item.name,
        "implementation_code": item.implementation_code,
        "basic_code": item.basic_code,
        "business_code": item.business_code,
        "version": item.version,
        "status": item.status,
        "published_at": item.published_at,
        "item_type": choice(ItemType, item.item_type),
        "level": {"value": item.level, "label": item.get_level_display()},
        "region": {"code": item.region.code, "name": item.region.name},
        "department": department(item.department),
        "co_departments": [department(d) for d in item.co_departments.all()],
        "legal_basis": item.legal_basis,
        "checked_conditions": [
            {"text": c.text, "source": c.source, "checked_by": c.checked_by} for c in checked
        ],
        "conditions_note": CHECKED_NOTE if checked else "",
        "conditions": item.conditions,
        "targets": [choice(Target, t) for t in item.targets],
        "materials": [_material(m) for m in item.materials.all()],
        "form_fields": [_field(f) for f in item.fields.all()],
        "steps": [
            {"position": s.position, "key": s.key, "name": s.name, "role": s.get_role_display(), "share": s.share}
            for s in item.steps.all()
        ],
        "legal_limit": limit(item.legal_limit, item.legal_limit_unit),
        "promised_limit": limit(item.promised_limit, item.promised_limit_unit),
        "limit_note": item.limit_note,
        "fee": {
            "charges_fee": item.charges_fee,
            "amount": str(item.fee_amount),
            "standard": item.fee_standard,
            "basis": item.fee_basis,
            "waivable": item.fee_waivable,
            "text": fee_text,
        },
        "promised_visits": item.promised_visits,
        "visits_text": _visits_text(item.promised_visits),
        "visits_reason": item.visits_reason,
        "channels": [choice(Channel, c) for c in item.channels],
        "online_depth": choice(OnlineDepth, item.online_depth),
        "scope": {"value": item.scope, "label": item.get_scope_display()},
        "allows_gaps": item.allows_gaps,
        "allows_commitment": item.allows_commitment,
        "special_procedures": [
            {
                "kind": choice(SpecialProcedureKind, sp.kind),
                "cap": limit(sp.cap, sp.cap_unit),
                "note": sp.note,
            }
            for sp in item.special_procedures.all()
        ],
        "result": {"type": {"value": item.result_type, "label": item.get_result_type_display()},
                   "name": item.result_name},
        "place": item.place,
        "hours": item.hours,
        "consult": item.consult_phone,
        "complaint": item.complaint_phone,
    }


def bundle_guide(bundle: Bundle) -> dict[str, Any]:
    """The guide of a 一件事: stages in series, items in one stage in parallel, one merged form and one
    merged material list (from bundle_plan), each item's department and limit."""
    plan = bundle_plan(bundle)
    names = {i.implementation_code: i.name for i in plan.items}

    def used_by(codes: list[str]) -> list[dict[str, str]]:
        return [{"implementation_code": c, "name": names.get(c, c)} for c in codes]

    stages = []
    for number, stage in enumerate(plan.stages, start=1):
        stages.append({
            "stage": number,
            "mode": "并联办理" if len(stage) > 1 else "单项办理",
            "items": [
                {
                    "implementation_code": i.implementation_code,
                    "name": i.name,
                    "version": i.version,
                    "department": department(i.department),
                    "promised_limit": limit(i.promised_limit, i.promised_limit_unit),
                    "promised_visits": i.promised_visits,
                }
                for i in stage
            ],
        })
    materials = []
    for m in plan.materials:
        row = _material(m)
        row["used_by"] = used_by(m.item_codes)
        if m.produced_by:  # a sibling item's result, passed on inside the bundle
            row["need_not_bring"] = True
            row["need_not_bring_note"] = "无需提交，由本一件事中" + "、".join(
                i["name"] for i in used_by(m.produced_by)) + "的办理结果内部流转"
        materials.append(row)
    fields = []
    for f in plan.fields:
        row = _field(f)
        row["used_by"] = used_by(f.item_codes)
        fields.append(row)
    return {
        "kind": "bundle",
        "code": bundle.code,
        "name": bundle.name,
        "description": bundle.description,
        "status": bundle.status,
        "updated_at": bundle.updated_at,
        "lead_department": department(bundle.lead_department),
        "promised_limit": limit(bundle.promised_limit, bundle.promised_limit_unit),
        "promised_visits": bundle.promised_visits,
        "visits_text": _visits_text(bundle.promised_visits),
        "stages": stages,
        "departments": _unique([department(i.department) for i in plan.items]),
        "form_fields": fields,
        "materials": materials,
        "problems": plan.problems,
    }


def _unique(rows: list[dict]) -> list[dict]:
    seen, out = set(), []
    for row in rows:
        if row["credit_code"] not in seen:
            seen.add(row["credit_code"])
            out.append(row)
    return out
