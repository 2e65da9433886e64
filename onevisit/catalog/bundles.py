"""The merge of a 一件事 bundle, computed from its items' published versions (never typed twice):
one form where a field key shared by several items is asked once, and one material list where a
material needed by several items is asked once and distributed to every item that needs it."""

from dataclasses import dataclass, field

from onevisit.catalog.models import Bundle, FormField, Material, Necessity, ServiceItem, VersionStatus

# When items disagree on a shared material, the strictest necessity wins.
_STRICTNESS = {Necessity.OPTIONAL: 0, Necessity.DEFERRABLE: 1, Necessity.REQUIRED: 2}


@dataclass
class MergedField:
    key: str
    label: str
    field_type: str
    required: bool
    prefill_key: str
    help_text: str
    choices: list
    item_codes: list[str] = field(default_factory=list)


@dataclass
class MergedMaterial:
    key: str
    name: str
    kind: str
    form: str
    copies: int
    necessity: str
    source: str
    standard: str
    commitment_allowed: bool
    shared_data_key: str
    item_codes: list[str] = field(default_factory=list)
    # Items of the same bundle whose result is this material (内部流转): the applicant never brings it.
    produced_by: list[str] = field(default_factory=list)

    @property
    def applicant_need_not_bring(self) -> bool:
        return bool(self.shared_data_key or self.produced_by)


@dataclass
class BundlePlan:
    bundle: Bundle
    stages: list[list[ServiceItem]]
    fields: list[MergedField]
    materials: list[MergedMaterial]
    problems: list[str]

    @property
    def items(self) -> list[ServiceItem]:
        return [item for stage in self.stages for item in stage]

    def materials_for(self, item_code: str) -> list[MergedMaterial]:
        return [m for m in self.materials if item_code in m.item_codes]

    def fields_for(self, item_code: str) -> list[MergedField]:
        return [f for f in self.fields if item_code in f.item_codes]


def bundle_plan(bundle: Bundle) -> BundlePlan:
    entries = list(bundle.entries.all())
    codes = [e.item_code for e in entries]
    items = {
        i.implementation_code: i
        for i in ServiceItem.objects.filter(implementation_code__in=codes, status=VersionStatus.PUBLISHED)
        .select_related("department")
        .prefetch_related("fields", "materials")
    }
    problems: list[str] = []
    stage_numbers = sorted({e.stage for e in entries})
    stages: list[list[ServiceItem]] = []
    for number in stage_numbers:
        stage = []
        for entry in (e for e in entries if e.stage == number):
            item = items.get(entry.item_code)
            if item is None:
                problems.append(f"事项 {entry.item_code} 没有已发布的版本")
            else:
                stage.append(item)
        stages.append(stage)
    if len(codes) < 2:
        problems.append("一件事至少包含两个事项")

    fields: dict[str, MergedField] = {}
    materials: dict[str, MergedMaterial] = {}
    for item in (i for stage in stages for i in stage):
        code = item.implementation_code
        for f in item.fields.all():
            merged = fields.get(f.key)
            if merged is None:
                fields[f.key] = _merged_field(f, code)
                continue
            if merged.field_type != f.field_type:
                problems.append(
                    f"表单字段“{f.key}”在事项 {merged.item_codes[0]} 中为{_type_label(merged.field_type)}，"
                    f"在事项 {code} 中为{_type_label(f.field_type)}，无法合并"
                )
            merged.required = merged.required or f.required
            merged.prefill_key = merged.prefill_key or f.prefill_key
            merged.item_codes.append(code)
        for m in item.materials.all():
            merged_m = materials.get(m.key)
            if merged_m is None:
                materials[m.key] = _merged_material(m, code)
                continue
            if _STRICTNESS[m.necessity] > _STRICTNESS[merged_m.necessity]:
                merged_m.necessity = m.necessity
            merged_m.copies = max(merged_m.copies, m.copies)
            merged_m.shared_data_key = merged_m.shared_data_key or m.shared_data_key
            merged_m.commitment_allowed = merged_m.commitment_allowed and m.commitment_allowed
            merged_m.item_codes.append(code)
    # A material that another item of the bundle produces is its result, passed on inside the bundle.
    for item in (i for stage in stages for i in stage):
        for key in item.result_materials or []:
            merged_m = materials.get(key)
            if merged_m is not None and item.implementation_code not in merged_m.item_codes:
                merged_m.produced_by.append(item.implementation_code)
    return BundlePlan(
        bundle=bundle, stages=stages, fields=list(fields.values()), materials=list(materials.values()), problems=problems
    )


def _type_label(value: str) -> str:
    from onevisit.catalog.models import FieldType

    return FieldType(value).label


def _merged_field(f: FormField, code: str) -> MergedField:
    return MergedField(
        key=f.key, label=f.label, field_type=f.field_type, required=f.required, prefill_key=f.prefill_key,
        help_text=f.help_text, choices=list(f.choices), item_codes=[code],
    )


def _merged_material(m: Material, code: str) -> MergedMaterial:
    return MergedMaterial(
        key=m.key, name=m.name, kind=m.kind, form=m.form, copies=m.copies, necessity=m.necessity, source=m.source,
        standard=m.standard, commitment_allowed=m.commitment_allowed, shared_data_key=m.shared_data_key,
        item_codes=[code],
    )
