"""The five documents of a case (issue 4 item 4), each carrying the case number, the department,
the date and a verification QR code that opens the case's status page.

They are written against a plain context dict so the case engine can fill them without this module
knowing its models:

    case_number, item_name, department_name, issued_on (date), verify_url,
    applicant: {"name", "id_number" (masked on the page) or "credit_code"},
    accepted_on, promised_on, materials_received: [str],          # 受理通知书
    missing_materials, may_follow: [{"name", "reason"}], supplement_due,  # 一次性告知书 (blocking / 容缺)
    refusal_reasons: [str], legal_basis: [str],                     # 不予受理决定书
    commitments: [{"material", "due_on", "note"}],                  # 容缺受理承诺书
    result: {"decision", "summary", "licence_number", "delivery"}, decided_on  # 结果通知书
"""

from django.db import models

from onevisit.documents.rendering import qr_svg_data_uri, render_pdf


class DocumentKind(models.TextChoices):
    ACCEPTANCE_RECEIPT = "acceptance_receipt", "受理通知书"
    ONE_TIME_NOTICE = "one_time_notice", "一次性告知书"
    REFUSAL = "refusal", "不予受理决定书"
    COMMITMENT = "commitment", "容缺受理承诺书"
    RESULT_NOTICE = "result_notice", "结果通知书"


REQUIRED_KEYS = ("case_number", "item_name", "department_name", "issued_on", "verify_url", "applicant")


def mask_id_number(value: str) -> str:
    return value[:6] + "********" + value[-4:] if value and len(value) == 18 else value


def render_document(*, kind: DocumentKind | str, context: dict) -> bytes:
    kind = DocumentKind(kind)
    missing = [key for key in REQUIRED_KEYS if not context.get(key)]
    if missing:
        raise ValueError(f"文书“{kind.label}”缺少内容：{', '.join(missing)}")
    applicant = dict(context["applicant"])
    if applicant.get("id_number"):
        applicant["id_number_masked"] = mask_id_number(applicant["id_number"])
    full = {
        **context,
        "applicant": applicant,
        "title": kind.label,
        "kind": kind.value,
        "qr_data_uri": qr_svg_data_uri(context["verify_url"]),
    }
    return render_pdf(template=f"documents/{kind.value}.html", context=full)
