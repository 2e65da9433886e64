"""Materials and the applicant's choices on an open case: uploads (before acceptance, after a 容缺
acceptance for what is owed, after acceptance for what the department asked), written commitments
(告知承诺) and the delivery choice. Which statuses allow each is the transition table's answer
(verbs `upload`, `supply_gap`, `commit`, `choose_delivery`, none of which moves the status)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from onevisit.cases.models import Case, CaseMaterial, CaseStatus, DeliveryMethod, Provision
from onevisit.cases.services.core import (
    _check,
    _lock,
    _move,
    _now,
    _requested_keys,
    _require_not_child,
    case_service,
)
from onevisit.cases.transitions import TABLE
from onevisit.cases.uploads import check_upload, remove_stored, store
from onevisit.catalog.models import Necessity
from onevisit.errors import DomainError

S = CaseStatus


def _material(case: Case, key: str) -> CaseMaterial:
    material = CaseMaterial.objects.select_for_update().filter(case=case, key=key).first()
    if material is None:
        raise ValidationError({"key": f"该办件没有标识为“{key}”的材料"})
    return material


def _upload_verb(case: Case, material: CaseMaterial) -> str:
    """`supply_gap` for a material owed under 容缺 (unless the department asked for it again after
    acceptance), `upload` otherwise; the table then says whether the case's status allows it."""
    owed = (case.gaps_outstanding and material.provision == Provision.MISSING
            and material.necessity == Necessity.DEFERRABLE)
    requested = case.status == S.AWAITING_APPLICANT and material.key in _requested_keys(case, "material")
    if owed and not requested and case.status in TABLE["supply_gap"].sources:
        return "supply_gap"
    return "upload"


@case_service
def case_material_upload(*, actor, case: Case, key: str, upload, now: dt.datetime | None = None) -> CaseMaterial:
    """Store a file for a material: before acceptance; after 容缺受理 for a material still owed; after
    acceptance for a material the department asked to be supplied again. A replaced file is removed
    once the new one is committed."""
    now = _now(now)
    case = _lock(case)
    material = _material(case, key)
    verb = _upload_verb(case, material)
    _check(verb, actor, case, what=f"提交“{material.name}”")
    _require_not_child(case, "提交材料")
    if case.status == S.AWAITING_APPLICANT and verb == "upload" and key not in _requested_keys(case, "material"):
        raise DomainError(f"部门未要求补正“{material.name}”，现在不能再提交", code="illegal_transition",
                          fields=[{"field": key, "reason": "部门未要求补正此材料"}])
    content, content_type, ext = check_upload(upload, "file")
    stored = store(case_number=case.number, key=key, content=content, ext=ext, content_type=content_type)
    replaced = material.file if material.file and material.file != stored.path else ""
    material.provision = Provision.UPLOADED
    material.file, material.sha256, material.size = stored.path, stored.sha256, stored.size
    material.content_type, material.supplied_at = stored.content_type, now
    material.save()
    if replaced:
        transaction.on_commit(lambda: remove_stored(replaced))
    facts = {"material": key, "sha256": stored.sha256, "size": stored.size, "content_type": content_type}
    fields: tuple[str, ...] = ()
    if verb == "supply_gap":
        remaining = CaseMaterial.objects.filter(
            case=case, provision=Provision.MISSING, necessity=Necessity.DEFERRABLE).exists()
        case.gaps_outstanding = remaining
        facts["gaps_outstanding"] = remaining
        fields = ("gaps_outstanding",)
    _move(case, verb, actor=actor, now=now, data=facts, fields=fields)
    return material


_POST_ADDRESS_PLACE = ("省", "市", "区", "县", "镇", "乡")
_POST_ADDRESS_SPOT = ("路", "街", "巷", "号", "村", "弄", "室", "栋", "幢", "组")


def clean_post_address(address: str) -> str:
    """A postal address the courier can use: a place (省/市/区/县…) and a spot (路/街/号…)."""
    address = (address or "").strip()
    if not address:
        raise ValidationError({"address": "邮寄送达必须填写收件地址"})
    if not 8 <= len(address) <= 200:
        raise ValidationError({"address": "收件地址应为8到200个字"})
    if not any(c in address for c in _POST_ADDRESS_PLACE) or not any(c in address for c in _POST_ADDRESS_SPOT):
        raise ValidationError({"address": "收件地址不完整：请写明省、市、区（县）和街道门牌号"})
    return address


@case_service
def case_choose_delivery(*, actor, case: Case, method: str, address: str = "", now: dt.datetime | None = None) -> Case:
    """The applicant chooses how the result reaches them (window, post with address, electronic);
    case_deliver uses this choice when the clerk gives no other method. The status does not change."""
    now = _now(now)
    case = _lock(case)
    _check("choose_delivery", actor, case)
    if case.delivered_at is not None:
        _check("deliver", actor, case)  # says the case is delivered already
    if method not in DeliveryMethod.values:
        raise ValidationError({"delivery_method": "送达方式应为窗口领取、邮寄送达或电子送达"})
    fields = ["delivery_method"]
    case.delivery_method = method
    if method == DeliveryMethod.POST:
        case.contact_address = clean_post_address(address)
        fields.append("contact_address")
    _move(case, "choose_delivery", actor=actor, now=now, fields=tuple(fields),
          data={"method": method, "address": case.contact_address if method == DeliveryMethod.POST else ""})
    return case


@case_service
def case_material_commit(*, actor, case: Case, key: str, now: dt.datetime | None = None) -> CaseMaterial:
    """告知承诺 for one material before acceptance (e.g. ticked at the window): the applicant's written
    commitment replaces it, and the case will need a post-check after approval."""
    now = _now(now)
    case = _lock(case)
    _check("commit", actor, case)
    _require_not_child(case, "承诺替代")
    material = _material(case, key)
    items = [c.item for c in Case.objects.filter(parent=case).select_related("item")] or [case.item]
    if not (material.commitment_allowed and all(i.allows_commitment for i in items)):
        raise ValidationError({f"materials.{key}": f"“{material.name}”不能以告知承诺替代"})
    material.provision, material.supplied_at = Provision.COMMITMENT, now
    material.save(update_fields=["provision", "supplied_at"])
    _move(case, "commit", actor=actor, now=now, data={"material": key})
    return material
