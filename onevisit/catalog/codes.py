"""实施编码 (implementation code): what shape the catalog accepts, with a Chinese reason for each refusal.

An item's 实施编码 identifies one item as one body implements it (the 实施清单); it is the key of the item in
URLs, QR codes and bundle entries, and the head of every case number (实施编码 + YYYYMMDD + 6-digit serial,
at most 64 characters). The national scheme (GB/T 39554.1-2020) and the provincial ones (e.g. DB22/T 2848,
DB52/T 1264) build it from fixed-width parts: the 基本编码 of the item in the basic catalog, and the
implementing body (its region code under GB/T 2260 and its organisation or 统一社会信用代码), sometimes with
hyphens between the parts for readability. Provinces differ in the order and width of the parts, so the
catalog checks what they share (docs/decisions/0022):

- only digits, upper-case Latin letters and "-" between parts; no spaces; at most 40 characters;
- it begins with a code that places it: a region code of 6, 9 or 12 digits whose first two digits are a
  province (GB/T 2260; 9 and 12 digits for townships and villages), a 12-digit 基本编码 (a province's own
  items begin with the province code, the national basic catalog's with "00"), or the implementing body's
  18-character 统一社会信用代码 with a correct check character;
- something follows that head (a region or a body alone names no item).

So 330711002000-331102103 (基本编码, then the department's region code and serial, as the demo catalog
writes them), 331100-MKT-0001 (区划代码-部门-序号) and a national one-piece code (the body's credit code
followed by the level and the 基本编码) are accepted; 331100 alone, 331100_MKT_01, 3311-MKT-01 are not."""

from django.core.exceptions import ValidationError
from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc

MAX_LENGTH = 40  # Case.item_code holds 40; the case number adds 14 characters to it and holds 64.
CASE_NUMBER_SUFFIX = 14  # YYYYMMDD + a 6-digit serial

# First two digits of the province-level codes of GB/T 2260.
PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43",
    "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
})
NATIONAL_BASIC = "00"
REGION_LENGTHS = (6, 9, 12)
_ALLOWED = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-")

FORMAT_HELP = (
    "由数字、大写字母和分隔各段的“-”组成，最长40个字符；以行政区划代码（6、9或12位）、12位基本编码或实施主体的"
    "统一社会信用代码开头，其后还有标明事项的部分，如 330711002000-331102103、331100-MKT-0001"
)


def too_long_reason(length: int) -> str:
    return (f"实施编码最长{MAX_LENGTH}个字符，实为{length}个（办件编号由实施编码加8位日期和6位流水号组成，"
            f"最长64个字符）")


def implementation_code_problem(value) -> str | None:  # noqa: C901 - one check per reason reads best
    """The reason the value is not an acceptable 实施编码, or None when it is."""
    if not isinstance(value, str) or value == "":
        return "实施编码不能为空"
    if any(ch.isspace() for ch in value):
        return "实施编码不能含空格或换行"
    if len(value) > MAX_LENGTH:
        return too_long_reason(len(value))
    for ch in value:
        if ch in _ALLOWED:
            continue
        if "a" <= ch <= "z":
            return f"实施编码中的字母应为大写（“{ch}”应写作“{ch.upper()}”）"
        return f"实施编码只能由数字、大写字母和连字符“-”组成，不能含“{ch}”"
    if value.startswith("-") or value.endswith("-") or "--" in value:
        return "实施编码中的连字符“-”只用于分隔各段，不能在开头、结尾或连续出现"
    parts = value.split("-")
    head = parts[0]
    if head.isdigit() and len(head) in REGION_LENGTHS:
        province = head[:2]
        if province not in PROVINCES and not (len(head) == 12 and province == NATIONAL_BASIC):
            return (f"实施编码开头的“{head}”不是行政区划代码或基本编码：前两位“{province}”不是省级行政区划代码"
                    "（国家基本目录的12位基本编码以00开头）")
        if len(parts) == 1:
            return f"实施编码在“{head}”之后还应有标明实施主体或事项的部分，如 {head}-MKT-001"
        return None
    if head.isdigit() and len(head) < 18:
        return (f"实施编码开头的“{head}”为{len(head)}位数字，应为6、9或12位的行政区划代码或基本编码，"
                "或18位统一社会信用代码")
    if len(head) >= 18:
        try:
            uscc.validate(head[:18])
        except stdnum_errors.InvalidChecksum:
            return f"实施编码开头的统一社会信用代码“{head[:18]}”校验位不正确"
        except stdnum_errors.ValidationError:
            pass
        else:
            if len(head) == 18 and len(parts) == 1:
                return "实施编码在实施主体的统一社会信用代码之后还应有标明事项的部分（如行使层级和基本编码）"
            return None
    return ("实施编码应以实施区划的行政区划代码（6、9或12位数字，如331102）、12位基本编码或实施主体的"
            "统一社会信用代码（18位）开头")


def validate_implementation_code(value) -> None:
    """Raise ValidationError with the Chinese reason when the value is not an acceptable 实施编码."""
    problem = implementation_code_problem(value)
    if problem is not None:
        raise ValidationError(problem, code="invalid_implementation_code")
