"""电子档案: when a case is archived, one zip with its form, materials (files and fetched records),
decisions, licences and full history, and a manifest of SHA-256 hashes signed (SM2) by the platform.
Stored through Django's storage API; `verify_package` names every file changed, missing or added."""

import datetime
import hashlib
import io
import json
import secrets
import zipfile
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from onevisit.archive.models import ArchiveKey, ArchivePackage, RetentionOverride
from onevisit.history.models import Event
from onevisit.history.services import record_change
from onevisit.licences.signing import (
    b64,
    canonical_bytes,
    decrypt_private_key,
    encrypt_private_key,
    signer,
    unb64,
)

MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
# Default retention by item type (years; 0 = permanent), after the archives rules' usual terms: licences and
# confirmations of rights permanent-ish, payments and public services shorter. Overridable per item.
RETENTION_YEARS = {"licensing": 30, "confirmation": 0, "payment": 10, "reward": 10, "adjudication": 30,
                   "other_power": 30, "public_service": 10}
DEFAULT_RETENTION_YEARS = 10


def _json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True, cls=DjangoJSONEncoder).encode("utf-8")


def platform_key() -> ArchiveKey:
    key = ArchiveKey.objects.filter(active=True).first()
    if key is not None:
        return key
    private_pem, public_pem = signer().generate()
    key_id = f"platform-archive-{timezone.now():%Y%m%d}-{secrets.token_hex(4)}"
    try:
        with transaction.atomic():
            key = ArchiveKey.objects.create(key_id=key_id, algorithm=signer().algorithm, public_key_pem=public_pem.decode(),
                                            private_key_encrypted=encrypt_private_key(private_pem, key_id=key_id))
            record_change(obj=key, actor=None, action="created", data={"key_id": key_id})
            return key
    except IntegrityError:
        return ArchiveKey.objects.get(active=True)


def retention_years(item) -> int:
    override = RetentionOverride.objects.filter(implementation_code=item.implementation_code).first()
    if override is not None:
        return override.years
    return RETENTION_YEARS.get(item.item_type, DEFAULT_RETENTION_YEARS)


def _contents(case) -> dict[str, bytes]:
    from onevisit.cases.models import CaseMaterial
    from onevisit.datahub.models import FetchedProof
    from onevisit.history.models import Event
    from onevisit.licences.models import Licence
    from onevisit.licences.services import canonical_document

    files: dict[str, bytes] = {}
    files["case.json"] = _json({
        "number": case.number, "item_code": case.item_code, "item_version": case.item.version,
        "item_name": case.item.name, "department": case.department.name, "status": case.status,
        "applicant": {"kind": case.applicant_kind, "name": case.applicant_name,
                      "id_number": case.applicant_id_number, "credit_code": case.applicant_credit_code},
        "submitted_at": case.submitted_at, "accepted_at": case.accepted_at, "decided_at": case.decided_at,
        "delivered_at": case.delivered_at, "delivery_method": case.delivery_method,
    })
    files["form.json"] = _json(case.form_data)
    materials = []
    for m in CaseMaterial.objects.filter(case=case).order_by("id"):
        row = {"key": m.key, "name": m.name, "provision": m.provision, "sha256": m.sha256, "file": ""}
        if m.file and default_storage.exists(m.file):
            name = f"materials/{m.key}{'.' + m.file.rsplit('.', 1)[-1] if '.' in m.file else ''}"
            with default_storage.open(m.file, "rb") as fh:
                files[name] = fh.read()
            row["file"] = name
        materials.append(row)
    files["materials.json"] = _json(materials)
    for p in FetchedProof.objects.filter(case=case).order_by("id"):
        files[f"fetched/{p.material_key}.json"] = _json({
            "shared_data_key": p.shared_data_key, "licence": p.licence_identifier, "source": p.source,
            "record_updated_at": p.record_updated_at, "fetched_at": p.fetched_at, "access_id": p.access_id,
            "data": p.snapshot})
    decisions = {"refusals": [{"kind": r.kind, "reasons": r.reasons, "legal_basis": r.legal_basis,
                               "registered_at": r.registered_at} for r in case.refusals.all()],
                 "notices": [{"seq": n.seq, "problems": n.problems, "issued_at": n.issued_at} for n in case.notices.all()]}
    auto = getattr(case, "auto_decision", None) if hasattr(case, "auto_decision") else None
    if auto is not None:
        decisions["auto_decision"] = {"outcome": auto.outcome, "reasons": auto.reasons, "trace": auto.trace,
                                      "decided_at": auto.decided_at}
    files["decisions.json"] = _json(decisions)
    for lic in Licence.objects.filter(case_number=case.number).select_related(
            "licence_type", "issuer", "signing_key", "predecessor"):
        files[f"licences/{lic.identifier}.json"] = _json({"document": canonical_document(lic),
                                                         "signature": lic.signature, "status": lic.status})
    events = Event.objects.filter(object_type="cases.case", object_id=str(case.pk)).order_by("seq")
    files["history.json"] = _json([{"seq": e.seq, "at": e.at, "actor": e.actor_label, "action": e.action,
                                    "reason": e.reason, "data": e.data, "prev_hash": e.prev_hash, "hash": e.hash}
                                   for e in events])
    return files


def package_archived_case(call) -> ArchivePackage | None:
    """The engine's after-commit reaction to `archive` (registered in ArchiveConfig.ready): package the case
    once. A retry after a failure packages it then; a second run finds the package and does nothing."""
    from onevisit.cases.models import Case

    case = Case.objects.select_related("item").get(pk=call.case_id)
    existing = ArchivePackage.objects.filter(case=case).first()
    if existing is not None:
        return existing
    archived_at = (Event.objects.filter(object_type="cases.case", object_id=str(case.pk), seq=call.seq)
                   .values_list("at", flat=True).first())
    return archive_package(case=case, now=archived_at)


def archive_package(*, case, now: datetime.datetime | None = None) -> ArchivePackage:
    """Build, sign and store the package of an archived case."""
    now = now or timezone.now()
    files = _contents(case)
    key = platform_key()
    years = retention_years(case.item)
    retain_until = None if years == 0 else timezone.localdate(now).replace(year=timezone.localdate(now).year + years)
    manifest = {"case_number": case.number, "created_at": now.isoformat(), "key_id": key.key_id,
                "algorithm": key.algorithm, "retain_until": retain_until.isoformat() if retain_until else None,
                "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}}
    manifest_bytes = canonical_bytes(manifest)
    private_pem = decrypt_private_key(key.private_key_encrypted, key_id=key.key_id)
    signature = b64(signer().sign(private_pem, manifest_bytes))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in sorted(files.items()):
            zf.writestr(name, data)
        zf.writestr(MANIFEST, manifest_bytes)
        zf.writestr(SIGNATURE, signature)
    blob = buf.getvalue()
    path = default_storage.save(f"archive/{case.number}.zip", ContentFile(blob))
    package = ArchivePackage.objects.create(
        case=case, path=path, sha256=hashlib.sha256(blob).hexdigest(), manifest=manifest, key=key,
        signature=signature, retain_until=retain_until, created_at=now)
    record_change(obj=package, actor=None, action="archived", data={
        "case": case.number, "path": path, "sha256": package.sha256, "files": len(files), "key_id": key.key_id})
    return package


@dataclass
class Verification:
    ok: bool
    problems: list[str]


def verify_package(data: bytes) -> Verification:
    """Check the platform's signature over the manifest, then every file's hash; name what changed,
    what is missing and what was added."""
    problems: list[str] = []
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return Verification(False, ["档案包已损坏，不是有效的 zip 文件"])
    with zf:
        names = set(zf.namelist())
        if MANIFEST not in names or SIGNATURE not in names:
            return Verification(False, [f"缺少{MANIFEST if MANIFEST not in names else SIGNATURE}"])
        manifest_bytes = zf.read(MANIFEST)
        manifest, signed = {"files": {}}, False
        try:
            manifest = json.loads(manifest_bytes)
            key = ArchiveKey.objects.get(key_id=manifest["key_id"])
            signed = signer().verify(key.public_key_pem.encode(), canonical_bytes(manifest),
                                     unb64(zf.read(SIGNATURE).decode()))
        except (ValueError, KeyError, TypeError, ArchiveKey.DoesNotExist):
            signed = False
        if not isinstance(manifest, dict):
            manifest = {"files": {}}
        if not signed or canonical_bytes(manifest) != manifest_bytes:
            problems.append("清单签名无效：清单被修改或并非平台签发")
        listed = manifest.get("files", {})
        for name, digest in sorted(listed.items()):
            if name not in names:
                problems.append(f"缺少文件：{name}")
            elif hashlib.sha256(zf.read(name)).hexdigest() != digest:
                problems.append(f"文件被修改：{name}")
        for name in sorted(names - set(listed) - {MANIFEST, SIGNATURE}):
            problems.append(f"清单外的文件：{name}")
    return Verification(not problems, problems)


def verify_stored(package: ArchivePackage) -> Verification:
    if not default_storage.exists(package.path):
        return Verification(False, [f"档案包不存在：{package.path}"])
    with default_storage.open(package.path, "rb") as fh:
        return verify_package(fh.read())
