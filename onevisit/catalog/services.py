"""Writes to the catalog. Every function is one transaction and appends the history event."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.forms.models import model_to_dict
from django.utils import timezone

from onevisit.catalog.models import (
    DEFAULT_STEPS,
    Bundle,
    BundleEntry,
    FormField,
    Material,
    ProcedureStep,
    ServiceItem,
    SpecialProcedure,
    VersionStatus,
)
from onevisit.errors import DomainError
from onevisit.history.services import record_change
from onevisit.orgs.models import Department, Role
from onevisit.orgs.selectors import has_role

CHILD_MODELS = {
    "materials": Material,
    "fields": FormField,
    "steps": ProcedureStep,
    "special_procedures": SpecialProcedure,
}
_ITEM_EXCLUDED = {"id", "version", "status", "created_at", "updated_at", "published_at", "co_departments"}


def require_catalog_admin(actor, department: Department | None) -> None:
    """Catalog administrators of a department manage its items; one without a department manages all."""
    if not has_role(actor, Role.CATALOG_ADMIN, department=department):
        raise PermissionDenied("只有本部门的事项管理员可以维护该事项")


def _child_rows(item: ServiceItem, name: str) -> list[dict]:
    rows = []
    for obj in getattr(item, name).all():
        row = model_to_dict(obj, exclude=["id", "item"])
        for key, value in list(row.items()):
            # An empty FieldFile raises ValueError on .url, so test the type, not the attributes.
            if isinstance(value, FieldFile):
                row[key] = value.name or ""
        rows.append(row)
    return rows


def item_snapshot(item: ServiceItem) -> dict[str, Any]:
    """Everything an item version says, as plain data (for history, export and copies)."""
    data = {f.name: getattr(item, f.attname) for f in item._meta.concrete_fields if f.name not in ("id",)}
    data["region"] = item.region.code
    data["department"] = item.department.credit_code
    data.pop("region_id", None)
    data.pop("department_id", None)
    data["co_departments"] = sorted(d.credit_code for d in item.co_departments.all())
    for name in CHILD_MODELS:
        data[name] = _child_rows(item, name)
    return data


def _validate_children(item: ServiceItem, children: dict[str, list[dict]]) -> dict[str, list]:
    """Build (unsaved) child objects and validate each; errors name the list, the row and the field."""
    built: dict[str, list] = {}
    errors: dict[str, list[str]] = {}
    for name, rows in children.items():
        model = CHILD_MODELS[name]
        objs, seen = [], set()
        for index, row in enumerate(rows, start=1):
            obj = model(item=item, **row)
            if not getattr(obj, "position", None) and name != "special_procedures":
                obj.position = index
            key = getattr(obj, "key", None) or getattr(obj, "kind", None)
            try:
                obj.full_clean(exclude=["item"], validate_unique=False)
            except ValidationError as exc:
                for field, msgs in exc.message_dict.items():
                    errors.setdefault(f"{name}[{index}].{field}", []).extend(msgs)
            if key in seen:
                errors.setdefault(f"{name}[{index}].key", []).append(f"标识“{key}”重复")
            seen.add(key)
            objs.append(obj)
        built[name] = objs
    if errors:
        raise ValidationError(errors)
    return built


def _save_children(item: ServiceItem, built: dict[str, list]) -> None:
    for name, objs in built.items():
        CHILD_MODELS[name].objects.filter(item=item).delete()
        for obj in objs:
            obj.item = item
        CHILD_MODELS[name].objects.bulk_create(objs)


def _default_steps() -> list[dict]:
    return [
        {"position": i, "key": key, "name": name, "role": role, "share": share}
        for i, (key, name, role, share) in enumerate(DEFAULT_STEPS, start=1)
    ]


@transaction.atomic
def item_create(
    *, actor, data: dict[str, Any], co_departments: Iterable[Department] = (), children: dict[str, list[dict]] | None = None,
    reason: str = "", check_permission: bool = True,
) -> ServiceItem:
    """Create version 1 of an item as a draft. Steps default to 受理→审查→决定→制证→送达."""
    item = ServiceItem(**data, version=1, status=VersionStatus.DRAFT)
    if check_permission:
        require_catalog_admin(actor, item.department if item.department_id else None)
    if ServiceItem.objects.filter(implementation_code=item.implementation_code).exists():
        raise ValidationError({"implementation_code": f"实施编码 {item.implementation_code} 已存在"})
    item.full_clean(validate_constraints=False)
    children = dict(children or {})
    children.setdefault("steps", _default_steps())
    built = _validate_children(item, children)
    item.save()
    item.co_departments.set(list(co_departments))
    _save_children(item, built)
    record_change(obj=item, actor=actor, action="item_created", reason=reason, data=item_snapshot(item))
    return item


def _require_draft(item: ServiceItem) -> None:
    if item.status != VersionStatus.DRAFT:
        raise DomainError(
            f"事项“{item.name}”第{item.version}版为{item.get_status_display()}状态，不能直接修改；请先建立新版本",
            code="not_draft",
        )


@transaction.atomic
def item_update(
    *, actor, item: ServiceItem, data: dict[str, Any] | None = None, co_departments: Iterable[Department] | None = None,
    children: dict[str, list[dict]] | None = None, reason: str = "",
) -> ServiceItem:
    """Change a draft. Given child lists replace the old ones entirely."""
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    require_catalog_admin(actor, item.department)
    _require_draft(item)
    before = item_snapshot(item)
    for key, value in (data or {}).items():
        if key in _ITEM_EXCLUDED or key == "implementation_code":
            raise ValidationError({key: "该字段不能修改"})
        setattr(item, key, value)
    if data and "department" in data:
        require_catalog_admin(actor, item.department)
    item.full_clean(validate_constraints=False)
    built = _validate_children(item, children or {})
    item.save()
    if co_departments is not None:
        item.co_departments.set(list(co_departments))
    _save_children(item, built)
    after = item_snapshot(item)
    changed = {k: {"from": before[k], "to": after[k]} for k in after if before.get(k) != after[k]}
    record_change(obj=item, actor=actor, action="item_updated", reason=reason, data={"changed": changed})
    return item


@transaction.atomic
def item_new_version(*, actor, item: ServiceItem, reason: str = "") -> ServiceItem:
    """Start a new draft version of a published item, copying everything it says."""
    source = ServiceItem.objects.select_for_update().get(pk=item.pk)
    require_catalog_admin(actor, source.department)
    if source.status != VersionStatus.PUBLISHED:
        raise DomainError("只能从已发布的版本建立新版本", code="not_published")
    if ServiceItem.objects.filter(implementation_code=source.implementation_code, status=VersionStatus.DRAFT).exists():
        raise DomainError("该事项已有未发布的新版本草稿", code="draft_exists")
    last = ServiceItem.objects.filter(implementation_code=source.implementation_code).order_by("-version").first()
    co = list(source.co_departments.all())
    copies = {name: list(getattr(source, name).all()) for name in CHILD_MODELS}
    draft = ServiceItem.objects.get(pk=source.pk)
    draft.pk = None
    draft.version = last.version + 1
    draft.status = VersionStatus.DRAFT
    draft.published_at = None
    draft.save()
    draft.co_departments.set(co)
    for objs in copies.values():
        for obj in objs:
            obj.pk = None
            obj.item = draft
        if objs:
            type(objs[0]).objects.bulk_create(objs)
    record_change(
        obj=draft, actor=actor, action="item_version_started", reason=reason,
        data={"from_version": source.version, "snapshot": item_snapshot(draft)},
    )
    return draft


def check_publishable(item: ServiceItem) -> None:
    errors: dict[str, list[str]] = {}
    try:
        item.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    steps = list(item.steps.all())
    if not steps:
        errors.setdefault("steps", []).append("至少需要一个办理环节")
    elif sum(s.share for s in steps) != 100:
        errors.setdefault("steps", []).append(f"各环节占时限比例之和应为100%，实际为{sum(s.share for s in steps)}%")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def item_publish(*, actor, item: ServiceItem, reason: str = "") -> ServiceItem:
    """Publish a draft; the version published before it is retired and stays as it was."""
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    require_catalog_admin(actor, item.department)
    _require_draft(item)
    check_publishable(item)
    previous = (
        ServiceItem.objects.select_for_update()
        .filter(implementation_code=item.implementation_code, status=VersionStatus.PUBLISHED)
        .first()
    )
    if previous is not None:
        previous.status = VersionStatus.RETIRED
        previous.save(update_fields=["status", "updated_at"])
        record_change(
            obj=previous, actor=actor, action="item_retired", reason=f"被第{item.version}版取代",
            data={"superseded_by": item.version},
        )
    item.status = VersionStatus.PUBLISHED
    item.published_at = timezone.now()
    item.save(update_fields=["status", "published_at", "updated_at"])
    record_change(obj=item, actor=actor, action="item_published", reason=reason, data={"version": item.version})
    return item


@transaction.atomic
def item_retire(*, actor, item: ServiceItem, reason: str) -> ServiceItem:
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    require_catalog_admin(actor, item.department)
    if item.status != VersionStatus.PUBLISHED:
        raise DomainError("只有已发布的事项可以停用", code="not_published")
    if not reason.strip():
        raise ValidationError({"reason": "停用事项必须说明原因"})
    item.status = VersionStatus.RETIRED
    item.save(update_fields=["status", "updated_at"])
    record_change(obj=item, actor=actor, action="item_retired", reason=reason, data={"version": item.version})
    return item


def published_item(code: str) -> ServiceItem | None:
    return ServiceItem.objects.filter(implementation_code=code, status=VersionStatus.PUBLISHED).first()


# Bundles -------------------------------------------------------------------------------------

_BUNDLE_FIELDS = ("code", "name", "description", "keywords", "promised_limit", "promised_limit_unit", "promised_visits")


def _bundle_snapshot(bundle: Bundle) -> dict[str, Any]:
    data = {f: getattr(bundle, f) for f in _BUNDLE_FIELDS}
    data["status"] = bundle.status
    data["lead_department"] = bundle.lead_department.credit_code
    data["entries"] = [
        {"stage": e.stage, "position": e.position, "item_code": e.item_code} for e in bundle.entries.all()
    ]
    return data


def _validate_entries(entries: list[dict]) -> list[BundleEntry]:
    errors: dict[str, list[str]] = {}
    objs, seen = [], set()
    for index, row in enumerate(entries, start=1):
        entry = BundleEntry(stage=row.get("stage", 1), position=row.get("position", index), item_code=row["item_code"])
        if entry.item_code in seen:
            errors.setdefault(f"entries[{index}].item_code", []).append(f"事项 {entry.item_code} 重复")
        seen.add(entry.item_code)
        if not ServiceItem.objects.filter(implementation_code=entry.item_code).exists():
            errors.setdefault(f"entries[{index}].item_code", []).append(f"事项实施编码 {entry.item_code} 不存在")
        if entry.stage < 1:
            errors.setdefault(f"entries[{index}].stage", []).append("阶段从1开始")
        objs.append(entry)
    if len(objs) < 2:
        errors.setdefault("entries", []).append("一件事至少包含两个事项")
    if errors:
        raise ValidationError(errors)
    return objs


@transaction.atomic
def bundle_create(*, actor, data: dict[str, Any], entries: list[dict], reason: str = "", check_permission: bool = True) -> Bundle:
    bundle = Bundle(**data, status=VersionStatus.DRAFT)
    if check_permission:
        require_catalog_admin(actor, bundle.lead_department if bundle.lead_department_id else None)
    bundle.full_clean()
    objs = _validate_entries(entries)
    bundle.save()
    for obj in objs:
        obj.bundle = bundle
    BundleEntry.objects.bulk_create(objs)
    record_change(obj=bundle, actor=actor, action="bundle_created", reason=reason, data=_bundle_snapshot(bundle))
    return bundle


@transaction.atomic
def bundle_update(
    *, actor, bundle: Bundle, data: dict[str, Any] | None = None, entries: list[dict] | None = None, reason: str = ""
) -> Bundle:
    bundle = Bundle.objects.select_for_update().get(pk=bundle.pk)
    require_catalog_admin(actor, bundle.lead_department)
    before = _bundle_snapshot(bundle)
    for key, value in (data or {}).items():
        if key not in _BUNDLE_FIELDS and key != "lead_department" or key == "code":
            raise ValidationError({key: "该字段不能修改"})
        setattr(bundle, key, value)
    if data and "lead_department" in data:
        # Handing the bundle to another department needs the right over that department too.
        require_catalog_admin(actor, bundle.lead_department)
    bundle.full_clean()
    if entries is not None:
        objs = _validate_entries(entries)
        bundle.entries.all().delete()
        for obj in objs:
            obj.bundle = bundle
        BundleEntry.objects.bulk_create(objs)
    bundle.save()
    if bundle.status == VersionStatus.PUBLISHED:
        check_bundle_publishable(bundle)
    after = _bundle_snapshot(bundle)
    changed = {k: {"from": before[k], "to": after[k]} for k in after if before.get(k) != after[k]}
    record_change(obj=bundle, actor=actor, action="bundle_updated", reason=reason, data={"changed": changed})
    return bundle


def check_bundle_publishable(bundle: Bundle) -> None:
    from onevisit.catalog.bundles import bundle_plan

    plan = bundle_plan(bundle)
    if plan.problems:
        raise ValidationError({"entries": plan.problems})


@transaction.atomic
def bundle_publish(*, actor, bundle: Bundle, reason: str = "") -> Bundle:
    bundle = Bundle.objects.select_for_update().get(pk=bundle.pk)
    require_catalog_admin(actor, bundle.lead_department)
    if bundle.status == VersionStatus.PUBLISHED:
        raise DomainError("该一件事已发布", code="already_published")
    check_bundle_publishable(bundle)
    bundle.status = VersionStatus.PUBLISHED
    bundle.save(update_fields=["status", "updated_at"])
    record_change(obj=bundle, actor=actor, action="bundle_published", reason=reason)
    return bundle


@transaction.atomic
def bundle_retire(*, actor, bundle: Bundle, reason: str) -> Bundle:
    bundle = Bundle.objects.select_for_update().get(pk=bundle.pk)
    require_catalog_admin(actor, bundle.lead_department)
    if bundle.status != VersionStatus.PUBLISHED:
        raise DomainError("只有已发布的一件事可以停用", code="not_published")
    if not reason.strip():
        raise ValidationError({"reason": "停用必须说明原因"})
    bundle.status = VersionStatus.RETIRED
    bundle.save(update_fields=["status", "updated_at"])
    record_change(obj=bundle, actor=actor, action="bundle_retired", reason=reason)
    return bundle
