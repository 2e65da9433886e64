"""Licence types, signing keys, and the life of a licence: issue, renew, revoke, verify."""

import datetime
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from onevisit.accounts.auth import build_instance, model_shape
from onevisit.datahub.schema import clean_entry, clean_identifier, validate_schema
from onevisit.datahub.services import resource_create
from onevisit.errors import DomainError
from onevisit.history.services import events_start_chains, record_change
from onevisit.licences.identifiers import TYPE_CODE_RE, build_identifier, parse_identifier
from onevisit.licences.models import Licence, LicenceStatus, LicenceType, SigningKey
from onevisit.licences.signing import (
    b64,
    canonical_bytes,
    decrypt_private_key,
    encrypt_private_key,
    signer,
    unb64,
)
from onevisit.orgs.models import Department, Role
from onevisit.orgs.selectors import has_role


def _invalid(message: str, fields: list[dict]) -> DomainError:
    return DomainError(message, code="invalid", fields=fields, status=422)


def _require(actor, department: Department, *roles: Role) -> None:
    """actor None is the platform itself (auto-approval); people need one of the roles in the department."""
    if actor is None:
        return
    if not any(has_role(actor, role, department=department) for role in roles):
        raise PermissionDenied(f"无权以{department.name}的名义办理电子证照")


def today() -> datetime.date:
    return timezone.localdate()


# ---- types and keys ----------------------------------------------------------------------------------

@transaction.atomic
def licence_type_create(
    *, actor, code: str, name: str, issuer: Department, holder_kind: str, fields: list[dict],
    validity_days: int | None = None,
) -> LicenceType:
    """A licence type, and the shared resource "licence:<code>" through which other departments find it."""
    _require(actor, issuer, Role.DATA_ADMIN)
    code = (code or "").strip().upper()
    errors = validate_schema(fields)
    if not TYPE_CODE_RE.fullmatch(code):
        errors.append({"field": "code", "reason": "证照类型代码应为1至20位数字或大写字母"})
    elif LicenceType.objects.filter(code=code).exists():
        errors.append({"field": "code", "reason": f"证照类型“{code}”已存在"})
    if holder_kind not in ("id_number", "credit_code"):
        errors.append({"field": "holder_kind", "reason": "持证主体应为身份证号或统一社会信用代码"})
    if validity_days is not None and validity_days <= 0:
        errors.append({"field": "validity_days", "reason": "有效期应为正整数天数，长期有效请留空"})
    if errors:
        raise _invalid("证照类型不合法", errors)
    lt = LicenceType.objects.create(
        code=code, name=name, issuer=issuer, holder_kind=holder_kind, fields=fields, validity_days=validity_days
    )
    _serial_sequence_create(lt, start=1)
    resource_create(
        actor=actor, key=lt.resource_key, name=f"电子证照：{name}", owner=issuer, identifier_kind=holder_kind,
        fields=fields, check_permission=False,
    )
    record_change(obj=lt, actor=actor, action="created", data={"code": code, "issuer": issuer.pk,
                                                               "validity_days": validity_days})
    return lt


# ---- serials -------------------------------------------------------------------------------------------

def _serial_sequence(licence_type: LicenceType) -> str:
    return f"licences_serial_{int(licence_type.pk)}"


def _serial_sequence_create(licence_type: LicenceType, *, start: int) -> None:
    """On PostgreSQL each licence type's serials come from its own sequence: nextval takes no row lock, so
    an issue inside a long transaction (an auto-approval) does not make every other issue of the type wait
    for that transaction to end. A rolled-back issue leaves a gap, which GB/T 36904 serials allow."""
    if connection.vendor != "postgresql":
        return
    name = _serial_sequence(licence_type)
    with connection.cursor() as cur:
        # A stale sequence of a type deleted with its table's rows (test flushes) must not carry on.
        cur.execute(f'DROP SEQUENCE IF EXISTS "{name}"; CREATE SEQUENCE "{name}" START WITH {int(start)}')


def _take_serials(licence_type: LicenceType, count: int = 1) -> list[int]:
    """`count` new serials of the type. PostgreSQL: the type's sequence (made on first need for a type from
    before sequences); elsewhere the type row's counter under a row lock (held to the end of the transaction)."""
    if connection.vendor == "postgresql":
        name = _serial_sequence(licence_type)
        sql = "SELECT nextval(%s::text::regclass) FROM generate_series(1, %s) WHERE to_regclass(%s) IS NOT NULL"
        for _attempt in range(2):
            with connection.cursor() as cur:
                cur.execute(sql, [f'"{name}"', count, f'"{name}"'])
                serials = [r[0] for r in cur.fetchall()]
            if serials:
                return serials
            with transaction.atomic():  # first issue of an older type: start after what exists
                locked = LicenceType.objects.select_for_update().get(pk=licence_type.pk)
                top = Licence.objects.filter(licence_type=locked).order_by("-serial").values_list("serial", flat=True)
                start = max(locked.next_serial, (top.first() or 0) + 1)
                with connection.cursor() as cur:
                    cur.execute(f'CREATE SEQUENCE IF NOT EXISTS "{name}" START WITH {int(start)}')
        raise AssertionError("licence serial sequence missing")
    locked = LicenceType.objects.select_for_update().get(pk=licence_type.pk)
    first = locked.next_serial
    locked.next_serial = first + count
    locked.save(update_fields=["next_serial"])
    return list(range(first, first + count))


def _new_key(*, actor, department: Department) -> SigningKey:
    private_pem, public_pem = signer().generate()
    key_id = f"{department.credit_code}-{timezone.now():%Y%m%d}-{secrets.token_hex(4)}"
    key = SigningKey.objects.create(
        department=department, key_id=key_id, algorithm=signer().algorithm, public_key_pem=public_pem.decode(),
        private_key_encrypted=encrypt_private_key(private_pem, key_id=key_id),
    )
    record_change(obj=key, actor=actor, action="created", data={"key_id": key_id, "department": department.pk})
    return key


@transaction.atomic
def signing_key_rotate(*, actor, department: Department) -> SigningKey:
    """Retire the department's signing key and make a new one; licences keep naming the key that signed them."""
    _require(actor, department, Role.DATA_ADMIN)
    for old in SigningKey.objects.select_for_update().filter(department=department, active=True):
        old.active, old.retired_at = False, timezone.now()
        old.save(update_fields=["active", "retired_at"])
        record_change(obj=old, actor=actor, action="retired")
    return _new_key(actor=actor, department=department)


def _active_key(*, actor, department: Department) -> SigningKey:
    key = SigningKey.objects.filter(department=department, active=True).first()
    if key is not None:
        return key
    try:
        with transaction.atomic():  # two first issues racing: the partial unique constraint lets one win
            return _new_key(actor=actor, department=department)
    except IntegrityError:
        return SigningKey.objects.get(department=department, active=True)


# ---- signing ---------------------------------------------------------------------------------------

def _iso(at: datetime.datetime) -> str:
    return at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_document(licence: Licence) -> dict:
    """What the signature covers. Status is not in it: revocation and renewal are later facts, kept in history."""
    return {
        "identifier": licence.identifier,
        "type": licence.licence_type.code,
        "issuer": licence.issuer.credit_code,
        "serial": licence.serial,
        "version": licence.version,
        "holder": licence.holder,
        "data": licence.data,
        "issued_at": _iso(licence.issued_at),
        "valid_until": licence.valid_until.isoformat() if licence.valid_until else None,
        "predecessor": licence.predecessor.identifier if licence.predecessor_id else None,
        "case_number": licence.case_number,
        "key_id": licence.signing_key.key_id,
    }


# (key id, stored ciphertext, key-encryption key) -> decrypted private PEM. A key's private half never
# changes (rotation makes a new key id), so a worker decrypts each key once; which key is active is still
# read from the database on every issue, and a changed ciphertext or settings key decrypts afresh.
_private_pems: dict[tuple, bytes] = {}


def _private_pem(key: SigningKey) -> bytes:
    blob = bytes(key.private_key_encrypted)
    cache_key = (key.key_id, blob, settings.KEY_ENCRYPTION_KEY)
    pem = _private_pems.get(cache_key)
    if pem is None:
        pem = decrypt_private_key(blob, key_id=key.key_id)
        if len(_private_pems) > 256:
            _private_pems.clear()
        _private_pems[cache_key] = pem
    return pem


def _sign(licence: Licence) -> None:
    private_pem = _private_pem(licence.signing_key)
    licence.signature = b64(signer().sign(private_pem, canonical_bytes(canonical_document(licence))))


def signature_ok(licence: Licence) -> bool:
    try:
        signature = unb64(licence.signature)
    except ValueError:
        return False
    return signer().verify(
        licence.signing_key.public_key_pem.encode(), canonical_bytes(canonical_document(licence)), signature
    )


# ---- issue, renew, revoke -----------------------------------------------------------------------------

def _clean(licence_type: LicenceType, holder: str, data: dict) -> tuple[str, dict]:
    errors = []
    try:
        holder = clean_identifier(licence_type.holder_kind, holder)
    except ValidationError as exc:
        errors.append({"field": "holder", "reason": exc.messages[0]})
    clean, errs = clean_entry(licence_type.fields, data)
    errors += [{"field": f"data.{e['field']}", "reason": e["reason"]} for e in errs]
    if errors:
        raise _invalid("证照信息不合法", errors)
    return holder, clean


def _create(*, actor, licence_type: LicenceType, serial: int, version: int, holder: str, data: dict,
            case_number: str, predecessor: Licence | None) -> Licence:
    now = timezone.now()
    days = licence_type.validity_days
    licence = Licence(
        identifier=build_identifier(type_code=licence_type.code, issuer_credit_code=licence_type.issuer.credit_code,
                                    serial=serial, version=version),
        licence_type=licence_type, issuer=licence_type.issuer, serial=serial, version=version, holder=holder,
        data=data, issued_at=now, valid_until=timezone.localdate(now) + datetime.timedelta(days=days) if days else None,
        predecessor=predecessor, case_number=case_number or "",
        signing_key=_active_key(actor=actor, department=licence_type.issuer),
    )
    _sign(licence)
    licence.save(force_insert=True)
    # A new licence's chain starts here: one insert, no head to read.
    events_start_chains([{"obj": licence, "actor": actor, "action": "issued" if predecessor is None else "renewed",
                          "data": {"identifier": licence.identifier, "holder": holder,
                                   "case_number": licence.case_number,
                                   "predecessor": predecessor.identifier if predecessor else None,
                                   "key_id": licence.signing_key.key_id}}])
    return licence


def licence_issue(*, actor, licence_type: LicenceType, holder: str, data: dict, case_number: str | None = None) -> Licence:
    """Issue and sign a licence. actor None = the platform (an auto-approved case); otherwise an approver
    or data administrator of the issuing department."""
    _require(actor, licence_type.issuer, Role.APPROVER, Role.DATA_ADMIN)
    holder, data = _clean(licence_type, holder, data)
    # No savepoint of its own: inside a caller's transaction an error here rolls that back anyway.
    with transaction.atomic(savepoint=False):
        current = LicenceType.objects.select_related("issuer").get(pk=licence_type.pk)
        serial = _take_serials(current)[0]
        return _create(actor=actor, licence_type=current, serial=serial, version=1, holder=holder, data=data,
                       case_number=case_number or "", predecessor=None)


def licence_renew(*, actor, licence: Licence, data: dict | None = None, case_number: str | None = None) -> Licence:
    """换发: the same serial, the next version, linked to its predecessor, which becomes superseded."""
    _require(actor, licence.issuer, Role.APPROVER, Role.DATA_ADMIN)
    with transaction.atomic():
        old = Licence.objects.select_for_update().select_related("licence_type__issuer").get(pk=licence.pk)
        if old.status in (LicenceStatus.REVOKED, LicenceStatus.SUPERSEDED):
            raise DomainError(f"该证照{old.get_status_display()}，不能换发", code="conflict")
        holder, clean = _clean(old.licence_type, old.holder, data if data is not None else old.data)
        new = _create(actor=actor, licence_type=old.licence_type, serial=old.serial, version=old.version + 1,
                      holder=holder, data=clean, case_number=case_number or "", predecessor=old)
        old.status = LicenceStatus.SUPERSEDED
        old.save(update_fields=["status"])
        record_change(obj=old, actor=actor, action="superseded", data={"successor": new.identifier})
    licence.refresh_from_db()
    return new


@transaction.atomic
def licence_revoke(*, actor, licence: Licence, reason: str) -> Licence:
    _require(actor, licence.issuer, Role.APPROVER, Role.DATA_ADMIN)
    if not (reason or "").strip():
        raise _invalid("注销证照须说明原因", [{"field": "reason", "reason": "不能为空"}])
    locked = Licence.objects.select_for_update().get(pk=licence.pk)
    if locked.status == LicenceStatus.REVOKED:
        raise DomainError("该证照已注销", code="conflict")
    locked.status, locked.revoked_reason = LicenceStatus.REVOKED, reason.strip()[:200]
    locked.save(update_fields=["status", "revoked_reason"])
    record_change(obj=locked, actor=actor, action="revoked", reason=reason)
    licence.refresh_from_db()
    return locked


@transaction.atomic
def licences_expire(*, actor=None, on: datetime.date | None = None) -> int:
    """Mark valid licences past their date as expired (verification already says so without this)."""
    on = on or today()
    count = 0
    for licence in Licence.objects.select_for_update().filter(status=LicenceStatus.VALID, valid_until__lt=on):
        licence.status = LicenceStatus.EXPIRED
        licence.save(update_fields=["status"])
        record_change(obj=licence, actor=actor, action="expired", data={"valid_until": licence.valid_until.isoformat()})
        count += 1
    return count


# ---- verification ---------------------------------------------------------------------------------------

class Verdict:
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    TAMPERED = "tampered"
    UNKNOWN = "unknown"


VERDICT_LABELS = {
    Verdict.VALID: "有效", Verdict.EXPIRED: "已过期", Verdict.REVOKED: "已注销", Verdict.SUPERSEDED: "已换发（旧版本）",
    Verdict.TAMPERED: "内容被篡改或签名无效", Verdict.UNKNOWN: "查无此证",
}


@dataclass(frozen=True)
class Verification:
    identifier: str
    verdict: str
    licence: Licence | None

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self.verdict]


_verify_plans: dict[str, tuple[str, list]] = {}


def _verify_plan() -> tuple[str, list]:
    plan = _verify_plans.get(connection.vendor)
    if plan is None:
        columns, shapes = [], []
        for model, alias in ((Licence, "l"), (LicenceType, "t"), (Department, "d"), (SigningKey, "k"),
                             (Licence, "p")):
            cols, shape = model_shape(model, alias)
            columns += cols
            shapes.append(shape)
        sql = (f"SELECT {', '.join(columns)} FROM {Licence._meta.db_table} l"
               f" JOIN {LicenceType._meta.db_table} t ON t.id = l.licence_type_id"
               f" JOIN {Department._meta.db_table} d ON d.id = l.issuer_id"
               f" JOIN {SigningKey._meta.db_table} k ON k.id = l.signing_key_id"
               f" LEFT JOIN {Licence._meta.db_table} p ON p.id = l.predecessor_id"
               " WHERE l.identifier = %s")
        plan = _verify_plans[connection.vendor] = (sql, shapes)
    return plan


def licence_for_verify(identifier: str) -> Licence | None:
    """The licence with its type, issuer, signing key and predecessor: one statement, hand-written because
    the ORM's compilation of this five-table select cost twice the query itself (verification is public
    and behind every QR code)."""
    sql, shapes = _verify_plan()
    with connection.cursor() as cur:
        cur.execute(sql, [identifier])
        row = cur.fetchone()
    if row is None:
        return None
    parts, start = [], 0
    for shape in shapes:
        width = len(shape[1])
        parts.append(build_instance(shape, row[start:start + width]))
        start += width
    licence, licence_type, issuer, key, predecessor = parts
    licence.licence_type, licence.issuer, licence.signing_key = licence_type, issuer, key
    licence.predecessor = predecessor
    return licence


def licence_verify(*, identifier: str) -> Verification:
    """Anyone may verify: tampered (signature fails over what the database now holds), revoked,
    superseded, expired, valid; unknown for a malformed identifier, a wrong check character or no licence."""
    identifier = (identifier or "").strip().upper()
    if parse_identifier(identifier) is None:
        return Verification(identifier, Verdict.UNKNOWN, None)
    licence = licence_for_verify(identifier)
    if licence is None:
        return Verification(identifier, Verdict.UNKNOWN, None)
    if not signature_ok(licence):
        return Verification(identifier, Verdict.TAMPERED, licence)
    if licence.status == LicenceStatus.REVOKED:
        return Verification(identifier, Verdict.REVOKED, licence)
    if licence.status == LicenceStatus.SUPERSEDED:
        return Verification(identifier, Verdict.SUPERSEDED, licence)
    if licence.is_expired(today()):
        return Verification(identifier, Verdict.EXPIRED, licence)
    return Verification(identifier, Verdict.VALID, licence)


# ---- import of existing licences ---------------------------------------------------------------------------

def licences_import(*, actor, licence_type: LicenceType, rows: list[dict], source: str = "import") -> list[Licence]:
    """Bring licences issued before the platform into the library, each signed now by the issuer's key
    (over its original issue date). rows: {"holder", "data", "issued_on" (date, optional), "valid_until"
    (date, optional; else computed from the type's validity)}. All or nothing: every error is listed by row."""
    _require(actor, licence_type.issuer, Role.DATA_ADMIN)
    errors, clean = [], []
    for i, row in enumerate(rows, start=1):
        try:
            holder, data = _clean(licence_type, str(row.get("holder") or ""), row.get("data") or {})
        except DomainError as exc:
            errors += [{"field": f"第{i}行.{e['field']}", "reason": e["reason"]} for e in exc.fields]
            continue
        issued_on = row.get("issued_on") or today()
        valid_until = row.get("valid_until")
        if valid_until is None and licence_type.validity_days:
            valid_until = issued_on + datetime.timedelta(days=licence_type.validity_days)
        clean.append((holder, data, issued_on, valid_until))
    if errors:
        raise _invalid(f"共 {len(errors)} 处错误，未导入任何证照", errors)
    from onevisit.workdays.calendar import SHANGHAI

    with transaction.atomic():
        locked = LicenceType.objects.select_related("issuer").get(pk=licence_type.pk)
        key = _active_key(actor=actor, department=locked.issuer)
        serials = _take_serials(locked, len(clean)) if clean else []
        first = serials[0] if serials else locked.next_serial
        licences = []
        for serial, (holder, data, issued_on, valid_until) in zip(serials, clean, strict=True):
            licence = Licence(
                identifier=build_identifier(type_code=locked.code, issuer_credit_code=locked.issuer.credit_code,
                                            serial=serial, version=1),
                licence_type=locked, issuer=locked.issuer, serial=serial, version=1, holder=holder, data=data,
                issued_at=datetime.datetime.combine(issued_on, datetime.time(9), tzinfo=SHANGHAI),
                valid_until=valid_until, signing_key=key,
            )
            _sign(licence)
            licences.append(licence)
        Licence.objects.bulk_create(licences, batch_size=500)
        # One event for the batch on the type (one per licence would dwarf the import, as for register loads).
        record_change(obj=locked, actor=actor, action="licences_imported", data={
            "count": len(licences), "first_serial": first, "last_serial": serials[-1] if serials else first - 1,
            "source": source,
            "key_id": key.key_id,
        })
    return licences
