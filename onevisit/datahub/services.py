"""Writes and the one read path of the data hub. Every read of shared data goes through datahub_read:
permission (共享清单), purpose, field filter, and an access record whether granted or refused."""

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from onevisit.datahub.models import AccessRecord, DataRecord, DataResource, IdentifierKind, SharingPermission
from onevisit.datahub.providers import Fetched, ProviderError, provider_for
from onevisit.datahub.schema import (
    LICENCE_ALIASES,
    LICENCE_PREFIX,
    canonical_key,
    clean_identifier,
    clean_record_data,
    validate_schema,
)
from onevisit.errors import DomainError
from onevisit.history.services import actor_label_of, record_change
from onevisit.orgs.models import Department, Role
from onevisit.orgs.selectors import has_role, roles_of

UPSERT_BATCH = 1000


def require_data_admin(actor, department: Department | None = None) -> None:
    """Global data administrators, or those of the given (owning) department."""
    if not has_role(actor, Role.DATA_ADMIN, department=department):
        raise PermissionDenied("需要数据管理员权限" + (f"（{department.name}）" if department else ""))


def _invalid(message: str, fields: list[dict]):
    return DomainError(message, code="invalid", fields=fields, status=422)


# ---- resources -------------------------------------------------------------------------------

@transaction.atomic
def resource_create(
    *, actor, key: str, name: str, owner: Department, identifier_kind: str, fields: list[dict],
    many: bool = False, description: str = "", check_permission: bool = True,
) -> DataResource:
    if check_permission:
        require_data_admin(actor)
    errors = validate_schema(fields)
    if identifier_kind not in IdentifierKind.values:
        errors.append({"field": "identifier_kind", "reason": f"未知的主键类型“{identifier_kind}”"})
    if not key or len(key) > 80 or " " in key:
        errors.append({"field": "key", "reason": "资源标识不能为空、不含空格且不超过80个字符"})
    elif DataResource.objects.filter(key=key).exists():
        errors.append({"field": "key", "reason": f"资源“{key}”已存在"})
    if errors:
        raise _invalid("共享数据资源不合法", errors)
    resource = DataResource.objects.create(
        key=key, name=name, owner=owner, identifier_kind=identifier_kind, fields=fields, many=many,
        description=description,
    )
    record_change(obj=resource, actor=actor, action="created", data={"key": key, "owner": owner.pk, "fields": fields})
    _resource_kinds.clear()
    return resource


# ---- records ---------------------------------------------------------------------------------

@dataclass
class CleanRows:
    rows: list[tuple[str, dict]]
    errors: list[dict]


def records_validate(*, resource: DataResource, rows: Iterable[dict], label: Callable[[int], str] | None = None) -> CleanRows:
    """Check every row ({"identifier", "data"}); collect all errors, named by row."""
    label = label or (lambda i: f"records[{i}]")
    clean_rows, errors, seen = [], [], {}
    for i, row in enumerate(rows, start=1):
        where = label(i)
        try:
            ident = clean_identifier(resource.identifier_kind, str(row.get("identifier") or ""))
        except ValidationError as exc:
            errors.append({"field": f"{where}.identifier", "reason": exc.messages[0]})
            ident = None
        data, errs = clean_record_data(fields=resource.fields, many=resource.many, data=row.get("data"))
        errors += [{"field": f"{where}.{e['field']}", "reason": e["reason"]} for e in errs]
        if ident is not None:
            if ident in seen:
                errors.append({"field": f"{where}.identifier", "reason": f"与{seen[ident]}的主键重复"})
            seen[ident] = where
            if not errs:
                clean_rows.append((ident, data))
    return CleanRows(clean_rows, errors)


def records_write(
    *, actor, resource: DataResource, rows: list[tuple[str, dict]], source: str,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Insert or update validated rows in one transaction (all or nothing)."""
    now = timezone.now()
    with transaction.atomic():
        for start in range(0, len(rows), UPSERT_BATCH):
            chunk = rows[start:start + UPSERT_BATCH]
            DataRecord.objects.bulk_create(
                [DataRecord(resource=resource, identifier=i, data=d, updated_at=now) for i, d in chunk],
                update_conflicts=True, unique_fields=["resource", "identifier"], update_fields=["data", "updated_at"],
            )
            if progress:
                progress(len(chunk))
        record_change(obj=resource, actor=actor, action="records_upserted", data={"count": len(rows), "source": source})
    return len(rows)


def records_upsert(*, actor, resource: DataResource, records: list[dict], source: str = "api") -> int:
    """A department system loads or updates records. Data admins of the owning department only."""
    require_data_admin(actor, resource.owner)
    if resource.key.startswith(LICENCE_PREFIX):
        raise DomainError("电子证照库由证照签发服务维护，不能直接写入", status=422, code="invalid")
    checked = records_validate(resource=resource, rows=records)
    if checked.errors:
        raise _invalid(f"共 {len(checked.errors)} 处错误，未写入任何记录", checked.errors)
    return records_write(actor=actor, resource=resource, rows=checked.rows, source=source)


# ---- sharing permissions -----------------------------------------------------------------------

@transaction.atomic
def permission_grant(
    *, actor, department: Department, resource: DataResource, fields: list[str], item_codes: list[str] | None = None,
) -> SharingPermission:
    """Add or replace a line of the sharing list."""
    require_data_admin(actor, resource.owner)
    unknown = [f for f in fields if f not in resource.field_keys]
    errors = [{"field": "fields", "reason": f"资源“{resource.key}”没有字段：{'、'.join(unknown)}"}] if unknown else []
    if not fields:
        errors.append({"field": "fields", "reason": "至少授权一个字段"})
    if errors:
        raise _invalid("共享权限不合法", errors)
    item_codes = sorted({c.strip() for c in item_codes or [] if c.strip()})
    perm, created = SharingPermission.objects.update_or_create(
        department=department, resource=resource, defaults={"fields": list(fields), "item_codes": item_codes},
    )
    record_change(
        obj=perm, actor=actor, action="granted" if created else "changed",
        data={"department": department.pk, "resource": resource.key, "fields": fields, "item_codes": item_codes},
    )
    _permission_forget(department.pk, resource.key)
    return perm


@transaction.atomic
def permission_revoke(*, actor, permission: SharingPermission, reason: str) -> None:
    require_data_admin(actor, permission.resource.owner)
    if not reason.strip():
        raise _invalid("撤销共享权限须说明理由", [{"field": "reason", "reason": "不能为空"}])
    record_change(obj=permission, actor=actor, action="revoked", reason=reason,
                  data={"department": permission.department_id, "resource": permission.resource.key})
    permission.delete()
    _permission_forget(permission.department_id, permission.resource.key)


# ---- the read path -----------------------------------------------------------------------------

@dataclass
class ReadResult:
    resource_key: str
    identifier: str
    found: bool
    data: dict | None
    fields: list[str]
    withheld: list[str]
    source: str
    updated_at: object
    fetched_at: object
    access_id: int
    extra: dict = field(default_factory=dict)


# (department_id, resource_key) -> (expires_at_monotonic, permission or None). Off unless
# DATAHUB_PERMISSION_CACHE_SECONDS > 0; a revocation reaches other workers after at most that long.
_permission_cache: dict = {}


def _json(value):
    return json.loads(value) if isinstance(value, str | bytes) else value


def _shared_cache() -> bool:
    """With REDIS_URL the permission cache is Redis, shared by every worker of every node: a grant or a
    revocation reaches them all at once (the key is deleted). Without it, each worker keeps its own."""
    return bool(getattr(settings, "REDIS_URL", ""))


def _permission_key(department_id: int, resource_key: str) -> str:
    return f"datahub:permission:{department_id}:{resource_key}"


def _permission_forget(department_id: int, resource_key: str) -> None:
    _permission_cache.clear()
    if _shared_cache():  # now, and again after the commit (another worker may have cached the old row meanwhile)
        key = _permission_key(department_id, resource_key)
        cache.delete(key)
        transaction.on_commit(lambda: cache.delete(key))


_MISSING = "none"


def _permission(department_id: int, resource_key: str) -> SharingPermission | None:
    ttl = getattr(settings, "DATAHUB_PERMISSION_CACHE_SECONDS", 0)
    if ttl > 0 and _shared_cache():
        hit = cache.get(_permission_key(department_id, resource_key))
        if hit is not None:
            return None if hit == _MISSING else hit
    elif ttl > 0:
        hit = _permission_cache.get((department_id, resource_key))
        if hit and hit[0] > time.monotonic():
            return hit[1]
    # Raw SQL on the hot path: the ORM's query compilation cost as much as the round trip.
    with connection.cursor() as cur:
        cur.execute(
            "SELECT p.id, p.fields, p.item_codes, r.id, r.key, r.name, r.owner_id, r.identifier_kind, r.many, r.fields"
            " FROM datahub_sharingpermission p JOIN datahub_dataresource r ON r.id = p.resource_id"
            " WHERE p.department_id = %s AND r.key = %s",
            [department_id, resource_key],
        )
        row = cur.fetchone()
    perm = None
    if row is not None:
        resource = DataResource(id=row[3], key=row[4], name=row[5], owner_id=row[6], identifier_kind=row[7],
                                many=bool(row[8]), fields=_json(row[9]))
        perm = SharingPermission(id=row[0], department_id=department_id, resource=resource, fields=_json(row[1]),
                                 item_codes=_json(row[2]))
    if ttl > 0 and _shared_cache():
        cache.set(_permission_key(department_id, resource_key), _MISSING if perm is None else perm, ttl)
    elif ttl > 0:
        _permission_cache[(department_id, resource_key)] = (time.monotonic() + ttl, perm)
    return perm


_ACCESS_COLUMNS = ("at", "actor_id", "actor_label", "department_id", "resource_key", "identifier", "fields",
                   "purpose_case_number", "purpose_item_code", "granted", "found", "reason")


def _access_insert(**values) -> int:
    """One INSERT of an access record, its id back. Raw SQL (values prepared by the model's own fields):
    every read writes one, and the ORM's compilation of the 12-column insert cost more than the round trip."""
    meta = AccessRecord._meta
    params = [meta.get_field(c).get_db_prep_save(values[c], connection) for c in _ACCESS_COLUMNS]
    sql = (f"INSERT INTO {meta.db_table} ({', '.join(_ACCESS_COLUMNS)})"
           f" VALUES ({', '.join(['%s'] * len(_ACCESS_COLUMNS))})")
    with connection.cursor() as cur:
        if connection.features.can_return_columns_from_insert:
            cur.execute(sql + " RETURNING id", params)
            return cur.fetchone()[0]
        cur.execute(sql, params)
        return cur.lastrowid


def _acts_for(actor, department: Department) -> bool:
    """System calls (actor None, e.g. auto-approval), staff of the department, and window clerks, who
    accept any department's items at a comprehensive window."""
    if actor is None or getattr(actor, "is_superuser", False):
        return True
    return any(r.department_id == department.pk or r.role == Role.WINDOW_CLERK for r in roles_of(actor))


def _filter(data: dict, many: bool, fields: list[str]) -> dict:
    if many:
        return {"items": [{k: v for k, v in item.items() if k in fields} for item in data.get("items", [])]}
    return {k: v for k, v in data.items() if k in fields}


def datahub_read(
    *, actor, department: Department, resource: str, identifier: str, fields: list[str] | None = None,
    purpose_case_number: str | None = None, purpose_item_code: str | None = None,
) -> ReadResult:
    """Read one record of a shared resource for a department, for a stated purpose.

    Refusals raise DomainError(403) after the refusal is recorded; do not call this inside a transaction
    that the exception would roll back (the refusal would vanish with it)."""
    now = timezone.now()
    resource = canonical_key(resource)
    identifier = (identifier or "").strip().upper()
    case_number, item_code = (purpose_case_number or "").strip(), (purpose_item_code or "").strip()
    requested = list(dict.fromkeys(fields)) if fields else None

    def record(*, granted: bool, returned: list[str], found: bool = False, reason: str = "") -> int:
        return _access_insert(
            at=now, actor_id=getattr(actor, "pk", None), actor_label=actor_label_of(actor),
            department_id=department.pk, resource_key=resource[:80], identifier=identifier[:64], fields=returned,
            purpose_case_number=case_number[:64], purpose_item_code=item_code[:40], granted=granted, found=found,
            reason=reason[:200],
        )

    def refuse(reason: str):
        record(granted=False, returned=requested or [], reason=reason)
        raise DomainError(reason, code="forbidden", status=403)

    if not case_number and not item_code:
        refuse("读取共享数据必须说明用途（办件编号或事项实施编码）")
    if not _acts_for(actor, department):
        refuse(f"读取人不属于{department.name}，不能以该部门名义读取共享数据")
    perm = _permission(department.pk, resource)
    if perm is None:
        refuse(f"{department.name}未获共享数据“{resource}”的使用权限（见共享清单）")
    if perm.item_codes and item_code not in perm.item_codes:
        refuse(f"{department.name}对“{resource}”的使用权限仅限事项：{'、'.join(perm.item_codes)}")
    permitted = perm.fields
    returned = [f for f in requested if f in permitted] if requested is not None else list(permitted)
    withheld = [f for f in requested if f not in permitted] if requested is not None else []
    if not returned:
        refuse(f"{department.name}无权读取“{resource}”的字段：{'、'.join(withheld)}")
    res = perm.resource
    try:
        identifier = clean_identifier(res.identifier_kind, identifier)
    except ValidationError as exc:
        raise _invalid("主键不正确", [{"field": "identifier", "reason": exc.messages[0]}])
    try:
        fetched: Fetched | None = provider_for(res.key).fetch(resource=res, identifier=identifier)
    except ProviderError as exc:
        refuse(f"数据源暂不可用：{exc}")
    access_id = record(granted=True, returned=returned, found=fetched is not None)
    return ReadResult(
        resource_key=res.key, identifier=identifier, found=fetched is not None,
        data=_filter(fetched.data, res.many, returned) if fetched else None, fields=returned, withheld=withheld,
        source=f"{res.name}（{fetched.source}）" if fetched else res.name,
        updated_at=fetched.updated_at if fetched else None, fetched_at=now, access_id=access_id,
        extra=fetched.extra if fetched else {},
    )


# (expires_at_monotonic, {resource key: identifier kind}): lets the case engine skip materials whose key
# names no resource without a query per submission.
_resource_kinds: dict = {}
RESOURCE_INDEX_SECONDS = 30


def resource_by_key(key: str) -> DataResource | None:
    """A resource by its key, kept per worker for RESOURCE_INDEX_SECONDS (resources are defined once and
    hardly ever change; a new one is seen by every worker within that time)."""
    hit = _resource_kinds.get(("resource", key))
    if hit and hit[0] > time.monotonic():
        return hit[1]
    resource = DataResource.objects.filter(key=key).first() if key in resource_kinds() else None
    _resource_kinds[("resource", key)] = (time.monotonic() + RESOURCE_INDEX_SECONDS, resource)
    return resource


def resource_kinds() -> dict[str, str]:
    hit = _resource_kinds.get("index")
    if hit and hit[0] > time.monotonic():
        return hit[1]
    kinds = dict(DataResource.objects.values_list("key", "identifier_kind"))
    kinds.update({f"{LICENCE_PREFIX}{name}": kinds[f"{LICENCE_PREFIX}{code}"]
                  for name, code in LICENCE_ALIASES.items() if f"{LICENCE_PREFIX}{code}" in kinds})
    _resource_kinds["index"] = (time.monotonic() + RESOURCE_INDEX_SECONDS, kinds)
    return kinds


# ---- use by the case engine ------------------------------------------------------------------------

@dataclass(frozen=True)
class Proof:
    """A proof the government already holds, fetched instead of asked for (一证通办)."""

    shared_data_key: str
    holder: str
    data: dict
    source: str
    updated_at: object
    fetched_at: object
    access_id: int
    licence_identifier: str = ""


def resolve_material(
    *, actor, department: Department, shared_data_key: str, holder: str,
    purpose_case_number: str | None = None, purpose_item_code: str | None = None,
) -> Proof | None:
    """Fetch the proof for a material with a shared-data key, or None when the hub holds none or the
    department may not read it (that refusal is on record; the applicant then brings the material)."""
    try:
        result = datahub_read(
            actor=actor, department=department, resource=shared_data_key, identifier=holder,
            purpose_case_number=purpose_case_number, purpose_item_code=purpose_item_code,
        )
    except DomainError as exc:
        if exc.status in (403, 422):
            return None
        raise
    if not result.found or (result.resource_key.startswith(LICENCE_PREFIX) and not result.extra.get("identifier")):
        return None
    return Proof(
        shared_data_key=shared_data_key, holder=result.identifier, data=result.data, source=result.source,
        updated_at=result.updated_at, fetched_at=result.fetched_at, access_id=result.access_id,
        licence_identifier=result.extra.get("identifier", ""),
    )


def prefill(
    *, actor, department: Department, prefill_keys: list[str], identifier: str,
    purpose_case_number: str | None = None, purpose_item_code: str | None = None,
) -> dict[str, object]:
    """Values for form fields with prefill keys "<resource>.<field>": one read per resource. Keys the
    department may not read, or that the register lacks, are left out (the applicant types them)."""
    by_resource: dict[str, list[str]] = {}
    for key in prefill_keys:
        res, _, fld = key.rpartition(".")
        if res and fld:
            by_resource.setdefault(res, []).append(fld)
    values: dict[str, object] = {}
    for res, flds in by_resource.items():
        try:
            result = datahub_read(
                actor=actor, department=department, resource=res, identifier=identifier, fields=flds,
                purpose_case_number=purpose_case_number, purpose_item_code=purpose_item_code,
            )
        except DomainError:
            continue
        if result.found:
            for fld in result.fields:
                if fld in (result.data or {}):
                    values[f"{res}.{fld}"] = result.data[fld]
    return values
