"""The one-time notice says which gaps block acceptance and which may follow it under 容缺, and by when the
applicant must answer; the PDF says the same."""

import datetime as dt
import shutil
import subprocess

import pytest

from onevisit.cases import services
from onevisit.cases.models import ApplicantBar
from onevisit.workdays.calendar import SHANGHAI
from tests.cases.conftest import applicant_of

NOTICE_MONDAY = dt.datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)
# Ten working days after Monday 2 November 2026 (no holiday in between): 3,4,5,6,9,10,11,12,13,16 November.
DUE_DAY = dt.date(2026, 11, 16)


@pytest.fixture
def case(personas, item):
    citizen = personas["citizen"]
    case, _ = services.case_submit(actor=citizen, item_code=item.implementation_code, applicant=applicant_of(citizen),
                                   channel="online", form={"company_name": "丽水小馆", "capital": 10, "scope": "餐饮"},
                                   materials={"id-card": "shared_data", "safety-pledge": "commitment"})
    return case


def test_notice_separates_what_blocks_from_what_may_follow_and_gives_a_deadline(api, personas, case):
    body = api.as_(personas["clerk"]).post(f"/cases/{case.pk}/notice").json()
    notice = body["notice"]
    by_key = {p["key"]: p for p in notice["problems"]}
    assert by_key["application"]["blocking"] is True and by_key["application"]["reason"] == "必要材料“申请书”未提供"
    assert by_key["lease"]["blocking"] is False
    assert "可先受理" in by_key["lease"]["reason"] and "补齐前不出具结果" in by_key["lease"]["reason"]
    assert notice["due_at"] > notice["issued_at"]


def test_deadline_counts_ten_working_days(personas, case):
    notice = services.case_issue_notice(actor=personas["clerk"], case=case, now=NOTICE_MONDAY)
    assert notice.due_at.astimezone(SHANGHAI).date() == DUE_DAY


def test_a_barred_applicant_is_told_every_gap_blocks(api, personas, case):
    ApplicantBar.objects.create(applicant_key=personas["citizen"].id_number, reason="未履行容缺承诺")
    notice = api.as_(personas["clerk"]).post(f"/cases/{case.pk}/notice").json()["notice"]
    assert all(p["blocking"] for p in notice["problems"])


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs pdftotext (poppler-utils), installed by .ci/run")
def test_the_pdf_says_which_is_which_and_by_when(client, personas, case, settings, tmp_path):
    services.case_issue_notice(actor=personas["clerk"], case=case, now=NOTICE_MONDAY)
    client.force_login(personas["citizen"])
    response = client.get(f"/documents/cases/{case.pk}/notice.pdf")
    assert response.status_code == 200
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    compact = "".join(text.split())
    assert "须补正后方可受理" in compact and "申请书" in compact
    assert "可容缺后补" in compact and "住所使用证明" in compact
    assert "2026年11月16日" in compact
