"""The five documents built from a real case, over HTTP, read back with pdftotext; only to those who
may see the case."""

import re

import pytest

from onevisit.cases import services
from tests.cases.conftest import _media, item, staff  # noqa: F401
from tests.console.helpers import accepted_case, scan, submitted_case
from tests.documents.conftest import pdf_text

pytestmark = pytest.mark.django_db
DEPARTMENT = "丽水市市场监督管理局"


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def fetch(client, case, kind, tmp_path) -> str:
    response = client.get(f"/documents/cases/{case.pk}/{kind}.pdf")
    assert response.status_code == 200, kind
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    return squash(pdf_text(response.content, tmp_path))


def test_five_documents_from_the_case(client, personas, staff, item, pdf_tools, tmp_path, settings):  # noqa: F811
    settings.ONEVISIT_PUBLIC_URL = "https://zwfw.example.cn"
    citizen, clerk, reviewer = personas["citizen"], personas["clerk"], personas["reviewer"]
    # 一次性告知 then 不予受理 on one case
    refused = submitted_case(citizen)
    services.case_material_upload(actor=citizen, case=refused, key="application", upload=scan())
    services.case_issue_notice(actor=clerk, case=refused, rejected={"application": "未签名盖章"})
    services.case_refuse(actor=clerk, case=refused, reasons="申请事项不属于本机关职权范围", legal_basis="《行政许可法》第三十二条")
    # 容缺受理 on another, then decided and issued
    case, _ = services.case_submit(
        actor=citizen, item_code=item.implementation_code, channel="online",
        applicant={"kind": "person", "name": citizen.real_name, "id_number": citizen.id_number},
        form={"company_name": "丽水小馆", "capital": "10", "scope": "餐饮"},
        materials={"id-card": "shared_data", "safety-pledge": "commitment"})
    services.case_material_upload(actor=citizen, case=case, key="application", upload=scan())
    services.case_accept(actor=clerk, case=case, gaps=True)
    case.refresh_from_db()

    client.force_login(citizen)
    text = fetch(client, refused, "notice", tmp_path)
    assert refused.number in text and DEPARTMENT in text and "未签名盖章" in text
    text = fetch(client, refused, "refusal", tmp_path)
    assert "不予受理决定书" in text and "第三十二条" in text and refused.number in text
    text = fetch(client, case, "receipt", tmp_path)
    promised = case.promised_due.astimezone(case.accepted_at.tzinfo)
    assert case.number in text and DEPARTMENT in text and f"{promised.year}年{promised.month}月{promised.day}日" in text
    text = fetch(client, case, "gaps", tmp_path)
    assert "容缺受理承诺书" in text and "住所使用证明" in text
    assert client.get(f"/documents/cases/{case.pk}/result.pdf").status_code == 404  # no result yet

    services.case_material_upload(actor=citizen, case=case, key="lease", upload=scan())
    services.case_complete_step(actor=reviewer, case=case, step_key="review")
    from onevisit.accounts.models import User
    from onevisit.orgs.models import Role, StaffRole

    approver = User.objects.create_user(username="appr", password="x", real_name="审批")
    StaffRole.objects.create(user=approver, role=Role.APPROVER, department=case.department)
    services.case_approve(actor=approver, case=case, note="符合条件")
    services.case_issue_result(actor=reviewer, case=case)
    text = fetch(client, case, "result", tmp_path)
    assert "结果通知书" in text and "准予许可" in text and case.number in text and DEPARTMENT in text
    assert "zwfw.example.cn/s/" in text  # the verification address printed under the QR


def test_documents_only_for_those_who_may_see_the_case(client, personas, staff, item):  # noqa: F811
    case = accepted_case(personas["citizen"], personas["reviewer"])
    client.force_login(personas["other_citizen"])
    assert client.get(f"/documents/cases/{case.pk}/receipt.pdf").status_code == 404
    client.force_login(personas["other_reviewer"])
    assert client.get(f"/documents/cases/{case.pk}/receipt.pdf").status_code == 404
    client.logout()
    assert client.get(f"/documents/cases/{case.pk}/receipt.pdf").status_code == 404
    client.force_login(personas["supervisor"])
    assert client.get(f"/documents/cases/{case.pk}/receipt.pdf").status_code == 200
    assert client.get(f"/documents/cases/{case.pk}/bogus.pdf").status_code == 404
    assert client.get(f"/documents/cases/{case.pk}/refusal.pdf").status_code == 404
