"""实施编码 format: good codes (the demo catalog's, local and national shapes) are accepted; each kind of bad
code is refused with its own Chinese reason by the service, the API (422 naming the field, nothing written)
and the Excel import (sheet, row and column named, nothing written)."""

import io
import json

import pytest
from django.core.exceptions import ValidationError

from onevisit.catalog import services
from onevisit.catalog.codes import implementation_code_problem
from onevisit.catalog.excel import CatalogImportError, export_catalog, import_catalog
from onevisit.catalog.models import ServiceItem
from onevisit.history.models import Event
from onevisit.validators import make_credit_code
from tests.catalog.api_builders import item_payload, make_item, service_args, setup_admin
from tests.catalog.test_excel import Book

LONG = "331100-" + "A" * 34  # 41 characters

# (bad code, the reason expected, worked out from the rules in docs/decisions/0022)
BAD = [
    ("331100-mkt-001", "实施编码中的字母应为大写（“m”应写作“M”）"),
    ("331100-MKT 001", "实施编码不能含空格或换行"),
    ("331100_MKT_001", "实施编码只能由数字、大写字母和连字符“-”组成，不能含“_”"),
    ("331100-市场-001", "实施编码只能由数字、大写字母和连字符“-”组成，不能含“市”"),
    ("331100--001", "实施编码中的连字符“-”只用于分隔各段，不能在开头、结尾或连续出现"),
    ("331100-MKT-", "实施编码中的连字符“-”只用于分隔各段，不能在开头、结尾或连续出现"),
    ("331100", "实施编码在“331100”之后还应有标明实施主体或事项的部分，如 331100-MKT-001"),
    ("3311-MKT-001", "实施编码开头的“3311”为4位数字，应为6、9或12位的行政区划代码或基本编码，或18位统一社会信用代码"),
    ("991100-MKT-001", "实施编码开头的“991100”不是行政区划代码或基本编码：前两位“99”不是省级行政区划代码"
                       "（国家基本目录的12位基本编码以00开头）"),
    ("MKT-331100-001", "实施编码应以实施区划的行政区划代码（6、9或12位数字，如331102）、12位基本编码或实施主体的"
                       "统一社会信用代码（18位）开头"),
    ("11331100MB10000010" + "3000117005000", "实施编码开头的统一社会信用代码“11331100MB10000010”校验位不正确"),
    (LONG, "实施编码最长40个字符，实为41个（办件编号由实施编码加8位日期和6位流水号组成，最长64个字符）"),
]


def national_code() -> str:
    """A one-piece code: the body's 统一社会信用代码, the level digit and the 12-digit 基本编码 (31 characters)."""
    return make_credit_code("11331100MB1000001") + "3" + "000117005000"


def test_good_codes_are_accepted():
    good = ["330711002000-331102103", "331100-MKT-0001", "331102001-CIVIL-002", "331102001001-V-01",
            "000117005000-331102101", "420100-001-01-001-01", national_code(), "331100-" + "A" * 33]
    assert [c for c in good if implementation_code_problem(c) is not None] == []
    assert len(good[-1]) == 40


def test_every_demo_item_code_is_accepted():
    from onevisit.demo.loader import item_codes

    codes = item_codes()
    assert len(codes) >= 50 and "330711002000-331102103" in codes.values()
    assert {code: implementation_code_problem(code) for code in codes.values()} == dict.fromkeys(codes.values())


@pytest.mark.parametrize("code,reason", BAD, ids=[b[0] for b in BAD])
def test_each_bad_code_has_its_reason(code, reason):
    assert implementation_code_problem(code) == reason


def test_the_longest_code_fits_a_case_number():
    from onevisit.cases.models import Case

    # 40 characters of code + YYYYMMDD + a 6-digit serial.
    assert Case._meta.get_field("item_code").max_length >= 40
    assert Case._meta.get_field("number").max_length >= 40 + 8 + 6


@pytest.mark.parametrize("code,reason", BAD, ids=[b[0] for b in BAD])
def test_the_service_refuses_a_bad_code_and_writes_nothing(departments, region_tree, code, reason):
    args = service_args(item_payload(code, departments, region_tree), departments, region_tree)
    with pytest.raises(ValidationError) as caught:
        services.item_create(actor=setup_admin(), **args)
    assert caught.value.message_dict == {"implementation_code": [reason]}
    assert not ServiceItem.objects.exists() and not Event.objects.exists()


def test_the_service_accepts_good_codes(departments, region_tree):
    for code in ("330711002000-331102103", national_code(), "331102001-CIVIL-002"):
        make_item(code, departments, region_tree)
    assert ServiceItem.objects.filter(status="published").count() == 3


@pytest.mark.parametrize("code,reason", [BAD[0], BAD[2], BAD[6], BAD[-1]], ids=["lower", "underscore", "head", "long"])
def test_the_api_answers_422_naming_the_field_and_writes_nothing(client, personas, departments, region_tree,
                                                                 code, reason):
    client.force_login(personas["market_admin"])
    r = client.post("/api/v1/items", json.dumps(item_payload(code, departments, region_tree)),
                    content_type="application/json")
    assert r.status_code == 422
    assert r.json()["error"]["fields"] == [{"field": "implementation_code", "reason": reason}]
    assert not ServiceItem.objects.exists() and not Event.objects.exists()


def _export() -> bytes:
    buffer = io.BytesIO()
    export_catalog(buffer)
    return buffer.getvalue()


def _retype_code(book: Book, old: str, new: str) -> list[str]:
    """Write `new` wherever the file says `old` in a 实施编码 column (the item's row and its children's rows)."""
    where = []
    for ws in book.wb.worksheets:
        headers = [c.value for c in ws[1]]
        if "实施编码" not in headers:
            continue
        col = headers.index("实施编码") + 1
        for r in range(2, ws.max_row + 1):
            if ws.cell(r, col).value == old:
                ws.cell(r, col).value = new
                where.append(f"{ws.title}!R{r}C{col} 实施编码")
    return where


@pytest.mark.parametrize("code,reason", [BAD[0], BAD[3], BAD[7], BAD[-1]], ids=["lower", "chinese", "short", "long"])
def test_the_excel_import_names_the_cell_of_a_bad_code_and_imports_nothing(departments, region_tree, code, reason):
    make_item("331100-XK-001", departments, region_tree)
    book = Book(_export())
    where = _retype_code(book, "331100-XK-001", code)
    # The item's row, its 3 materials, 2 form fields, 5 steps and 1 special procedure.
    assert len(where) == 12 and where[0] == "事项!R2C1 实施编码"
    items_before, events_before = list(ServiceItem.objects.values_list("pk", "updated_at")), Event.objects.count()
    with pytest.raises(CatalogImportError) as caught:
        import_catalog(io.BytesIO(book.content()), actor=None)
    assert {e.field: e.reason for e in caught.value.errors} == dict.fromkeys(where, reason)
    assert list(ServiceItem.objects.values_list("pk", "updated_at")) == items_before
    assert Event.objects.count() == events_before
