"""The window's one screen (一窗受理): the materials checklist and the clerk's decision, turned into
calls of onevisit.cases.services inside one transaction, so a refused step changes nothing."""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from onevisit.cases import services
from onevisit.cases.models import Case, CaseMaterial, CaseStatus, Provision
from onevisit.errors import DomainError
from onevisit.workdays.calendar import SHANGHAI

# The checklist's answer for one material.
PRESENT, MISSING, REJECTED, COMMITMENT, SHARED = "present", "missing", "rejected", "commitment", "shared_data"
CHECK_LABELS = {PRESENT: "已收取（扫描上传）", MISSING: "缺失", REJECTED: "不符合标准", COMMITMENT: "承诺替代",
                SHARED: "共享获取"}
ACTIONS = {"accept": "受理", "accept_gaps": "容缺受理", "notice": "出具一次性告知", "refuse": "不予受理"}


class Refused(Exception):
    """Carries the problems out of the transaction so that it rolls back."""

    def __init__(self, errors: dict[str, list[str]], message: str = ""):
        super().__init__(message)
        self.errors, self.message = errors, message


@dataclass
class Outcome:
    case: Case
    action: str
    document: str | None = None  # the document kind to print next


@dataclass
class Checklist:
    answers: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    files: dict = field(default_factory=dict)


def parse_checklist(post, files, keys: list[str]) -> Checklist:
    out = Checklist()
    for key in keys:
        out.answers[key] = post.get(f"check.{key}", "")
        out.reasons[key] = post.get(f"reason.{key}", "").strip()
        if f"file.{key}" in files:
            out.files[key] = files[f"file.{key}"]
    return out


def parse_form(post, fields) -> dict:
    """Raw text into the JSON types the engine checks; wrong values pass through for the engine to name."""
    data = {}
    for f in fields:
        raw = post.get(f"form.{f.key}", "")
        if isinstance(raw, str):
            raw = raw.strip()
        if raw in ("", None):
            continue
        if f.field_type == "integer":
            try:
                raw = int(raw)
            except ValueError:
                pass
        elif f.field_type == "boolean":
            raw = {"yes": True, "no": False}.get(raw, raw)
        data[f.key] = raw
    return data


def _messages(exc: Exception, form_keys: set[str]) -> tuple[dict[str, list[str]], str]:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            errors: dict[str, list[str]] = {}
            for name, msgs in exc.message_dict.items():
                if name.startswith("applicant."):
                    name = name.split(".", 1)[1]
                errors.setdefault(name, []).extend(msgs)
            return errors, "请更正标出的内容"
        return {}, "；".join(exc.messages)
    if isinstance(exc, DomainError):
        errors = {}
        for f in exc.fields:
            name = f"form.{f['field']}" if f["field"] in form_keys else f"materials.{f['field']}"
            errors.setdefault(name, []).append(f["reason"])
        return errors, exc.message
    return {}, str(exc)


def _gaps_due(post) -> dt.datetime | None:
    raw = post.get("gaps_due", "").strip()
    if not raw:
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({"gaps_due": "日期格式应为 YYYY-MM-DD"})
    return dt.datetime.combine(day, dt.time(17, 0), tzinfo=SHANGHAI)


def _apply_checklist(*, actor, case: Case, checklist: Checklist, at_start: bool) -> dict[str, str]:
    """Uploads and commitments; returns the rejected materials with their reasons."""
    errors: dict[str, list[str]] = {}
    rejected = {}
    materials = {m.key: m for m in CaseMaterial.objects.filter(case=case)}
    for key, answer in checklist.answers.items():
        m = materials.get(key)
        if m is None:
            continue
        upload = checklist.files.get(key)
        if answer in (PRESENT, REJECTED):
            if upload is not None:
                services.case_material_upload(actor=actor, case=case, key=key, upload=upload)
            elif m.provision != Provision.UPLOADED:
                errors[f"materials.{key}"] = [f"请扫描上传“{m.name}”"]
        if answer == REJECTED:
            if not checklist.reasons.get(key):
                errors[f"materials.{key}"] = ["请说明不符合受理标准的理由"]
            rejected[key] = checklist.reasons.get(key, "")
        if answer == COMMITMENT and not at_start and m.provision != Provision.COMMITMENT:
            services.case_material_commit(actor=actor, case=case, key=key)
    if errors:
        raise Refused(errors, "材料核对有误，请更正标出的内容")
    return rejected


def _decide(*, actor, case: Case, action: str, post, rejected: dict[str, str], form: dict) -> Outcome:
    case.refresh_from_db()
    if action != "refuse" and case.status == CaseStatus.AWAITING_SUPPLEMENT:
        # The applicant came back with what the notice named: a supplement at the window (a visit).
        changed = {k: v for k, v in form.items() if case.form_data.get(k) != v}
        services.case_supplement(actor=actor, case=case, form=changed, at_window=True)
        case.refresh_from_db()
    if rejected and action != "notice":
        raise Refused({f"materials.{k}": ["材料不符合受理标准，应出具一次性告知"] for k in rejected},
                      "有材料被认定为不符合受理标准，应出具一次性告知")
    if action == "accept":
        services.case_accept(actor=actor, case=case)
        return Outcome(case, action, "receipt")
    if action == "accept_gaps":
        services.case_accept(actor=actor, case=case, gaps=True, gaps_due=_gaps_due(post))
        return Outcome(case, action, "gaps")
    if action == "notice":
        services.case_issue_notice(actor=actor, case=case, rejected=rejected)
        return Outcome(case, action, "notice")
    if action == "refuse":
        services.case_refuse(actor=actor, case=case, reasons=post.get("reasons", ""),
                             legal_basis=post.get("legal_basis", ""))
        return Outcome(case, action, "refusal")
    if action == "save":
        return Outcome(case, action)
    raise Refused({}, "请选择受理、容缺受理、一次性告知或不予受理")


def _run(fn, form_keys: set[str]):
    try:
        with transaction.atomic():
            return fn()
    except Refused:
        raise
    except (ValidationError, DomainError) as exc:
        errors, message = _messages(exc, form_keys)
        raise Refused(errors, message) from exc
    except PermissionDenied:
        raise


def window_start(*, actor, item_code: str | None, bundle_code: str | None, applicant: dict, form: dict,
                 form_keys: set[str], checklist: Checklist, action: str, post) -> Outcome:
    """A walk-in: submit at the window (a visit), then the checklist and the decision, all or nothing."""
    def go():
        materials = {k: v for k, v in checklist.answers.items() if v in (COMMITMENT, SHARED)}
        case, _ = services.case_submit(actor=actor, item_code=item_code or None, bundle_code=bundle_code or None,
                                       applicant=applicant, channel="window", form=form, materials=materials)
        rejected = _apply_checklist(actor=actor, case=case, checklist=checklist, at_start=True)
        return _decide(actor=actor, case=case, action=action, post=post, rejected=rejected, form=form)

    return _run(go, form_keys)


def window_continue(*, actor, case: Case, form: dict, form_keys: set[str], checklist: Checklist, action: str,
                    post) -> Outcome:
    """An existing case at the window: uploads, commitments, supplement, then the decision."""
    def go():
        rejected = _apply_checklist(actor=actor, case=case, checklist=checklist, at_start=False)
        return _decide(actor=actor, case=case, action=action, post=post, rejected=rejected, form=form)

    return _run(go, form_keys)
