"""Excel export and import of the whole catalog: lossless round trip, all-or-nothing validation that
names every bad cell, re-import rules for existing versions, the commands and the API."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from onevisit.catalog.excel import CatalogImportError, export_catalog, import_catalog
from onevisit.catalog.models import Bundle, BundleEntry, ServiceItem, VersionStatus
from onevisit.catalog.services import (
    bundle_create,
    bundle_publish,
    item_create,
    item_new_version,
    item_publish,
    item_snapshot,
    item_update,
)
from onevisit.history.models import Event
from onevisit.history.services import events_of, verify_chains
from onevisit.orgs.models import Department, Region, RegionLevel, ServiceCentre, StaffRole, Window
from onevisit.validators import make_credit_code

# Builders -----------------------------------------------------------------------------------


def _item_data(code, name, region, department, **extra):
    data = {
        "implementation_code": code, "name": name, "basic_code": code[:12], "item_type": "licensing",
        "level": region.level, "region": region, "department": department, "targets": ["person"],
        "channels": ["window", "online"], "legal_limit": 20, "promised_limit": 5,
    }
    data.update(extra)
    return data


@pytest.fixture
def catalog(personas, region_tree, departments):
    admin = personas["catalog_admin"]
    county = region_tree["county"]
    township = Region.objects.create(code="331102001", name="紫金街道", level=RegionLevel.TOWNSHIP, parent=county)
    county_dept = Department.objects.create(
        name="莲都区民政局", short_name="区民政局", credit_code=make_credit_code("11331102MB2000001"), region=county
    )
    market, tax, realestate = departments["market"], departments["tax"], departments["realestate"]

    rich = item_create(
        actor=admin,
        data=_item_data(
            "330000-MARKET-001", "个体工商户设立登记", region_tree["city"], market,
            business_code="330000-MARKET-001-01", domain="business", keywords="个体户 开业 营业执照",
            legal_basis="《促进个体工商户发展条例》第八条\n《市场主体登记管理条例》", conditions="年满十八周岁",
            targets=["person", "company"], channels=["window", "online", "mobile"], online_depth=4, scope="province",
            legal_limit=15, legal_limit_unit="working_days", promised_limit=1, promised_limit_unit="natural_days",
            limit_note="材料齐全当场受理", promised_visits=0, charges_fee=True, fee_amount=Decimal("12.50"),
            fee_standard="每件12.5元", fee_basis="浙价费〔2020〕1号", fee_waivable=True, allows_gaps=True,
            allows_commitment=True, result_type="licence", result_name="营业执照", place="市民服务中心二楼",
            hours="工作日 9:00-17:00", consult_phone="0578-12345", complaint_phone="12345",
        ),
        co_departments=[tax, realestate],
        children={
            "materials": [
                {"key": "id-card", "name": "经营者身份证明", "kind": "certificate", "form": "electronic", "copies": 2,
                 "necessity": "required", "source": "government", "standard": "有效期内",
                 "legal_basis": "条例第八条", "shared_data_key": "population.id_card"},
                {"key": "application", "name": "个体工商户登记申请书", "kind": "form", "form": "paper",
                 "necessity": "deferrable", "blank_form": "catalog/forms/application.docx",
                 "sample": "catalog/samples/application.pdf", "commitment_allowed": True},
            ],
            "fields": [
                {"key": "name", "label": "经营者姓名", "field_type": "text", "max_length": 50,
                 "prefill_key": "population.name", "help_text": "与身份证一致"},
                {"key": "capital", "label": "资金数额", "field_type": "decimal", "required": False,
                 "min_value": Decimal("0.50"), "max_value": Decimal("99999999.99")},
                {"key": "form", "label": "组成形式", "field_type": "choice", "choices": ["个人经营", "家庭经营"]},
                {"key": "phone", "label": "联系电话", "field_type": "phone", "pattern": r"^1\d{10}$"},
            ],
            "steps": [
                {"key": "accept", "name": "受理", "role": "window_clerk", "share": 20},
                {"key": "review", "name": "审核", "role": "reviewer", "share": 50},
                {"key": "decide", "name": "核准", "role": "approver", "share": 30},
            ],
            "special_procedures": [
                {"kind": "site_survey", "cap": 5, "note": "经营场所核查"},
                {"kind": "expert_review", "cap": 10, "cap_unit": "natural_days"},
            ],
        },
    )
    item_publish(actor=admin, item=rich)
    v2 = item_new_version(actor=admin, item=rich)
    item_update(actor=admin, item=v2, data={"promised_limit": 2, "name": "个体工商户设立登记（新）"})
    item_publish(actor=admin, item=v2)  # v1 is retired now

    tax_item = item_create(
        actor=admin,
        data=_item_data("330000-TAX-001", "发票领用", region_tree["city"], tax, legal_limit=0,
                        legal_limit_unit="on_the_spot", promised_limit=0, promised_limit_unit="on_the_spot",
                        channels=["online"], targets=["company"]),
        children={"fields": [{"key": "name", "label": "姓名", "field_type": "text"}]},
    )
    item_publish(actor=admin, item=tax_item)
    draft = item_create(
        actor=admin,
        data=_item_data("331102-CIVIL-001", "=婚姻登记预约", county, county_dept, promised_visits=2,
                        visits_reason="需本人到场签字"),
        children={"steps": []},
    )
    township_item = item_create(
        actor=admin, data=_item_data("331102001-CIVIL-002", "低保申请受理", township, county_dept),
    )
    item_publish(actor=admin, item=township_item)

    bundle = bundle_create(
        actor=admin,
        data={"code": "open-shop", "name": "开办个体工商户一件事", "description": "营业执照与发票一次办",
              "keywords": "开店", "promised_limit": 3, "promised_visits": 0, "lead_department": market},
        entries=[
            {"stage": 1, "item_code": rich.implementation_code},
            {"stage": 2, "item_code": tax_item.implementation_code},
        ],
    )
    bundle_publish(actor=admin, bundle=bundle)
    bundle_create(
        actor=admin,
        data={"code": "civil-help", "name": "困难群众救助一件事", "lead_department": county_dept},
        entries=[
            {"stage": 1, "position": 2, "item_code": draft.implementation_code},
            {"stage": 1, "position": 1, "item_code": township_item.implementation_code},
        ],
    )
    return {"rich": rich, "v2": v2, "tax": tax_item, "draft": draft, "township": township_item}


def _flush(*, orgs: bool = True):
    """Empty the database of everything an import could create (foreign-key-safe order)."""
    Event.objects.all().delete()
    BundleEntry.objects.all().delete()
    Bundle.objects.all().delete()
    ServiceItem.objects.all().delete()
    if not orgs:
        return
    StaffRole.objects.all().delete()
    Window.objects.all().delete()
    ServiceCentre.objects.all().delete()
    Department.objects.all().delete()
    for level in reversed(RegionLevel.values):
        Region.objects.filter(level=level).delete()


def _export() -> bytes:
    buffer = io.BytesIO()
    export_catalog(buffer)
    return buffer.getvalue()


def _cells(content: bytes) -> dict[str, list[tuple]]:
    wb = load_workbook(io.BytesIO(content), read_only=True)
    try:
        return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    finally:
        wb.close()


def _snapshots() -> dict:
    return {
        (i.implementation_code, i.version): item_snapshot(i)
        for i in ServiceItem.objects.select_related("region", "department")
    }


def _bundles() -> dict:
    return {
        b.code: (
            {f.name: getattr(b, f.attname) for f in Bundle._meta.concrete_fields if f.name not in ("id", "lead_department")},
            b.lead_department.credit_code,
            [(e.stage, e.position, e.item_code) for e in b.entries.all()],
        )
        for b in Bundle.objects.select_related("lead_department")
    }


class Book:
    """Edit an exported workbook by header and key, and find where a cell is."""

    def __init__(self, content: bytes):
        self.wb = load_workbook(io.BytesIO(content))

    def col(self, sheet: str, header: str) -> int:
        headers = [c.value for c in self.wb[sheet][1]]
        return headers.index(header) + 1

    def row(self, sheet: str, **match) -> int:
        ws = self.wb[sheet]
        cols = {h: self.col(sheet, h) for h in match}
        for r in range(2, ws.max_row + 1):
            if all(ws.cell(r, cols[h]).value == v for h, v in match.items()):
                return r
        raise AssertionError(f"no row {match} in {sheet}")

    def set(self, sheet: str, header: str, value, **match) -> str:
        r, c = self.row(sheet, **match), self.col(sheet, header)
        self.wb[sheet].cell(r, c).value = value
        return f"{sheet}!R{r}C{c} {header}"

    def content(self) -> bytes:
        buffer = io.BytesIO()
        self.wb.save(buffer)
        return buffer.getvalue()


def _break_limit(book: Book) -> str:
    """Make item v2 promise 30 working days against a legal limit of 15; returns the bad cell."""
    book.set("事项", "承诺时限单位", "工作日", 实施编码="330000-MARKET-001", 版本=2)
    return book.set("事项", "承诺时限", 30, 实施编码="330000-MARKET-001", 版本=2)


# Round trip ---------------------------------------------------------------------------------


def test_round_trip_into_an_empty_database_is_lossless(catalog):
    before_snapshots, before_bundles = _snapshots(), _bundles()
    assert len(before_snapshots) == 5
    assert {s["status"] for s in before_snapshots.values()} == {"draft", "published", "retired"}
    first = _export()

    _flush()
    assert not ServiceItem.objects.exists() and not Region.objects.exists()
    result = import_catalog(io.BytesIO(first), actor=None)

    assert result.counts["items"] == {"created": 5, "updated": 0, "skipped": 0}
    assert result.counts["bundles"] == {"created": 2, "updated": 0, "skipped": 0}
    assert result.counts["regions"]["created"] == 4 and result.counts["departments"]["created"] == 4
    assert _snapshots() == before_snapshots
    assert _bundles() == before_bundles
    second = _export()
    assert _cells(second) == _cells(first)

    # Every imported item and bundle opened its history chain, by the system, and every chain verifies.
    for item in ServiceItem.objects.all():
        events = list(events_of(item))
        assert [(e.seq, e.action, e.actor_label) for e in events] == [(1, "item_imported", "系统")]
        assert events[0].data["implementation_code"] == item.implementation_code
        assert events[0].data["materials"] == item_snapshot(item)["materials"]
    assert [e.action for b in Bundle.objects.all() for e in events_of(b)] == ["bundle_imported"] * 2
    assert list(verify_chains()) == []


def test_the_export_writes_labels_lists_and_text_safely(catalog):
    book = Book(_export())
    ws = book.wb["事项"]
    r = book.row("事项", 实施编码="330000-MARKET-001", 版本=2)
    cell = {h: ws.cell(r, book.col("事项", h)).value for h in (
        "状态", "服务对象", "办理渠道", "联办部门", "是否收费", "收费金额（元）", "网上办理深度", "实施区划")}
    assert cell["状态"] == "已发布"
    assert cell["服务对象"] == "自然人、法人"
    assert cell["办理渠道"] == "窗口办理、网上办理、掌上办理"
    assert cell["联办部门"] == "、".join(sorted(Department.objects.exclude(name__contains="市场").exclude(
        name__contains="民政").values_list("credit_code", flat=True)))
    assert cell["是否收费"] == "是" and cell["收费金额（元）"] == 12.5
    assert cell["网上办理深度"] == "四级：全程网办" and cell["实施区划"] == "331100"
    r = book.row("事项", 实施编码="331102-CIVIL-001")
    name_cell = ws.cell(r, book.col("事项", "事项名称"))
    assert name_cell.value == "=婚姻登记预约" and name_cell.data_type == "s"  # text, not a formula
    r = book.row("表单字段", 实施编码="330000-MARKET-001", 版本=2, 字段标识="form")
    assert book.wb["表单字段"].cell(r, book.col("表单字段", "可选值")).value == '["个人经营", "家庭经营"]'
    assert "说明" in book.wb.sheetnames


# Re-import rules --------------------------------------------------------------------------


def test_reimporting_the_same_file_skips_everything(catalog):
    content = _export()
    events_before = Event.objects.count()
    result = import_catalog(io.BytesIO(content), actor=None)
    assert result.counts["items"] == {"created": 0, "updated": 0, "skipped": 5}
    assert result.counts["bundles"] == {"created": 0, "updated": 0, "skipped": 2}
    assert result.counts["regions"] == {"created": 0, "updated": 0, "skipped": 4}
    assert Event.objects.count() == events_before


def test_a_draft_is_updated_and_its_chain_continues(catalog, personas):
    book = Book(_export())
    book.set("事项", "事项名称", "婚姻登记预约（修订）", 实施编码="331102-CIVIL-001")
    book.set("一件事", "一件事名称", "困难群众救助一件事（修订）", 一件事编码="civil-help")
    result = import_catalog(io.BytesIO(book.content()), actor=personas["catalog_admin"])
    assert result.counts["items"] == {"created": 0, "updated": 1, "skipped": 4}
    assert result.counts["bundles"] == {"created": 0, "updated": 1, "skipped": 1}
    draft = ServiceItem.objects.get(implementation_code="331102-CIVIL-001")
    assert draft.name == "婚姻登记预约（修订）" and draft.status == VersionStatus.DRAFT
    last = events_of(draft).last()
    assert (last.action, last.actor_label, last.seq) == ("item_imported", "catalog_admin", 2)
    assert Bundle.objects.get(code="civil-help").name == "困难群众救助一件事（修订）"
    assert list(verify_chains()) == []


def test_a_published_version_that_differs_is_refused(catalog):
    book = Book(_export())
    where = book.row("事项", 实施编码="330000-TAX-001", 版本=1)
    book.set("事项", "事项名称", "发票领用（改）", 实施编码="330000-TAX-001", 版本=1)
    with pytest.raises(CatalogImportError) as caught:
        import_catalog(io.BytesIO(book.content()), actor=None)
    [error] = caught.value.errors
    assert error.sheet == "事项" and error.row == where and error.header == "版本"
    assert "已发布的版本不可修改" in error.reason and "事项名称" in error.reason
    assert ServiceItem.objects.get(implementation_code="330000-TAX-001").name == "发票领用"


def test_a_broken_file_changes_nothing_and_names_every_bad_cell(catalog):
    book = Book(_export())
    expected = {
        _break_limit(book): "承诺时限不能长于法定时限",
        book.set("事项", "是否收费", "也许", 实施编码="330000-TAX-001"): "“也许”无效",
        book.set("事项", "实施部门", "91330000MA0000000X", 实施编码="331102001-CIVIL-002"): "不存在",
        book.set("材料", "必要性", "随便", 实施编码="330000-MARKET-001", 版本=1, 材料标识="id-card"): "不是可选值",
        book.set("表单字段", "可选值", None, 实施编码="330000-MARKET-001", 版本=2, 字段标识="form"): "单选字段必须给出可选值",
        book.set("办理环节", "占时限比例（%）", 60, 实施编码="330000-MARKET-001", 版本=2, 环节标识="review"): None,
        book.set("一件事事项", "事项实施编码", "NO-SUCH-ITEM", 一件事编码="civil-help", 事项实施编码="331102-CIVIL-001"):
            "NO-SUCH-ITEM 不存在",
        book.set("部门", "统一社会信用代码", "123", 部门名称="莲都区民政局"): "统一社会信用代码",
    }
    # The share error is reported on the item's first step row, naming the wrong total.
    del expected[next(k for k, v in expected.items() if v is None)]
    first_step = book.row("办理环节", 实施编码="330000-MARKET-001", 版本=2, 环节标识="accept")
    expected[f"办理环节!R{first_step}C{book.col('办理环节', '占时限比例（%）')} 占时限比例（%）"] = "实际为110%"
    # The department whose code is broken is unknown to the rows that point to it.
    draft_row = book.row("事项", 实施编码="331102-CIVIL-001")
    expected[f"事项!R{draft_row}C{book.col('事项', '实施部门')} 实施部门"] = "不存在"
    bundle_row = book.row("一件事", 一件事编码="civil-help")
    expected[f"一件事!R{bundle_row}C{book.col('一件事', '牵头部门')} 牵头部门"] = "不存在"

    _flush()
    with pytest.raises(CatalogImportError) as caught:
        import_catalog(io.BytesIO(book.content()), actor=None)
    found = {e.field: e.reason for e in caught.value.errors}
    assert len(caught.value.errors) == len(expected) and set(found) == set(expected), [str(e) for e in caught.value.errors]
    for field, fragment in expected.items():
        assert fragment in found[field], (field, found[field])
    assert not Region.objects.exists() and not ServiceItem.objects.exists() and not Event.objects.exists()


def test_a_file_that_is_not_a_workbook_is_refused(db):
    with pytest.raises(CatalogImportError) as caught:
        import_catalog(io.BytesIO(b"not a workbook"), actor=None)
    assert "不是有效的 Excel" in caught.value.errors[0].reason


def test_missing_sheets_and_columns_are_named(catalog):
    book = Book(_export())
    del book.wb["特别程序"]
    book.wb["材料"].cell(1, book.col("材料", "份数")).value = "份 数"
    with pytest.raises(CatalogImportError) as caught:
        import_catalog(io.BytesIO(book.content()), actor=None)
    reasons = {str(e) for e in caught.value.errors}
    assert any("缺少工作表“特别程序”" in r for r in reasons)
    assert any(r.startswith("材料!R1C") and "无法识别的列“份 数”" in r for r in reasons)
    assert any("缺少列：份数" in r for r in reasons)


def test_two_published_versions_of_one_item_are_refused(catalog):
    book = Book(_export())
    where = book.set("事项", "状态", "已发布", 实施编码="330000-MARKET-001", 版本=1)
    _flush()
    with pytest.raises(CatalogImportError) as caught:
        import_catalog(io.BytesIO(book.content()), actor=None)
    assert {e.field for e in caught.value.errors} >= {where}
    assert any("只能有一个已发布版本" in e.reason for e in caught.value.errors)


def test_dry_run_validates_and_writes_nothing(catalog):
    content = _export()
    _flush()
    result = import_catalog(io.BytesIO(content), actor=None, dry_run=True)
    assert result.dry_run and result.counts["items"]["created"] == 5
    assert not ServiceItem.objects.exists()


def test_a_department_catalog_admin_may_not_import(catalog, personas):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_catalog(io.BytesIO(_export()), actor=personas["market_admin"])


# Commands ------------------------------------------------------------------------------------


def test_commands_export_and_import(catalog, tmp_path, personas):
    path = tmp_path / "catalog.xlsx"
    call_command("export_catalog", str(path), stdout=io.StringIO())
    _flush(orgs=False)  # the importing user keeps the role that lets them import
    out = io.StringIO()
    call_command("import_catalog", str(path), "--dry-run", stdout=out, stderr=io.StringIO())
    assert "校验通过" in out.getvalue() and not ServiceItem.objects.exists()
    call_command("import_catalog", str(path), "--user", "catalog_admin", stdout=out, stderr=io.StringIO())
    assert ServiceItem.objects.count() == 5
    assert Event.objects.filter(action="item_imported", actor_label="catalog_admin").count() == 5


def test_import_command_lists_errors_and_fails(catalog, tmp_path):
    book = Book(_export())
    where = _break_limit(book)
    path = tmp_path / "bad.xlsx"
    path.write_bytes(book.content())
    _flush(orgs=False)
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 处错误"):
        call_command("import_catalog", str(path), stdout=io.StringIO(), stderr=err)
    assert where in err.getvalue()
    with pytest.raises(CommandError, match="不存在"):
        call_command("import_catalog", str(path), "--user", "nobody", stdout=io.StringIO())


# API -----------------------------------------------------------------------------------------

EXPORT_URL = "/api/v1/catalog/export.xlsx"
IMPORT_URL = "/api/v1/catalog/import"


def _upload(client, content: bytes, **params):
    upload = io.BytesIO(content)
    upload.name = "catalog.xlsx"
    query = "?dry_run=true" if params.get("dry_run") else ""
    return client.post(IMPORT_URL + query, {"file": upload})


def test_api_export_and_import(client, catalog, personas):
    client.force_login(personas["catalog_admin"])
    response = client.get(EXPORT_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    content = response.content
    assert _cells(content) == _cells(_export())

    response = _upload(client, content, dry_run=True)
    assert response.status_code == 200, response.content
    assert response.json()["dry_run"] is True
    assert response.json()["items"] == {"created": 0, "updated": 0, "skipped": 5}


def test_api_import_refuses_a_broken_file_with_every_error(client, catalog, personas):
    book = Book(_export())
    where = _break_limit(book)
    _flush(orgs=False)
    client.force_login(personas["catalog_admin"])
    response = _upload(client, book.content())
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == [{"field": where, "reason": "承诺时限不能长于法定时限"}]


def test_api_denied_side(client, catalog, personas):
    content = _export()
    assert client.get(EXPORT_URL).status_code == 401
    assert _upload(client, content).status_code == 401
    client.force_login(personas["citizen"])
    assert client.get(EXPORT_URL).status_code == 403
    assert _upload(client, content).status_code == 403
    client.force_login(personas["market_admin"])
    assert client.get(EXPORT_URL).status_code == 200  # a department's catalog admin may read the catalog
    response = _upload(client, content)
    assert response.status_code == 403
    assert "不限部门" in response.json()["error"]["message"]
