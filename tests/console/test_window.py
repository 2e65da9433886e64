"""The window's one screen: look up a person, start an application, tick the materials, decide."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onevisit.cases import services
from onevisit.cases.models import Case, CaseStatus, Provision, Refusal
from tests.cases.conftest import PDF, applicant_of, online_payload

pytestmark = pytest.mark.django_db


def scan(name="scan.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def start_post(personas, **extra):
    citizen = personas["citizen"]
    data = {
        "id_number": citizen.id_number, "item": "331100-MKT-0001", "name": citizen.real_name, "phone": "13800000000",
        "form.company_name": "丽水小馆", "form.capital": "10", "form.scope": "餐饮",
        "check.id-card": "shared_data", "check.application": "present", "file.application": scan(),
        "check.lease": "missing", "check.safety-pledge": "commitment",
    }
    data.update(extra)
    return data


def test_lookup_validates_the_id_number_and_lists_only_visible_open_cases(client, personas, staff, item):
    citizen = personas["citizen"]
    services.case_submit(actor=citizen, item_code=item.implementation_code, applicant=applicant_of(citizen),
                         channel="online", form={}, materials={})
    client.force_login(personas["clerk"])
    bad = client.get("/console/window/", {"id_number": citizen.id_number[:-1] + "X"})
    assert bad.status_code == 400
    assert "身份证号" in bad.content.decode() and 'aria-invalid="true"' in bad.content.decode()
    page = client.get("/console/window/", {"id_number": citizen.id_number}).content.decode()
    case = Case.objects.get()
    assert case.number in page
    assert "测试事项331100-MKT-0001" in page  # can start the item of the window's domain
    client.force_login(staff["re_clerk"])  # real-estate window: the business case is not theirs
    page = client.get("/console/window/", {"id_number": citizen.id_number}).content.decode()
    assert case.number not in page


def test_walk_in_notice_then_comes_back_and_is_accepted(client, personas, staff, item):
    client.force_login(personas["clerk"])
    response = client.post("/console/window/start/", start_post(personas, **{
        "check.lease": "missing", "check.application": "rejected", "reason.application": "未签名", "action": "notice"}))
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get()
    assert case.status == CaseStatus.AWAITING_SUPPLEMENT and case.channel == "window" and case.visits == 1
    notice = case.notices.get()
    reasons = " ".join(p["reason"] for p in notice.problems)
    assert "住所使用证明" in reasons and "未签名" in reasons
    assert response["Location"].endswith("doc=notice")
    assert case.materials.get(key="safety-pledge").provision == Provision.COMMITMENT

    # Comes back: the clerk scans what was missing and accepts in the same screen.
    response = client.post(f"/console/cases/{case.pk}/intake/", {
        "check.application": "present", "file.application": scan(), "check.lease": "present", "file.lease": scan(),
        "action": "accept"})
    assert response.status_code == 302, response.content.decode()[:3000]
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.visits == 2 and case.promised_due
    page = client.get(f"/console/cases/{case.pk}/").content.decode()
    assert "受理通知书" in page


def test_accept_with_gaps_and_refusal_need_their_inputs(client, personas, staff, item):
    client.force_login(personas["clerk"])
    refused = client.post("/console/window/start/", start_post(personas, action="refuse"))
    assert refused.status_code == 400
    assert "必须填写" in refused.content.decode()
    assert not Case.objects.exists()  # nothing was created by the refused attempt
    plain = client.post("/console/window/start/", start_post(personas, action="accept"))
    assert plain.status_code == 400 and "容缺" in plain.content.decode()
    assert not Case.objects.exists()
    gaps = client.post("/console/window/start/", start_post(personas, action="accept_gaps", gaps_due="2026-12-04"))
    assert gaps.status_code == 302
    case = Case.objects.get()
    assert case.status == CaseStatus.ACCEPTED and case.gaps_outstanding and case.gaps_due.day == 4
    assert gaps["Location"].endswith("doc=gaps")


def test_refusal_registered_with_reasons_and_basis(client, personas, staff, item):
    client.force_login(personas["clerk"])
    response = client.post("/console/window/start/", start_post(
        personas, action="refuse", reasons="不属于本机关职权范围", legal_basis="《行政许可法》第三十二条"))
    assert response.status_code == 302
    refusal = Refusal.objects.get()
    assert refusal.case.status == CaseStatus.REFUSED and "第三十二条" in refusal.legal_basis


def test_present_material_needs_a_scan(client, personas, staff, item):
    client.force_login(personas["clerk"])
    data = start_post(personas, action="accept_gaps")
    del data["file.application"]
    response = client.post("/console/window/start/", data)
    assert response.status_code == 400
    assert "请扫描上传“申请书”" in response.content.decode()
    assert not Case.objects.exists()


def test_clerk_of_another_domain_can_neither_open_nor_act(client, personas, staff, item):
    citizen = personas["citizen"]
    case, _ = services.case_submit(actor=citizen, applicant=applicant_of(citizen),
                                   **{k: v for k, v in online_payload(citizen).items() if k != "applicant"})
    client.force_login(staff["re_clerk"])
    assert client.get(f"/console/cases/{case.pk}/").status_code == 404
    assert client.post(f"/console/cases/{case.pk}/intake/", {"action": "accept"}).status_code == 404
    assert client.get("/console/window/start/", {"id_number": citizen.id_number, "item": item.implementation_code}).status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.PRE_REVIEW


def test_citizen_and_reviewer_cannot_use_the_window(client, personas, staff, item):
    client.force_login(personas["citizen"])
    assert client.get("/console/window/").status_code == 403
    client.force_login(personas["reviewer"])
    assert client.get("/console/window/").status_code == 403
