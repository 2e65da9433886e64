"""Import, writing: what a validated Importer planned goes to the database in bulk (regions by level,
departments, item versions with their children and co-departments, bundles), updated drafts in place,
and the history chain of every new object opened in bulk."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from onevisit.catalog.models import Bundle, BundleEntry, ServiceItem
from onevisit.catalog.services import CHILD_MODELS
from onevisit.history.services import events_start_chains, record_change
from onevisit.orgs.models import LEVEL_ORDER, Department, Region

if TYPE_CHECKING:
    from onevisit.catalog.excel.importer import Importer


def write_plan(importer: Importer) -> None:
    """Write what a validated Importer planned: bulk inserts, updates of drafts, the history events."""
    actor = importer.actor
    for level in LEVEL_ORDER:
        batch = [r for r in importer.new_regions if r.level == level]
        Region.objects.bulk_create(batch, batch_size=1000)
    Department.objects.bulk_create(importer.new_departments, batch_size=1000)
    events_start_chains(
        [{"obj": r, "actor": actor, "action": "region_imported", "data": {"code": r.code, "name": r.name}}
         for r in importer.new_regions]
        + [{"obj": d, "actor": actor, "action": "department_imported",
            "data": {"credit_code": d.credit_code, "name": d.name}} for d in importer.new_departments]
    )

    creates = [p for p in importer.items.values() if p.action == "create"]
    updates = [p for p in importer.items.values() if p.action == "update"]
    bulk_create_keeping_stamps(ServiceItem, [p.obj for p in creates])
    for plan in updates:
        plan.obj.pk = plan.existing_id
        names = [f.name for f in ServiceItem._meta.concrete_fields if f.name not in ("id", "created_at")]
        plan.obj.save(update_fields=names)
        for model in CHILD_MODELS.values():
            model.objects.filter(item_id=plan.existing_id).delete()
        plan.obj.co_departments.clear()
    through = ServiceItem.co_departments.through
    for name, model in CHILD_MODELS.items():
        model.objects.bulk_create([o for p in creates + updates for o in p.children[name]], batch_size=2000)
    through.objects.bulk_create(
        [through(serviceitem_id=p.obj.pk, department_id=d.pk) for p in creates + updates for d in p.co_objs],
        batch_size=2000,
    )
    events_start_chains(
        {"obj": p.obj, "actor": actor, "action": "item_imported", "data": p.snapshot()} for p in creates
    )
    for plan in updates:
        record_change(obj=plan.obj, actor=actor, action="item_imported", data=plan.snapshot())

    bundle_creates = [p for p in importer.bundles.values() if p.action == "create"]
    bundle_updates = [p for p in importer.bundles.values() if p.action == "update"]
    bulk_create_keeping_stamps(Bundle, [p.obj for p in bundle_creates])
    for plan in bundle_updates:
        plan.obj.pk = plan.existing.pk
        names = [f.name for f in Bundle._meta.concrete_fields if f.name not in ("id", "created_at")]
        plan.obj.save(update_fields=names)
        BundleEntry.objects.filter(bundle_id=plan.obj.pk).delete()
    BundleEntry.objects.bulk_create([e for p in bundle_creates + bundle_updates for e in p.entries])
    events_start_chains(
        {"obj": p.obj, "actor": actor, "action": "bundle_imported", "data": p.snapshot()} for p in bundle_creates
    )
    for plan in bundle_updates:
        record_change(obj=plan.obj, actor=actor, action="bundle_imported", data=plan.snapshot())


def bulk_create_keeping_stamps(model, objs: list) -> None:
    """bulk_create() stamps auto_now fields with the current time; put back the times the file gave."""
    stamps = [(o.created_at, o.updated_at) for o in objs]
    model.objects.bulk_create(objs, batch_size=1000)
    restore = []
    now = timezone.now()
    for obj, (created, updated) in zip(objs, stamps, strict=True):
        if created is not None or updated is not None:
            obj.created_at = created or now
            obj.updated_at = updated or now
            restore.append(obj)
    if restore:
        model.objects.bulk_update(restore, ["created_at", "updated_at"], batch_size=1000)
