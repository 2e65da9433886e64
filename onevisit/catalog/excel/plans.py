"""Import plans: what the file says about each item version and bundle, built without the database, and
the comparison with what the database holds (same shape as services.item_snapshot())."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.db.models.fields.files import FieldFile
from django.forms.models import model_to_dict

from onevisit.catalog.excel.columns import BUNDLES, REF, SHEET
from onevisit.catalog.models import Bundle, BundleEntry, ServiceItem
from onevisit.catalog.services import CHILD_MODELS
from onevisit.orgs.models import Department


@dataclass
class ItemPlan:
    rec: dict
    obj: ServiceItem
    region_code: str
    department_code: str
    co_codes: list[str]
    co_objs: list[Department]
    children: dict[str, list] = field(default_factory=lambda: {name: [] for name in CHILD_MODELS})
    child_recs: dict[str, list[dict]] = field(default_factory=lambda: {name: [] for name in CHILD_MODELS})
    existing_id: int | None = None
    existing_status: str | None = None
    action: str = "create"  # create | update | skip

    def snapshot(self) -> dict[str, Any]:
        """The same shape as services.item_snapshot(), built from the file without the database."""
        obj = self.obj
        data = {f.name: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.name != "id"}
        data["region"] = self.region_code
        data["department"] = self.department_code
        data["co_departments"] = sorted(self.co_codes)
        for name, objs in self.children.items():
            data[name] = [child_dict(o) for o in objs]
        return data


@dataclass
class BundlePlan:
    rec: dict
    obj: Bundle
    lead_code: str
    entries: list[BundleEntry] = field(default_factory=list)
    entry_recs: list[dict] = field(default_factory=list)
    existing: Bundle | None = None
    action: str = "create"

    def snapshot(self) -> dict[str, Any]:
        return bundle_data(self.obj, self.lead_code, [(e.stage, e.position, e.item_code) for e in self.entries])


def child_dict(obj) -> dict:
    row = model_to_dict(obj, exclude=["id", "item"])
    for key, value in list(row.items()):
        if isinstance(value, FieldFile):
            row[key] = value.name or ""
    return row


def bundle_data(bundle: Bundle, lead_code: str, entries: list[tuple]) -> dict[str, Any]:
    data = {c.key: getattr(bundle, c.key) for c in SHEET[BUNDLES].columns if c.kind != REF}
    data["lead_department"] = lead_code
    data["entries"] = [{"stage": s, "position": p, "item_code": c} for s, p, c in entries]
    return data


_BOOKKEEPING = ("created_at", "updated_at")


def comparable(snapshot: dict[str, Any]) -> dict[str, Any]:
    from onevisit.history.services import normalise

    data = normalise(snapshot)
    for key in _BOOKKEEPING:
        data.pop(key, None)
    for key, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            data[key] = sorted(value, key=lambda row: json.dumps(row, sort_keys=True, ensure_ascii=False))
    return data


def differences(a: dict, b: dict, headers: dict[str, str]) -> list[str]:
    return [headers.get(k, k) for k in a if a.get(k) != b.get(k)]
