"""The workbook's layout: one sheet per table, its columns derived from the models (headers are their
verbose names), so the export and the import read the same description and cannot drift apart."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db import models

from onevisit.catalog.codes import FORMAT_HELP, validate_implementation_code
from onevisit.catalog.models import (
    Bundle,
    BundleEntry,
    Channel,
    FormField,
    Material,
    ProcedureStep,
    ServiceItem,
    SpecialProcedure,
    Target,
)
from onevisit.orgs.models import Department, Region

SEP = "、"

TEXT, INT, DECIMAL, BOOL, ENUM, ENUM_LIST, CODE_LIST, JSON, DATETIME, REF = (
    "text", "int", "decimal", "bool", "enum", "enum_list", "code_list", "json", "datetime", "ref",
)


@dataclass(frozen=True)
class Column:
    key: str  # the model attribute it fills (field name)
    header: str
    kind: str
    required: bool = False
    default: Any = None
    choices: tuple = ()  # ((value, label), ...) for ENUM and ENUM_LIST
    validators: tuple = ()
    decimal_places: int | None = None
    note: str = ""

    @cached_property
    def label_to_value(self) -> dict:
        return {str(label): value for value, label in self.choices}

    @cached_property
    def value_to_label(self) -> dict:
        return {value: str(label) for value, label in self.choices}


def _col(
    model, name: str, *, kind: str | None = None, choices=None, header: str | None = None, note: str = "",
    validators: tuple | None = None,
) -> Column:
    f = model._meta.get_field(name)
    if kind is None:
        if isinstance(f, models.ForeignKey):
            kind = REF
        elif f.choices:
            kind = ENUM
        elif isinstance(f, models.BooleanField):
            kind = BOOL
        elif isinstance(f, models.DecimalField):
            kind = DECIMAL
        elif isinstance(f, models.IntegerField):
            kind = INT
        elif isinstance(f, models.DateTimeField):
            kind = DATETIME
        else:
            kind = TEXT
    if f.has_default():
        required, default = False, f.get_default()
    elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
        required, default = False, None
    elif f.null:
        required, default = False, None
    elif kind in (TEXT, REF):
        required, default = not f.blank, ""
    else:
        required, default = True, None
    if validators is None:
        validators = () if kind in (REF, ENUM, ENUM_LIST, CODE_LIST, JSON) else tuple(f.validators)
    return Column(
        key=name, header=header or str(f.verbose_name), kind=kind, required=required, default=default,
        choices=tuple(choices if choices is not None else (f.choices or ())), validators=validators,
        decimal_places=getattr(f, "decimal_places", None), note=note,
    )


def _model_cols(model, skip: Iterable[str] = (), **special) -> list[Column]:
    cols = []
    for f in model._meta.concrete_fields:
        if f.name in ("id", *skip):
            continue
        cols.append(_col(model, f.name, **special.get(f.name, {})))
    return cols


REGIONS, DEPARTMENTS, ITEMS, MATERIALS, FIELDS, STEPS, SPECIALS, BUNDLES, ENTRIES, README = (
    "区划", "部门", "事项", "材料", "表单字段", "办理环节", "特别程序", "一件事", "一件事事项", "说明",
)

# The 实施编码 is checked by its own validator (its length included) so that a bad one is named at its cell.
ITEM_REF = [
    Column("implementation_code", "实施编码", TEXT, required=True, validators=(validate_implementation_code,),
           note="所属事项的实施编码"),
    Column("version", "版本", INT, required=True, validators=tuple(ServiceItem._meta.get_field("version").validators),
           note="所属事项的版本号"),
]


def _item_cols() -> list[Column]:
    cols = _model_cols(
        ServiceItem,
        implementation_code={"validators": (validate_implementation_code,), "note": FORMAT_HELP},
        region={"note": "区划代码，须在“区划”表或系统中"},
        department={"note": "统一社会信用代码，须在“部门”表或系统中"},
        targets={"kind": ENUM_LIST, "choices": Target.choices},
        channels={"kind": ENUM_LIST, "choices": Channel.choices},
        created_at={"note": "导出时填写；留空则为导入时间"},
        updated_at={"note": "导出时填写；留空则为导入时间"},
    )
    at = next(i for i, c in enumerate(cols) if c.key == "department") + 1
    co = Column("co_departments", "联办部门", CODE_LIST, note="统一社会信用代码，多个用“、”分隔")
    return [*cols[:at], co, *cols[at:]]


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: list[Column]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


SHEETS = [
    SheetSpec(REGIONS, _model_cols(Region, parent={"note": "上级区划代码；省级留空"})),
    SheetSpec(DEPARTMENTS, _model_cols(Department, region={"note": "区划代码"})),
    SheetSpec(ITEMS, _item_cols()),
    SheetSpec(MATERIALS, ITEM_REF + _model_cols(Material, skip=("item",))),
    SheetSpec(FIELDS, ITEM_REF + _model_cols(
        FormField, skip=("item",), choices={"kind": JSON, "note": "JSON 数组，如 [\"个人\", \"企业\"]"}
    )),
    SheetSpec(STEPS, ITEM_REF + _model_cols(ProcedureStep, skip=("item",))),
    SheetSpec(SPECIALS, ITEM_REF + _model_cols(SpecialProcedure, skip=("item",))),
    SheetSpec(BUNDLES, _model_cols(Bundle, lead_department={"note": "统一社会信用代码"})),
    SheetSpec(ENTRIES, [
        Column("bundle", "一件事编码", TEXT, required=True, note="所属一件事的编码"),
        *_model_cols(BundleEntry, skip=("bundle",), item_code={"note": "事项实施编码，须在“事项”表或系统中"}),
    ]),
]
SHEET = {s.name: s for s in SHEETS}
CHILD_SHEETS = {"materials": MATERIALS, "fields": FIELDS, "steps": STEPS, "special_procedures": SPECIALS}
REF_PATHS = {"region": "region__code", "department": "department__credit_code", "parent": "parent__code",
             "lead_department": "lead_department__credit_code"}
