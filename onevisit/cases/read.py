"""Builders of the typed read models (onevisit.cases.schemas) from a case row or a worklist row's values.
The API answers them; the console and the portal render the same dictionaries, so the three agree."""

import datetime as dt
from functools import cache

from django.utils import timezone

from onevisit.cases import clock
from onevisit.cases.models import Case, CaseStatus, Refusal
from onevisit.cases.selectors import case_actions, case_documents, case_history, case_materials


@cache
def status_labels() -> dict[str, str]:
    return {value: str(label) for value, label in CaseStatus.choices}


def _what(is_parent: bool, item_code, item_name, bundle_code, bundle_name) -> dict:
    if is_parent:
        return {"title": bundle_name, "item_code": None, "item_name": None, "bundle": bundle_code,
                "bundle_name": bundle_name}
    return {"title": item_name, "item_code": item_code, "item_name": item_name, "bundle": bundle_code,
            "bundle_name": bundle_name}


def summary_of(case: Case, now: dt.datetime) -> dict:
    bundle = case.bundle if case.bundle_id else None
    return {
        "id": case.pk, "number": case.number, "status": case.status, "status_label": status_labels()[case.status],
        **_what(case.is_bundle_parent, case.item_code, case.item.name, bundle.code if bundle else None,
                bundle.name if bundle else None),
        "department_id": case.department_id, "parent_id": case.parent_id, "stage": case.stage,
        "channel": case.channel, "applicant_name": case.applicant_name, "submitted_at": case.submitted_at,
        "promised_due": case.promised_due, "colour": clock.colour_of(case, now), "green_lane": case.green_lane,
    }


# The columns a worklist row is built from (worklists.ROW_COLUMNS reads exactly these with .values()).
ROW_COLUMNS = (
    "id", "number", "status", "item_code", "item__name", "department_id", "bundle__code", "bundle__name",
    "parent_id", "stage", "channel", "applicant_name", "submitted_at", "promised_due", "warn_at", "gaps_due",
    "green_lane",
)


def row_of(r: dict, now: dt.datetime) -> dict:
    """A worklist row (ROW_COLUMNS values) as the case summary, without a model instance."""
    is_parent = r["bundle__code"] is not None and r["parent_id"] is None
    return {
        "id": r["id"], "number": r["number"], "status": r["status"], "status_label": status_labels()[r["status"]],
        **_what(is_parent, r["item_code"], r["item__name"], r["bundle__code"], r["bundle__name"]),
        "department_id": r["department_id"], "parent_id": r["parent_id"], "stage": r["stage"],
        "channel": r["channel"], "applicant_name": r["applicant_name"], "submitted_at": r["submitted_at"],
        "promised_due": r["promised_due"], "colour": clock.colour_at(r["status"], r["promised_due"], r["warn_at"], now),
        "green_lane": r["green_lane"],
    }


def _promised_visits(case: Case) -> int:
    return case.bundle.promised_visits if case.is_bundle_parent else case.item.promised_visits


def _deadlines(case: Case, now: dt.datetime) -> dict:
    return {
        "accepted_at": case.accepted_at, "promised_due": case.promised_due, "legal_due": case.legal_due,
        "warn_at": case.warn_at, "decided_at": case.decided_at, "paused_working_days": case.paused_days,
        "extended_working_days": case.extended_days, "colour": clock.colour_of(case, now),
    }


def state_of(case: Case, now: dt.datetime | None = None) -> dict:
    """The compact state a transition answers: the case row (and a bundle's children), nothing else."""
    now = now or timezone.now()
    out = summary_of(case, now)
    out.update({
        "deadlines": _deadlines(case, now),
        "visits": {"promised": _promised_visits(case), "actual": case.visits, "exceeded": case.visits_exceeded,
                   "reason": case.visits_exceeded_reason},
        "flags": {
            "gaps_outstanding": case.gaps_outstanding, "gaps_due": case.gaps_due, "gaps_overdue": case.gaps_overdue,
            "post_check_required": case.post_check_required, "post_check_done_at": case.post_check_done_at,
            "visits_exceeded": case.visits_exceeded, "green_lane": case.green_lane,
            "green_lane_reason": case.green_lane_reason,
        },
        "delivery": {"method": case.delivery_method, "tracking_number": case.tracking_number,
                     "delivered_at": case.delivered_at},
        "children": [summary_of(c, now) for c in case.children.select_related("item", "bundle").order_by("stage", "id")]
        if case.is_bundle_parent else [],
        "detail": f"/api/v1/cases/{case.pk}",
    })
    return out


def notice_of(n) -> dict:
    return {"seq": n.seq, "issued_at": n.issued_at, "due_at": n.due_at, "problems": n.problems,
            "resolved_at": n.resolved_at}


def refusal_of(r: Refusal) -> dict:
    return {
        "id": r.pk, "case_id": r.case_id, "kind": r.kind, "reasons": r.reasons, "legal_basis": r.legal_basis,
        "department_id": r.department_id, "registered_at": r.registered_at, "overturned_at": r.overturned_at,
        "overturn_reason": r.overturn_reason,
    }


def material_of(m) -> dict:
    return {"key": m.key, "name": m.name, "necessity": m.necessity, "provision": m.provision, "sha256": m.sha256,
            "size": m.size, "content_type": m.content_type, "supplied_at": m.supplied_at}


def detail_of(user, case: Case, now: dt.datetime | None = None) -> dict:
    """Everything about a case that the user may see (the caller has checked they may see it)."""
    now = now or timezone.now()
    out = state_of(case, now)
    out["deadlines"].update({
        "working_days_used": clock.days_used(case, now),
        "pauses": [{"kind": p.kind, "requested": p.requested, "procedure": p.procedure, "started_at": p.started_at,
                    "ended_at": p.ended_at, "shifted_days": p.shifted_days, "reason": p.reason}
                   for p in case.pauses.all()],
    })
    out["visits"]["log"] = [{"kind": v.kind, "at": v.at} for v in case.visit_log.all()]
    out.update({
        "item_version": case.item.version,
        "applicant": {
            "kind": case.applicant_kind, "name": case.applicant_name, "id_number": case.applicant_id_number,
            "credit_code": case.applicant_credit_code, "phone": case.contact_phone, "email": case.contact_email,
            "address": case.contact_address, "agent_name": case.agent_name, "agent_id_number": case.agent_id_number,
        },
        "form": case.form_data,
        "materials": [material_of(m) for m in case_materials(case)],
        "steps": [{"key": s.key, "name": s.name, "role": s.role, "due_at": s.due_at, "completed_at": s.completed_at}
                  for s in case.steps.all()],
        "notices": [notice_of(n) for n in case.notices.all()],
        "refusals": [refusal_of(r) for r in case.refusals.all()],
        "documents": [{"kind": d.kind, "label": d.label, "url": d.url} for d in case_documents(case)],
        "actions": case_actions(user, case),
        "history": case_history(case),
    })
    return out
