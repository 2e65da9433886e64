"""The application wizard: one merged form (each thing asked once), a materials checklist, uploads
kept with the draft, fee and delivery choice, then one submission through
onevisit.cases.services.case_submit with the key made when the wizard started.

Fees: an item that charges a fee is paid in the wizard before submission (the submit button stays
disabled until the provider confirms); the payment is linked to the case in the same transaction
that creates it. See docs/decisions/0010-online-application.md."""

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.http import Http404

from onevisit.cases import services as case_services
from onevisit.cases.forms import form_problems
from onevisit.cases.models import Case, DeliveryMethod, Provision
from onevisit.cases.uploads import check_upload, store
from onevisit.catalog.models import Bundle, FieldType, Necessity, VersionStatus
from onevisit.catalog.services import published_item
from onevisit.errors import DomainError
from onevisit.history.services import record_change
from onevisit.portal.models import Draft, DraftKind

NOT_BRING = "无需提交，由部门通过数据共享获取"


@dataclass
class Plan:
    """What the wizard asks for one item or one bundle."""

    kind: str
    code: str
    name: str
    fields: list  # FormField or MergedField
    materials: list  # Material or MergedMaterial
    targets: list[str]
    promised_visits: int
    allows_commitment: bool
    fee: Decimal
    item_fields: list = field(default_factory=list)  # (item, fields) for per-item validation
    department_name: str = ""


def plan_for(kind: str, code: str) -> Plan:
    if kind == DraftKind.ITEM:
        item = published_item(code)
        if item is None or "online" not in item.channels:
            raise Http404("事项不存在、未发布或不能网上申请")
        fields = list(item.fields.order_by("position", "id"))
        return Plan(
            kind=kind, code=code, name=item.name, fields=fields, materials=list(item.materials.order_by("position", "id")),
            targets=list(item.targets), promised_visits=item.promised_visits, allows_commitment=item.allows_commitment,
            fee=item.fee_amount if item.charges_fee else Decimal("0"), item_fields=[(item, fields)],
            department_name=item.department.name,
        )
    from onevisit.catalog.bundles import bundle_plan

    bundle = Bundle.objects.filter(code=code, status=VersionStatus.PUBLISHED).select_related("lead_department").first()
    if bundle is None:
        raise Http404("一件事不存在或未发布")
    plan = bundle_plan(bundle)
    if plan.problems:
        raise Http404("该一件事暂不能申请")
    items = plan.items
    return Plan(
        kind=kind, code=code, name=bundle.name, fields=plan.fields, materials=plan.materials,
        targets=sorted({t for i in items for t in i.targets}), promised_visits=bundle.promised_visits,
        allows_commitment=all(i.allows_commitment for i in items),
        fee=sum((i.fee_amount for i in items if i.charges_fee), Decimal("0")),
        item_fields=[(i, list(i.fields.all())) for i in items], department_name=bundle.lead_department.name,
    )


def _prefill(plan: Plan, user, company: dict | None) -> dict[str, Any]:
    """What the profile already knows, by the field's prefill source or its type."""
    known = {
        "population.name": user.real_name, "population.id_number": user.id_number, "population.phone": user.phone,
        "population.id": user.id_number,
    }
    if company:
        known.update({"legal_entity.name": company["name"], "legal_entity.credit_code": company["credit_code"]})
    by_type = {FieldType.ID_NUMBER: user.id_number, FieldType.PHONE: user.phone}
    if company:
        by_type[FieldType.CREDIT_CODE] = company["credit_code"]
    out = {}
    for f in plan.fields:
        value = known.get(f.prefill_key) or by_type.get(f.field_type)
        if value:
            out[f.key] = value
    return out


def _check_target(plan: Plan, company: dict | None) -> None:
    if company and "company" not in plan.targets:
        raise DomainError("该事项只面向个人办理，请先改为以个人身份办事", code="wrong_target")
    if not company and "person" not in plan.targets:
        raise DomainError("该事项面向法人办理，请先选择“代表单位办事”", code="needs_company")


def draft_open(*, actor, kind: str, code: str, company: dict | None = None) -> Draft:
    """The applicant's open draft for this item/bundle (and company), or a new one with what the
    profile knows filled in and a fresh idempotency key."""
    plan = plan_for(kind, code)
    _check_target(plan, company)
    company_code = company["credit_code"] if company else ""
    found = Draft.objects.filter(user=actor, kind=kind, code=code, company_code=company_code, case__isnull=True).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            draft = Draft.objects.create(
                user=actor, kind=kind, code=code, company_code=company_code,
                company_name=company["name"] if company else "", form_data=_prefill(plan, actor, company),
                contact_phone=actor.phone or "", idempotency_key=f"wizard-{uuid.uuid4()}",
            )
            record_change(obj=draft, actor=actor, action="draft.started", data={"kind": kind, "code": code})
    except IntegrityError:  # a second tab opened the wizard at the same moment
        return Draft.objects.get(user=actor, kind=kind, code=code, company_code=company_code, case__isnull=True)
    return draft


def draft_get(*, user, pk: int) -> Draft:
    draft = Draft.objects.filter(pk=pk, user=user).first()
    if draft is None:
        raise Http404("草稿不存在")
    return draft


def _coerce(f, raw) -> Any:
    """HTML posts text; the case form stores typed values."""
    if f.field_type == FieldType.BOOLEAN:
        return raw in (True, "1", "on", "true", "yes")
    raw = (raw or "").strip() if isinstance(raw, str) else raw
    if raw in ("", None):
        return ""
    if f.field_type == FieldType.INTEGER:
        try:
            return int(raw)
        except ValueError:
            return raw
    return raw


def _field_errors(plan: Plan, data: dict, *, missing: bool) -> dict[str, str]:
    errors: dict[str, str] = {}
    for _item, fields in plan.item_fields:
        part = {k: v for k, v in data.items() if k in {f.key for f in fields} and v != ""}
        for p in form_problems(fields, part):
            if p["kind"] == "field_unknown" or (p["kind"] == "field_missing" and not missing):
                continue
            errors.setdefault(p["key"], p["reason"])
    return errors


def _contact_errors(phone: str, email: str) -> dict[str, str]:
    from django.core.validators import validate_email

    from onevisit.cases.forms import _PHONE

    errors = {}
    if phone and not _PHONE.match(phone):
        errors["contact_phone"] = "联系电话格式不正确：手机号为以1开头的11位数字"
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["contact_email"] = "电子邮箱格式不正确"
    return errors


@transaction.atomic
def draft_save(*, actor, draft: Draft, data: dict[str, Any]) -> dict[str, str]:
    """Keep what was typed (even if incomplete) and return the problems of the values given, by field."""
    draft = Draft.objects.select_for_update().get(pk=draft.pk, user=actor)
    if draft.case_id:
        raise DomainError("该申请已提交，不能再修改草稿", code="already_submitted")
    plan = plan_for(draft.kind, draft.code)
    form = {f.key: _coerce(f, data.get(f"f_{f.key}", "")) for f in plan.fields}
    draft.form_data = {k: v for k, v in form.items() if v != ""}
    draft.contact_phone = (data.get("contact_phone") or "").strip()
    draft.contact_email = (data.get("contact_email") or "").strip()
    method = data.get("delivery_method") or ""
    draft.delivery_method = method if method in DeliveryMethod.values else ""
    draft.delivery_address = (data.get("delivery_address") or "").strip()
    allowed = {m.key for m in plan.materials if m.commitment_allowed and plan.allows_commitment}
    draft.commitments = sorted(k for k in (data.get("commitments") or []) if k in allowed)
    draft.save()
    record_change(obj=draft, actor=actor, action="draft.saved", data={"fields": sorted(draft.form_data)})
    errors = _field_errors(plan, draft.form_data, missing=False)
    errors.update(_contact_errors(draft.contact_phone, draft.contact_email))
    return errors


@transaction.atomic
def draft_upload(*, actor, draft: Draft, key: str, upload) -> dict:
    """Store a material's file with the draft, checked by the cases upload rules (content sniffing, size)."""
    draft = Draft.objects.select_for_update().get(pk=draft.pk, user=actor)
    if draft.case_id:
        raise DomainError("该申请已提交，请在“我的办件”中补交材料", code="already_submitted")
    plan = plan_for(draft.kind, draft.code)
    material = next((m for m in plan.materials if m.key == key), None)
    if material is None:
        raise ValidationError({f"file_{key}": "该事项没有此材料"})
    if material.shared_data_key or getattr(material, "produced_by", None):
        raise ValidationError({f"file_{key}": NOT_BRING})
    content, content_type, ext = check_upload(upload, f"file_{key}")
    stored = store(case_number=f"drafts/{draft.idempotency_key}", key=key, content=content, ext=ext,
                   content_type=content_type)
    info = {"path": stored.path, "sha256": stored.sha256, "size": stored.size, "content_type": content_type,
            "name": (getattr(upload, "name", "") or "")[-100:]}
    draft.files = {**draft.files, key: info}
    draft.commitments = [k for k in draft.commitments if k != key]
    draft.save(update_fields=["files", "commitments", "updated_at"])
    record_change(obj=draft, actor=actor, action="draft.file_uploaded", data={"material": key, **info})
    return info


def material_rows(plan: Plan, draft: Draft) -> list[dict]:
    """The checklist: for each material, how it will be provided."""
    rows = []
    for m in plan.materials:
        if m.shared_data_key:
            state = "shared"
        elif getattr(m, "produced_by", None):
            state = "internal"  # another item of the bundle produces it
        elif m.key in draft.files:
            state = "uploaded"
        elif m.key in draft.commitments:
            state = "commitment"
        else:
            state = "missing"
        rows.append({
            "material": m, "state": state, "file": draft.files.get(m.key),
            "can_commit": bool(m.commitment_allowed and plan.allows_commitment and not m.shared_data_key),
            "required": m.necessity == Necessity.REQUIRED, "deferrable": m.necessity == Necessity.DEFERRABLE,
        })
    return rows


def submit_problems(plan: Plan, draft: Draft) -> dict[str, str]:
    errors = _field_errors(plan, draft.form_data, missing=True)
    errors.update(_contact_errors(draft.contact_phone, draft.contact_email))
    if not draft.contact_phone:
        errors["contact_phone"] = "请填写联系电话，办理进度将以短信通知"
    for row in material_rows(plan, draft):
        if row["state"] == "missing" and row["required"]:
            errors[f"file_{row['material'].key}"] = f"请上传“{row['material'].name}”" + (
                "，或勾选以书面承诺替代" if row["can_commit"] else "")
    if draft.delivery_method not in DeliveryMethod.values:
        errors["delivery_method"] = "请选择结果送达方式"
    elif draft.delivery_method == DeliveryMethod.POST:
        try:
            case_services.clean_post_address(draft.delivery_address)
        except ValidationError as exc:
            errors["delivery_address"] = exc.messages[0]
    return errors


def paid_payment(plan: Plan, draft: Draft):
    from onevisit.payments.models import Payment, PaymentStatus

    if plan.fee <= 0:
        return None
    return Payment.objects.filter(user=draft.user, purpose_key=draft.idempotency_key, status=PaymentStatus.PAID).first()


def draft_pay(*, actor, draft: Draft):
    """The payment for this application (created once; asking again returns it)."""
    from onevisit.payments.services import payment_create

    plan = plan_for(draft.kind, draft.code)
    if plan.fee <= 0:
        raise DomainError("该事项不收费", code="no_fee")
    return payment_create(actor=actor, purpose_key=draft.idempotency_key, amount=plan.fee,
                          subject=f"{plan.name} 行政事业性收费", item_code=draft.code)


def _applicant(draft: Draft, actor) -> dict[str, Any]:
    base = {"phone": draft.contact_phone, "email": draft.contact_email,
            "address": draft.delivery_address if draft.delivery_method == DeliveryMethod.POST else ""}
    if draft.company_code:
        return {**base, "kind": "company", "name": draft.company_name, "credit_code": draft.company_code,
                "agent": {"name": actor.real_name, "id_number": actor.id_number,
                          "authorisation": "经办人网上代表单位申请（登录身份核验）"}}
    return {**base, "kind": "person", "name": actor.real_name, "id_number": actor.id_number}


def draft_submit(*, actor, draft: Draft) -> Case:
    """Submit once. The draft row is locked, so a double-click waits and then finds the case; the
    idempotency key makes a retry after a lost response return the same case too."""
    with transaction.atomic():
        draft = Draft.objects.select_for_update().filter(pk=draft.pk, user=actor).first()
        if draft is None:
            raise Http404("草稿不存在")
        if draft.case_id:
            return draft.case
        plan = plan_for(draft.kind, draft.code)
        errors = submit_problems(plan, draft)
        if errors:
            raise ValidationError(errors)
        payment = paid_payment(plan, draft)
        if plan.fee > 0 and payment is None:
            raise ValidationError({"payment": f"请先缴纳费用 {plan.fee} 元"})
        materials = {m.key: Provision.SHARED_DATA for m in plan.materials if m.shared_data_key}
        materials.update({k: Provision.COMMITMENT for k in draft.commitments})
        case, _created = case_services.case_submit(
            actor=actor, item_code=draft.code if draft.kind == DraftKind.ITEM else None,
            bundle_code=draft.code if draft.kind == DraftKind.BUNDLE else None, applicant=_applicant(draft, actor),
            channel="online", form=draft.form_data, materials=materials, idempotency_key=draft.idempotency_key,
        )
        for key, info in draft.files.items():
            with default_storage.open(info["path"], "rb") as fh:
                case_services.case_material_upload(actor=actor, case=case, key=key, upload=File(fh, name=info["name"]))
        case_services.case_choose_delivery(actor=actor, case=case, method=draft.delivery_method,
                                           address=draft.delivery_address)
        if payment is not None:
            from onevisit.payments.services import payment_link_case

            payment_link_case(actor=actor, payment=payment, case=case)
        draft.case = case
        draft.save(update_fields=["case", "updated_at"])
        record_change(obj=draft, actor=actor, action="draft.submitted", data={"case": case.number})
    return case


def notice_answer(*, actor, case: Case, files: dict[str, Any], form: dict[str, Any]) -> Case:
    """Answer the open one-time notice online: upload exactly the materials it names, give the fields
    it names, then supplement (one transaction: all or nothing)."""
    notice = case.notices.filter(resolved_at__isnull=True).order_by("-seq").first()
    if notice is None:
        raise DomainError("该办件没有待补正的一次性告知", code="no_notice")
    named_files = {p["key"] for p in notice.problems if p["kind"] in ("material_missing", "material_rejected")}
    named_fields = {p["key"] for p in notice.problems if p["kind"] in ("field_missing", "field_invalid")}
    errors = {}
    for key in set(files) - named_files:
        errors[f"file_{key}"] = "告知书没有要求补交此材料"
    for key in named_files - set(files):
        errors[f"file_{key}"] = "请上传告知书要求补交的这份材料"
    for key in named_fields:
        if form.get(key) in (None, ""):
            errors[f"f_{key}"] = "请填写告知书要求补正的这一项"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for key, upload in files.items():
            try:
                case_services.case_material_upload(actor=actor, case=case, key=key, upload=upload)
            except ValidationError as exc:
                raise ValidationError({f"file_{key}": exc.messages}) from exc
        return case_services.case_supplement(actor=actor, case=case, form={k: form[k] for k in named_fields})


def require_applicant(user, case: Case) -> None:
    from onevisit.cases.access import who_is
    from onevisit.cases.transitions import Who

    if Who.APPLICANT not in who_is(user, case):
        raise PermissionDenied("只有申请人（代办人）可以办理")
