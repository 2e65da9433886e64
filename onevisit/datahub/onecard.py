"""一证通办: with nothing but an ID number (or credit code), fetch the proofs the government already holds
and fill the form from the registers. Every read goes through datahub_read (permission, purpose, record).

The case engine calls `enrich_submission` (a before-submit enricher of its seam) while creating a case,
before the case row is written, so the materials and the form are saved once, and `Pending.save()` after it; window clerks call `applicant_proofs`; the
applicant's form calls `form_prefill`; the catalog's indicators come from `item_burden`."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch

from onevisit.catalog.models import Material, Necessity, ServiceItem, VersionStatus
from onevisit.datahub.models import CasePrefill, FetchedProof, SharingPermission
from onevisit.datahub.schema import canonical_key
from onevisit.datahub.services import datahub_read, resolve_material, resource_kinds
from onevisit.errors import DomainError
from onevisit.orgs.models import Role
from onevisit.orgs.selectors import roles_of

# Prefill keys in the catalog that name a register field under another name.
PREFILL_ALIASES = {"population.address": "population.household_address"}
_BRING = (Necessity.REQUIRED, Necessity.DEFERRABLE)


def _kind_of(identifier: str) -> str:
    return "credit_code" if len(identifier) == 18 and not identifier[:17].isdigit() else "id_number"


def _split(prefill_key: str) -> tuple[str, str]:
    res, _, fld = PREFILL_ALIASES.get(prefill_key, prefill_key).rpartition(".")
    return res, fld


@dataclass
class Fetch:
    """What the hub gave for one applicant and item."""

    proofs: dict[str, object] = field(default_factory=dict)  # material key -> datahub.services.Proof
    missing: list[str] = field(default_factory=list)  # material keys the applicant must still bring
    prefilled: dict[str, dict] = field(default_factory=dict)  # field key -> {value, prefill_key, source, fetched_at}


def fetch_for(*, actor, item: ServiceItem, identifier: str, materials, fields, form: dict | None = None,
              case_number: str | None = None) -> Fetch:
    """Resolve every material with a shared-data key of a known resource of the applicant's kind, then
    prefill the empty fields with prefill keys, reusing a proof's record instead of reading it twice."""
    kinds = resource_kinds()
    kind = _kind_of(identifier)
    form = form or {}
    out = Fetch()
    department = None
    seen: dict[str, dict] = {}  # resource key -> data already read for this applicant
    for m in materials:
        key = m.shared_data_key
        if not key or kinds.get(key) != kind:
            if m.necessity in _BRING:
                out.missing.append(m.key)
            continue
        department = department or item.department
        proof = resolve_material(actor=actor, department=department, shared_data_key=key, holder=identifier,
                                 purpose_case_number=case_number, purpose_item_code=item.implementation_code)
        if proof is None:
            if m.necessity in _BRING:
                out.missing.append(m.key)
            continue
        out.proofs[m.key] = proof
        if not key.startswith("licence:"):
            seen[key] = {"data": proof.data, "source": proof.source, "fetched_at": proof.fetched_at}
    wanted: dict[str, list] = {}
    for f in fields:
        if not f.prefill_key or form.get(f.key) not in (None, ""):
            continue
        res, fld = _split(f.prefill_key)
        if kinds.get(res) == kind:
            wanted.setdefault(res, []).append((f, fld))
    for res, pairs in wanted.items():
        got = seen.get(res)
        if got is None or any(fld not in got["data"] for _f, fld in pairs):
            department = department or item.department
            try:
                result = datahub_read(
                    actor=actor, department=department, resource=res, identifier=identifier,
                    fields=[fld for _f, fld in pairs], purpose_case_number=case_number,
                    purpose_item_code=item.implementation_code,
                )
            except DomainError:
                continue  # refused (and on record) or malformed: the applicant types these fields
            if not result.found:
                continue
            got = {"data": result.data or {}, "source": result.source, "fetched_at": result.fetched_at}
        for f, fld in pairs:
            if got["data"].get(fld) not in (None, ""):
                out.prefilled[f.key] = {"value": got["data"][fld], "prefill_key": f.prefill_key,
                                        "source": got["source"], "fetched_at": got["fetched_at"].isoformat()}
    return out


# ---- the case engine's hook ----------------------------------------------------------------------------

@dataclass
class Pending:
    case: object
    proofs: list[FetchedProof] = field(default_factory=list)
    prefilled: dict = field(default_factory=dict)

    def save(self) -> None:
        """After the case row exists: one insert for the proofs, one for the prefill marks (if any)."""
        if self.proofs:
            for p in self.proofs:
                p.case_id = self.case.pk
            FetchedProof.objects.bulk_create(self.proofs)
        if self.prefilled:
            CasePrefill.objects.create(case_id=self.case.pk, fields=self.prefilled)


# The register that knows an applicant of each kind, and the field that holds the registered name.
_IDENTITY = {"person": ("population", "name", "姓名与人口库登记的不一致"),
             "company": ("legal_entity", "name", "单位名称与法人库登记的不一致")}


def check_identity(case) -> None:
    """The applicant's name must be the one the register holds for the number (where the register knows
    the number): a name that does not match refuses the submission; a match marks the identity verified.
    The platform checks its own register here, as at sign-in; it is not a department's read for a case."""
    from django.core.exceptions import ValidationError

    from onevisit.datahub.providers import ProviderError, provider_for
    from onevisit.datahub.services import resource_by_key

    resource_key, field_key, message = _IDENTITY.get(case.applicant_kind, (None, None, None))
    identifier = case.applicant_key
    resource = resource_by_key(resource_key) if resource_key and identifier else None
    if resource is None:
        return
    try:
        found = provider_for(resource_key).fetch(resource=resource, identifier=identifier)
    except ProviderError:
        return  # the register cannot answer now: the identity stays unverified (a human decides)
    registered = ((found.data or {}).get(field_key) or "").strip() if found is not None else ""
    if not registered:
        return  # the register does not know the number: the identity stays unverified (no 秒批)
    if registered != (case.applicant_name or "").strip():
        raise ValidationError({"applicant.name": f"{message}：请按证件填写"})
    case.identity_verified = True


def enrich_submission(submission):
    """The case engine's before-submit enricher (registered in DatahubConfig.ready): check the applicant's
    name against the register, fetch the proofs and prefill the form; the proofs and prefill marks are
    written once the case row exists."""
    check_identity(submission.case)
    pending = case_fetch(case=submission.case, item=submission.item, rows=submission.materials,
                         fields=submission.fields or None)
    return pending.save if (pending.proofs or pending.prefilled) else None


def authorise_representative(actor, case):
    """The seam's authoriser: a person applying in a company's name is its legal representative in the
    legal-entity register."""
    from onevisit.datahub.selectors import represents

    if case.applicant_kind == "company" and represents(user=actor, credit_code=case.applicant_credit_code):
        return ("representative", f"法人库：{case.applicant_credit_code}")
    return None


def case_fetch(*, case, item: ServiceItem, rows, fields=None) -> Pending:
    """Called by the case engine before the case row is saved (number already assigned): marks the fetched
    materials shared_data with their supply time, sets a material asked as shared_data back to missing
    when the hub holds none, and fills the empty prefillable fields of the form. The platform reads on the
    item department's behalf (actor None), with the case number as purpose."""
    pending = Pending(case=case)
    identifier = case.applicant_id_number or case.applicant_credit_code
    kinds = resource_kinds()
    if not identifier or not kinds:
        return pending
    from onevisit.cases.models import Provision

    fields = list(item.fields.all()) if fields is None else fields
    wanted = [r for r in rows if r.provision not in (Provision.COMMITMENT, Provision.UPLOADED)]
    has_keys = any(r.shared_data_key in kinds for r in wanted)
    has_prefill = any(f.prefill_key and case.form_data.get(f.key) in (None, "") for f in fields)
    if not (has_keys or has_prefill):
        return pending
    fetched = fetch_for(actor=None, item=item, identifier=identifier, materials=wanted,  # not brought, not committed
                        fields=fields, form=case.form_data, case_number=case.number)
    for row in rows:
        proof = fetched.proofs.get(row.key)
        if proof is not None:
            row.provision, row.supplied_at = Provision.SHARED_DATA, proof.fetched_at
            pending.proofs.append(FetchedProof(
                material_key=row.key, shared_data_key=proof.shared_data_key,
                licence_identifier=proof.licence_identifier, source=proof.source[:200],
                record_updated_at=proof.updated_at, fetched_at=proof.fetched_at, access_id=proof.access_id,
                snapshot=proof.data or {},
            ))
        elif row.provision == Provision.SHARED_DATA and row.shared_data_key in kinds:
            row.provision = Provision.MISSING  # the hub holds none: back onto the applicant's list
    if fetched.prefilled:
        case.form_data = {**case.form_data, **{k: v["value"] for k, v in fetched.prefilled.items()}}
        pending.prefilled = {k: {kk: vv for kk, vv in v.items() if kk != "value"} for k, v in fetched.prefilled.items()}
    return pending


# ---- window clerks and the applicant's form ---------------------------------------------------------------

def _published(code: str) -> ServiceItem:
    item = (
        ServiceItem.objects.filter(implementation_code=code, status=VersionStatus.PUBLISHED)
        .select_related("department").prefetch_related("fields", "materials").first()
    )
    if item is None:
        raise DomainError(f"事项 {code} 不存在或未发布", code="not_found", status=404)
    return item


def _staff_for(actor, item: ServiceItem) -> bool:
    return any(
        r.role == Role.WINDOW_CLERK and (r.window is None or r.window.accepts(domain=item.domain,
                                                                             item_code=item.implementation_code))
        or r.department_id == item.department_id
        for r in roles_of(actor)
    ) or getattr(actor, "is_superuser", False)


def applicant_proofs(*, actor, item_code: str, identifier: str) -> dict:
    """A window clerk looks up an applicant: the proofs the hub holds, what the applicant must still bring,
    and the prefilled form. Reads are in the clerk's name, for the item."""
    item = _published(item_code)
    if not _staff_for(actor, item):
        raise PermissionDenied("只有受理该事项的窗口人员或办理部门工作人员可以查询申请人的共享材料")
    fetched = fetch_for(actor=actor, item=item, identifier=(identifier or "").strip().upper(),
                        materials=item.materials.all(), fields=item.fields.all())
    return _fetch_out(item, fetched)


def form_prefill(*, actor, item_code: str, identifier: str | None) -> dict:
    """The form of an item filled from the registers: for the signed-in person's own number, or for a
    clerk / departmental staff member with the applicant's number."""
    item = _published(item_code)
    own = getattr(actor, "id_number", None)
    if identifier and identifier.strip().upper() != (own or ""):
        if not _staff_for(actor, item):
            raise PermissionDenied("只能预填本人的申请表；为他人预填须为受理窗口或办理部门工作人员")
        reader = actor
    else:
        if not own:
            raise DomainError("账号未登记身份证号，请给出 id_number", code="invalid", status=422,
                              fields=[{"field": "id_number", "reason": "必须填写"}])
        identifier, reader = own, None  # the platform reads for the department, for the person's own form
    fetched = fetch_for(actor=reader, item=item, identifier=identifier.strip().upper(), materials=[],
                        fields=item.fields.all())
    return {
        "item_code": item.implementation_code,
        "form": {k: v["value"] for k, v in fetched.prefilled.items()},
        "prefilled": {k: {kk: vv for kk, vv in v.items() if kk != "value"} for k, v in fetched.prefilled.items()},
    }


def _fetch_out(item: ServiceItem, fetched: Fetch) -> dict:
    materials = []
    for m in item.materials.all():
        proof = fetched.proofs.get(m.key)
        materials.append({
            "key": m.key, "name": m.name, "necessity": m.necessity, "shared_data_key": m.shared_data_key,
            "fetched": proof is not None, "source": proof.source if proof else "",
            "licence_identifier": proof.licence_identifier if proof else "",
            "fetched_at": proof.fetched_at if proof else None, "data": proof.data if proof else None,
        })
    return {
        "item_code": item.implementation_code, "item_name": item.name, "materials": materials,
        "to_bring": fetched.missing,
        "form": {k: v["value"] for k, v in fetched.prefilled.items()},
        "prefilled": {k: {kk: vv for kk, vv in v.items() if kk != "value"} for k, v in fetched.prefilled.items()},
    }


# ---- catalog indicators ------------------------------------------------------------------------------------

def _fetchable(item: ServiceItem, key: str, perms: dict, kinds: dict) -> bool:
    if key not in kinds:
        return False
    codes = perms.get((item.department_id, canonical_key(key)))
    return codes is not None and (not codes or item.implementation_code in codes)


def item_burden(items) -> list[dict]:
    """Per item: the materials an applicant still has to bring (required or deferrable, not fetchable by the
    implementing department under the sharing list) and those fetched instead."""
    kinds = resource_kinds()
    perms = {(d, k): codes for d, k, codes in
             SharingPermission.objects.values_list("department_id", "resource__key", "item_codes")}
    out = []
    for item in items:
        bring, fetched = [], []
        for m in item.materials.all():
            if m.necessity not in _BRING:
                continue
            (fetched if m.shared_data_key and _fetchable(item, m.shared_data_key, perms, kinds) else bring).append(m.key)
        out.append({"item_code": item.implementation_code, "name": item.name, "to_bring": len(bring),
                    "bring": bring, "fetched": fetched, "id_only": not bring})
    return out


def id_only_indicator() -> dict:
    """The share of published items an applicant can complete with an ID card alone (the seeds' 51.4%)."""
    items = (ServiceItem.objects.filter(status=VersionStatus.PUBLISHED).order_by("implementation_code")
             .prefetch_related(Prefetch("materials", queryset=Material.objects.order_by("position", "id"))))
    rows = item_burden(items)
    id_only = sum(1 for r in rows if r["id_only"])
    return {"published": len(rows), "id_only": id_only,
            "share": round(id_only / len(rows), 4) if rows else 0.0, "items": rows}
