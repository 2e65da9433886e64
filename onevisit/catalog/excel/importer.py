"""Import, across sheets: every cross-sheet rule (references to regions, departments and item versions,
duplicates, one published and one draft version per item, what may change in versions the system already
holds, bundles and their merged form) checked before anything is written. `import_catalog` is the entry
point: all or nothing, in one transaction."""

from __future__ import annotations

from collections import defaultdict
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction

from onevisit.catalog.excel.cells import BAD, CatalogImportError, CellError, ImportResult
from onevisit.catalog.excel.columns import (
    BUNDLES,
    CHILD_SHEETS,
    CODE_LIST,
    DEPARTMENTS,
    ENTRIES,
    ITEM_REF,
    ITEMS,
    REF,
    REGIONS,
    SEP,
    SHEET,
    STEPS,
)
from onevisit.catalog.excel.plans import BundlePlan, ItemPlan, bundle_data, comparable, differences
from onevisit.catalog.excel.sheets import ProgressFactory, SheetReader, null_progress
from onevisit.catalog.excel.writer import write_plan
from onevisit.catalog.excel.xlsx import XlsxError, XlsxReader
from onevisit.catalog.models import Bundle, BundleEntry, FormField, ServiceItem, VersionStatus
from onevisit.catalog.services import CHILD_MODELS, item_snapshot
from onevisit.orgs.models import Department, Region, RegionLevel, Role
from onevisit.orgs.selectors import roles_of


class Importer(SheetReader):
    def __init__(self, errors: list[CellError], actor):
        super().__init__(errors)
        self.actor = actor
        self.counts: dict[str, dict[str, int]] = {
            name: {"created": 0, "updated": 0, "skipped": 0} for name in ("regions", "departments", "items", "bundles")
        }

    def rec_error(self, sheet: str, rec: dict, key: str | None, reason: str) -> None:
        self.error(sheet, rec["_row"], key, reason)

    def map_validation(self, sheet: str, rec: dict, exc: ValidationError) -> None:
        keys = {c.key for c in SHEET[sheet].columns}
        for name, messages in exc.message_dict.items():
            for message in messages:
                self.rec_error(sheet, rec, name if name in keys else None, message)

    # validation --------------------------------------------------------------------------------

    def validate(self, parsed: dict[str, list[dict]]) -> None:
        self.parsed = parsed
        self._regions()
        self._departments()
        self._items()
        self._children()
        self._item_states()
        self._bundles()

    def _regions(self) -> None:
        existing = {r.code: r for r in Region.objects.select_related("parent")}
        self.regions: dict[str, Region] = dict(existing)
        self.new_regions: list[Region] = []
        seen: dict[str, int] = {}
        pending = []
        for rec in self.parsed[REGIONS]:
            code = rec["code"]
            if code is BAD:
                continue
            if code in seen:
                self.rec_error(REGIONS, rec, "code", f"区划代码 {code} 与第{seen[code]}行重复")
                continue
            seen[code] = rec["_row"]
            old = existing.get(code)
            if old is not None:
                mine = {"name": rec["name"], "level": rec["level"], "parent": rec["parent"] or ""}
                theirs = {"name": old.name, "level": old.level, "parent": old.parent.code if old.parent else ""}
                if mine != theirs:
                    spec = SHEET[REGIONS]
                    diff = [k for k in mine if mine[k] != theirs[k]]
                    self.rec_error(REGIONS, rec, diff[0], "与系统中已有的区划不一致（"
                                   + SEP.join(spec.column(k).header for k in diff) + "），导入不修改区划，请在后台修改")
                else:
                    self.counts["regions"]["skipped"] += 1
                continue
            obj = Region(code=code, name=rec["name"], level=rec["level"])
            self.regions[code] = obj
            pending.append((rec, obj))
        for rec, obj in pending:
            self.new_regions.append(obj)
            parent_code = rec["parent"]
            if parent_code and parent_code is not BAD:
                parent = self.regions.get(parent_code)
                if parent is None:
                    self.rec_error(REGIONS, rec, "parent", f"上级区划 {parent_code} 不存在（不在“区划”表中，也不在系统中）")
                    continue
                obj.parent = parent
            if rec["_bad"]:
                continue
            if obj.level == RegionLevel.PROVINCE and parent_code:
                self.rec_error(REGIONS, rec, "parent", "省级区划不能有上级")
                continue
            try:
                obj.clean()
            except ValidationError as exc:
                self.map_validation(REGIONS, rec, exc)
        self.counts["regions"]["created"] = len(self.new_regions)

    def _departments(self) -> None:
        existing = {d.credit_code: d for d in Department.objects.select_related("region")}
        self.departments: dict[str, Department] = dict(existing)
        self.new_departments: list[Department] = []
        seen: dict[str, int] = {}
        for rec in self.parsed[DEPARTMENTS]:
            code = rec["credit_code"]
            if code is BAD:
                continue
            if code in seen:
                self.rec_error(DEPARTMENTS, rec, "credit_code", f"统一社会信用代码 {code} 与第{seen[code]}行重复")
                continue
            seen[code] = rec["_row"]
            old = existing.get(code)
            if old is not None:
                mine = {"name": rec["name"], "short_name": rec["short_name"], "region": rec["region"]}
                theirs = {"name": old.name, "short_name": old.short_name, "region": old.region.code}
                if mine != theirs:
                    spec = SHEET[DEPARTMENTS]
                    diff = [k for k in mine if mine[k] != theirs[k]]
                    self.rec_error(DEPARTMENTS, rec, diff[0], "与系统中已有的部门不一致（"
                                   + SEP.join(spec.column(k).header for k in diff) + "），导入不修改部门，请在后台修改")
                else:
                    self.counts["departments"]["skipped"] += 1
                continue
            region = self.regions.get(rec["region"]) if rec["region"] is not BAD else None
            if region is None and rec["region"] is not BAD:
                self.rec_error(DEPARTMENTS, rec, "region", f"区划 {rec['region']} 不存在（不在“区划”表中，也不在系统中）")
            obj = Department(credit_code=code, name=rec["name"], short_name=rec["short_name"])
            if region is not None:
                obj.region = region
            self.departments[code] = obj
            self.new_departments.append(obj)
        self.counts["departments"]["created"] = len(self.new_departments)

    def _resolve_department(self, sheet: str, rec: dict, key: str) -> Department | None:
        code = rec[key]
        if code is BAD:
            return None
        dept = self.departments.get(code)
        if dept is None:
            self.rec_error(sheet, rec, key, f"部门 {code} 不存在（不在“部门”表中，也不在系统中）")
        return dept

    def _items(self) -> None:
        self.item_keys_db = {
            (code, version): (pk, status)
            for code, version, pk, status in ServiceItem.objects.values_list(
                "implementation_code", "version", "id", "status"
            ).iterator(chunk_size=10000)
        }
        self.items: dict[tuple[str, int], ItemPlan] = {}
        plain = [c.key for c in SHEET[ITEMS].columns if c.kind not in (REF, CODE_LIST)]
        for rec in self.parsed[ITEMS]:
            key = (rec["implementation_code"], rec["version"])
            if BAD in key:
                continue
            if key in self.items:
                self.rec_error(ITEMS, rec, "version", f"实施编码 {key[0]} 第{key[1]}版与第{self.items[key].rec['_row']}行重复")
                continue
            obj = ServiceItem(**{k: rec[k] for k in plain if rec[k] is not BAD})
            region = None
            if rec["region"] is not BAD:
                region = self.regions.get(rec["region"])
                if region is None:
                    self.rec_error(ITEMS, rec, "region", f"区划 {rec['region']} 不存在（不在“区划”表中，也不在系统中）")
                else:
                    obj.region = region
            dept = self._resolve_department(ITEMS, rec, "department")
            if dept is not None:
                obj.department = dept
            co_objs = []
            for code in rec["co_departments"] if rec["co_departments"] is not BAD else []:
                other = self.departments.get(code)
                if other is None:
                    self.rec_error(ITEMS, rec, "co_departments", f"联办部门 {code} 不存在（不在“部门”表中，也不在系统中）")
                elif other in co_objs:
                    self.rec_error(ITEMS, rec, "co_departments", f"联办部门 {code} 重复")
                else:
                    co_objs.append(other)
            plan = ItemPlan(
                rec=rec, obj=obj, region_code=rec["region"], department_code=rec["department"],
                co_codes=list(rec["co_departments"]) if rec["co_departments"] is not BAD else [], co_objs=co_objs,
            )
            self.items[key] = plan
            if rec["_bad"] or region is None or dept is None:
                continue
            try:
                obj.clean()
            except ValidationError as exc:
                self.map_validation(ITEMS, rec, exc)
            if region.pk is None and obj.level != region.level:
                self.rec_error(ITEMS, rec, "region", f"实施区划的层级（{region.get_level_display()}）与行使层级不一致")

    def _children(self) -> None:
        for name, sheet in CHILD_SHEETS.items():
            model = CHILD_MODELS[name]
            ident = "kind" if name == "special_procedures" else "key"
            cols = [c.key for c in SHEET[sheet].columns[len(ITEM_REF):]]
            has_clean = model.clean is not models.Model.clean
            seen: dict[tuple, int] = {}
            for rec in self.parsed[sheet]:
                key = (rec["implementation_code"], rec["version"])
                if BAD in key:
                    continue
                plan = self.items.get(key)
                if plan is None:
                    self.rec_error(sheet, rec, "implementation_code",
                                   f"事项（实施编码 {key[0]}，第{key[1]}版）不在“事项”表中")
                    continue
                obj = model(**{k: rec[k] for k in cols if rec[k] is not BAD})
                obj.item = plan.obj
                marker = (*key, rec[ident])
                if rec[ident] is not BAD:
                    if marker in seen:
                        self.rec_error(sheet, rec, ident, f"同一事项版本内“{SHEET[sheet].column(ident).header}”"
                                       f"为“{rec[ident]}”的行与第{seen[marker]}行重复")
                        continue
                    seen[marker] = rec["_row"]
                if has_clean and not rec["_bad"]:
                    try:
                        obj.clean()
                    except ValidationError as exc:
                        self.map_validation(sheet, rec, exc)
                plan.children[name].append(obj)
                plan.child_recs[name].append(rec)

    def _item_states(self) -> None:
        headers = {c.key: c.header for c in SHEET[ITEMS].columns}
        headers.update({name: f"“{sheet}”表" for name, sheet in CHILD_SHEETS.items()})
        for plan in self.items.values():
            obj, rec = plan.obj, plan.rec
            if obj.status == VersionStatus.PUBLISHED:
                steps = plan.children["steps"]
                if not steps:
                    self.rec_error(ITEMS, rec, "status", "已发布的事项至少需要一个办理环节（见“办理环节”表）")
                elif sum(s.share or 0 for s in steps) != 100:
                    self.rec_error(STEPS, plan.child_recs["steps"][0], "share",
                                   f"事项 {obj.implementation_code} 第{obj.version}版已发布，各环节占时限比例之和应为100%，"
                                   f"实际为{sum(s.share or 0 for s in steps)}%")
            found = self.item_keys_db.get((obj.implementation_code, obj.version))
            if found is not None:
                plan.existing_id, plan.existing_status = found
                plan.action = "compare"
        # Existing versions: identical -> skip; draft -> update; published/retired and different -> error.
        to_compare = [p for p in self.items.values() if p.action == "compare" and not p.rec["_bad"]]
        for start in range(0, len(to_compare), 500):
            chunk = {p.existing_id: p for p in to_compare[start:start + 500]}
            qs = ServiceItem.objects.filter(id__in=list(chunk)).select_related("region", "department").prefetch_related(
                "co_departments", *CHILD_MODELS
            )
            for item in qs:
                plan = chunk[item.pk]
                theirs, mine = comparable(item_snapshot(item)), comparable(plan.snapshot())
                if theirs == mine:
                    plan.action = "skip"
                elif item.status == VersionStatus.DRAFT and plan.obj.status == VersionStatus.DRAFT:
                    plan.action = "update"
                    plan.obj.created_at = item.created_at
                elif item.status == VersionStatus.DRAFT:
                    self.rec_error(ITEMS, plan.rec, "status", "系统中该版本是草稿，导入只能更新草稿的内容而不能改变其状态；"
                                   "请导入为草稿后在系统中发布")
                else:
                    diff = SEP.join(differences(mine, theirs, headers))
                    self.rec_error(ITEMS, plan.rec, "version",
                                   f"系统中该版本{item.get_status_display()}，已发布的版本不可修改；文件与系统不一致之处：{diff}"
                                   "。请改用新的版本号")
        # One published and one draft version per item at most, counting versions that stay in the database.
        final: dict[tuple[str, int], str] = {k: st for k, (_pk, st) in self.item_keys_db.items()}
        for key, plan in self.items.items():
            if plan.obj.status in VersionStatus.values:
                final[key] = plan.obj.status
        by_code: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for (code, version), status in final.items():
            by_code[code][status].append(version)
        self.published_codes = {code for code, st in by_code.items() if st.get(VersionStatus.PUBLISHED)}
        self.all_codes = set(by_code)
        for key, plan in self.items.items():
            for status in (VersionStatus.PUBLISHED, VersionStatus.DRAFT):
                versions = by_code[key[0]].get(status, [])
                if plan.obj.status == status and len(versions) > 1:
                    listed = SEP.join(f"第{v}版" for v in sorted(versions))
                    self.rec_error(ITEMS, plan.rec, "status",
                                   f"实施编码 {key[0]} 只能有一个{status.label}版本，合并系统中已有的版本后有{len(versions)}个：{listed}")
        for plan in self.items.values():
            if plan.action == "create":
                self.counts["items"]["created"] += 1
            elif plan.action == "update":
                self.counts["items"]["updated"] += 1
            elif plan.action == "skip":
                self.counts["items"]["skipped"] += 1

    def _bundles(self) -> None:
        existing = {b.code: b for b in Bundle.objects.select_related("lead_department").prefetch_related("entries")}
        self.bundles: dict[str, BundlePlan] = {}
        plain = [c.key for c in SHEET[BUNDLES].columns if c.kind != REF]
        for rec in self.parsed[BUNDLES]:
            code = rec["code"]
            if code is BAD:
                continue
            if code in self.bundles:
                self.rec_error(BUNDLES, rec, "code", f"一件事编码 {code} 与第{self.bundles[code].rec['_row']}行重复")
                continue
            obj = Bundle(**{k: rec[k] for k in plain if rec[k] is not BAD})
            dept = self._resolve_department(BUNDLES, rec, "lead_department")
            if dept is not None:
                obj.lead_department = dept
            self.bundles[code] = BundlePlan(rec=rec, obj=obj, lead_code=rec["lead_department"], existing=existing.get(code))
        seen: dict[tuple[str, str], int] = {}
        for rec in self.parsed[ENTRIES]:
            code, item_code = rec["bundle"], rec["item_code"]
            if code is BAD:
                continue
            plan = self.bundles.get(code)
            if plan is None:
                self.rec_error(ENTRIES, rec, "bundle", f"一件事 {code} 不在“一件事”表中")
                continue
            if item_code is BAD:
                continue
            if (code, item_code) in seen:
                self.rec_error(ENTRIES, rec, "item_code", f"事项 {item_code} 在一件事 {code} 中与第{seen[code, item_code]}行重复")
                continue
            seen[code, item_code] = rec["_row"]
            if item_code not in self.all_codes:
                self.rec_error(ENTRIES, rec, "item_code", f"事项实施编码 {item_code} 不存在（不在“事项”表中，也不在系统中）")
            elif plan.obj.status == VersionStatus.PUBLISHED and item_code not in self.published_codes:
                self.rec_error(ENTRIES, rec, "item_code", f"事项 {item_code} 没有已发布的版本，已发布的一件事不能包含它")
            plan.entries.append(BundleEntry(
                bundle=plan.obj, stage=rec["stage"], position=rec["position"], item_code=item_code
            ))
            plan.entry_recs.append(rec)
        headers = {c.key: c.header for c in SHEET[BUNDLES].columns} | {"entries": f"“{ENTRIES}”表"}
        for plan in self.bundles.values():
            if len(plan.entries) < 2:
                self.rec_error(BUNDLES, plan.rec, "code", "一件事至少包含两个事项（见“一件事事项”表）")
            if plan.obj.status == VersionStatus.PUBLISHED:
                self._field_conflicts(plan)
            old = plan.existing
            if old is None:
                self.counts["bundles"]["created"] += 1
                continue
            if plan.rec["_bad"]:
                continue
            theirs = comparable(bundle_data(
                old, old.lead_department.credit_code, [(e.stage, e.position, e.item_code) for e in old.entries.all()]
            ))
            mine = comparable(plan.snapshot())
            if theirs == mine:
                plan.action = "skip"
                self.counts["bundles"]["skipped"] += 1
            elif old.status == VersionStatus.DRAFT and plan.obj.status == VersionStatus.DRAFT:
                plan.action = "update"
                plan.obj.created_at = old.created_at
                self.counts["bundles"]["updated"] += 1
            elif old.status == VersionStatus.DRAFT:
                self.rec_error(BUNDLES, plan.rec, "status", "系统中该一件事是草稿，导入只能更新草稿的内容而不能改变其状态")
            else:
                diff = SEP.join(differences(mine, theirs, headers))
                self.rec_error(BUNDLES, plan.rec, "code",
                               f"系统中该一件事{old.get_status_display()}，不可修改；文件与系统不一致之处：{diff}")

    def _field_conflicts(self, plan: BundlePlan) -> None:
        """The merged form of a published bundle must not ask one field key with two different types."""
        types: dict[str, tuple[str, str]] = {}
        for entry in plan.entries:
            fields = self._published_fields(entry.item_code)
            for key, field_type in fields:
                first = types.setdefault(key, (entry.item_code, field_type))
                if first[1] != field_type:
                    self.rec_error(BUNDLES, plan.rec, "status",
                                   f"表单字段“{key}”在事项 {first[0]} 中与事项 {entry.item_code} 中类型不同，无法合并为一张表单")

    def _published_fields(self, code: str) -> list[tuple[str, str]]:
        for key, item_plan in self.items.items():
            if key[0] == code and item_plan.obj.status == VersionStatus.PUBLISHED:
                return [(f.key, f.field_type) for f in item_plan.children["fields"]]
        return list(FormField.objects.filter(
            item__implementation_code=code, item__status=VersionStatus.PUBLISHED
        ).values_list("key", "field_type"))

    # writing -----------------------------------------------------------------------------------


def can_import(user) -> bool:
    """Importing rewrites the whole catalog: only a catalog administrator without a department may."""
    if getattr(user, "is_superuser", False):
        return True
    return any(r.role == Role.CATALOG_ADMIN and r.department_id is None for r in roles_of(user))


def import_catalog(
    source: str | IO[bytes], *, actor=None, dry_run: bool = False, progress: ProgressFactory | None = None,
    check_permission: bool = True,
) -> ImportResult:
    """Validate the whole workbook, then (unless dry_run) import it in one transaction.
    Raises CatalogImportError listing every problem; then nothing has changed. actor None = the system."""
    if check_permission and actor is not None and not can_import(actor):
        raise PermissionDenied("只有不限部门的事项管理员可以导入事项目录")
    errors: list[CellError] = []
    try:
        wb = XlsxReader(source)
    except (XlsxError, OSError):
        raise CatalogImportError([CellError("文件", 1, 0, "", "不是有效的 Excel（.xlsx）文件")])
    importer = Importer(errors, actor)
    try:
        parsed = importer.read(wb, progress or null_progress)
    finally:
        wb.close()
    with transaction.atomic():
        importer.validate(parsed)
        if errors:
            raise CatalogImportError(errors)
        if not dry_run:
            write_plan(importer)
    return ImportResult(dry_run=dry_run, counts=importer.counts)
