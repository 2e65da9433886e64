"""Each case document renders Chinese text that can be read back from the PDF, with a QR that opens
the case's status page."""

import re
from datetime import date

import pytest
import segno

from onevisit.documents.notices import DocumentKind, render_document
from onevisit.documents.rendering import qr_png_data_uri, qr_svg_data_uri
from tests.documents.conftest import pdf_fonts, pdf_text

CASE = "OV330102-2026-000123"
DEPARTMENT = "丽水市市场监督管理局"
VERIFY = f"http://127.0.0.1:8000/cases/{CASE}/status/?v=4f1c2e"

BASE = {
    "case_number": CASE,
    "item_name": "食品经营许可（新办）",
    "department_name": DEPARTMENT,
    "issued_on": date(2026, 11, 20),
    "verify_url": VERIFY,
    "applicant": {"name": "张三", "id_number": "330102198505051235"},
}
EXTRA = {
    DocumentKind.ACCEPTANCE_RECEIPT: {
        "accepted_on": date(2026, 11, 20), "promised_on": date(2026, 12, 4),
        "materials_received": ["食品经营许可申请书", "营业执照复印件", "食品安全管理制度"],
    },
    DocumentKind.ONE_TIME_NOTICE: {
        "missing_materials": [
            {"name": "经营场所平面布局图", "reason": "未标明食品处理区与非食品处理区"},
            {"name": "食品安全管理人员健康证明", "reason": "已过有效期，请提供一年内的证明"},
        ],
        "supplement_due": date(2026, 12, 18),
    },
    DocumentKind.REFUSAL: {
        "refusal_reasons": ["申请事项依法不属于本机关职权范围"],
        "legal_basis": ["《中华人民共和国行政许可法》第三十二条第一款第（二）项"],
    },
    DocumentKind.COMMITMENT: {
        "accepted_on": date(2026, 11, 20),
        "commitments": [{"material": "消防安全检查合格证明", "due_on": date(2026, 12, 10), "note": "正在办理中"}],
    },
    DocumentKind.RESULT_NOTICE: {
        "result": {"decision": "准予许可", "summary": "核发食品经营许可证。", "licence_number": "JY13311020012345",
                   "delivery": "电子证照"},
        "decided_on": date(2026, 12, 1),
    },
}
EXPECTED = {
    DocumentKind.ACCEPTANCE_RECEIPT: ["受理通知书", "2026年12月4日", "营业执照复印件"],
    DocumentKind.ONE_TIME_NOTICE: ["一次性告知书", "经营场所平面布局图", "已过有效期"],
    DocumentKind.REFUSAL: ["不予受理决定书", "行政许可法", "行政复议"],
    DocumentKind.COMMITMENT: ["容缺受理承诺书", "消防安全检查合格证明", "2026年12月10日"],
    DocumentKind.RESULT_NOTICE: ["结果通知书", "准予许可", "JY13311020012345"],
}


def _squash(text: str) -> str:
    # Letter-spaced headings and table layout may insert spaces between characters.
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_document_carries_case_number_department_date_and_content(kind, pdf_tools, tmp_path):
    data = render_document(kind=kind, context={**BASE, **EXTRA[kind]})
    assert data.startswith(b"%PDF")
    text = _squash(pdf_text(data, tmp_path))
    assert CASE in text
    assert DEPARTMENT in text
    assert "2026年11月20日" in text or kind == DocumentKind.RESULT_NOTICE
    assert "张三" in text and "330102********1235" in text
    assert "330102198505051235" not in text  # the full id number is never printed
    for phrase in EXPECTED[kind]:
        assert _squash(phrase) in text, phrase
    fonts = pdf_fonts(data, tmp_path)
    assert "Noto-Serif-CJK-SC" in fonts.replace("NotoSerifCJK", "Noto-Serif-CJK") or "Noto-Sans-CJK-SC" in fonts


def test_document_refuses_missing_essentials():
    with pytest.raises(ValueError, match="case_number"):
        render_document(kind=DocumentKind.REFUSAL, context={**BASE, "case_number": ""})


def test_qr_code_encodes_the_status_url():
    svg = qr_svg_data_uri(VERIFY)
    png = qr_png_data_uri(VERIFY)
    assert svg.startswith("data:image/svg+xml") and png.startswith("data:image/png;base64,")
    # segno is deterministic: the same URL gives the same symbol, a different one does not.
    assert segno.make(VERIFY, error="m").svg_data_uri(scale=4, border=2) == svg
    assert qr_svg_data_uri(VERIFY + "x") != svg
