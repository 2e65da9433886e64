"""My cases and the public status page: what the page shows equals what the API reports; another
citizen's case is 404; answering a one-time notice online; withdrawal before decision."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onevisit.cases import services
from onevisit.cases.models import CaseStatus
from tests.cases.conftest import PDF, applicant_of


@pytest.fixture
def case(personas, item):
    case, _ = services.case_submit(
        actor=personas["citizen"], item_code=item.implementation_code, applicant=applicant_of(personas["citizen"]),
        channel="online", form={"company_name": "丽水小馆", "capital": 10, "scope": "餐饮"},
        materials={"id-card": "shared_data", "safety-pledge": "commitment"},
    )
    return case


def _times(html: str) -> dict[str, str]:
    return {k: v
            for k, v in re.findall(r'<time data-testid="(\w+)" datetime="([^"]+)"', html)}


def test_page_shows_deadlines_visits_and_notices_exactly_as_the_api(client, personas, case):
    clerk = personas["clerk"]
    services.case_issue_notice(actor=clerk, case=case)
    services.case_material_upload(actor=personas["citizen"], case=case, key="application",
                                  upload=SimpleUploadedFile("a.pdf", PDF))
    services.case_material_upload(actor=personas["citizen"], case=case, key="lease",
                                  upload=SimpleUploadedFile("b.pdf", PDF))
    services.case_supplement(actor=personas["citizen"], case=case)
    services.case_accept(actor=clerk, case=case)
    client.force_login(personas["citizen"])
    api = client.get(f"/api/v1/cases/{case.pk}").json()
    html = client.get(f"/my/cases/{case.pk}/").content.decode()
    times = _times(html)
    for key in ("accepted_at", "promised_due", "legal_due"):
        assert times[key] == api["deadlines"][key], key
    assert re.search(r'data-testid="visits-promised">(\d+)<', html).group(1) == str(api["visits"]["promised"])
    assert re.search(r'data-testid="visits-actual">(\d+)<', html).group(1) == str(api["visits"]["actual"])
    assert re.search(r'data-testid="days_used">(\d+)<', html).group(1) == str(api["deadlines"]["working_days_used"])
    shown = re.findall(r'data-testid="problem">([^<]+)<', html)
    assert shown == [p["reason"] for n in api["notices"] for p in n["problems"]]
    assert len(api["notices"]) == 1 and 'data-testid="notice-1"' in html
    assert "已受理，正在办理" in html
    assert f"/documents/cases/{case.pk}/receipt.pdf" in html
    listing = client.get("/my/cases/").content.decode()
    assert case.number in listing and "按期办理中" in listing


def test_another_citizens_case_is_404(client, personas, case):
    client.force_login(personas["other_citizen"])
    assert client.get(f"/my/cases/{case.pk}/").status_code == 404
    assert client.post(f"/my/cases/{case.pk}/withdraw/").status_code == 404
    assert client.post(f"/my/cases/{case.pk}/supplement/").status_code == 404
    assert case.number not in client.get("/my/cases/").content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.PRE_REVIEW


def test_answering_a_notice_uploads_exactly_what_it_names(client, personas, case):
    services.case_issue_notice(actor=personas["clerk"], case=case)
    client.force_login(personas["citizen"])
    url = f"/my/cases/{case.pk}/supplement/"
    # Something the notice did not ask for, and one of the named files missing: refused, nothing changes.
    wrong = client.post(url, {"file_application": SimpleUploadedFile("a.pdf", PDF),
                              "file_safety-pledge": SimpleUploadedFile("c.pdf", PDF)})
    html = wrong.content.decode()
    assert wrong.status_code == 400
    assert "告知书没有要求补交此材料" in html and "请上传告知书要求补交的这份材料" in html
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_SUPPLEMENT
    right = client.post(url, {"file_application": SimpleUploadedFile("a.pdf", PDF),
                              "file_lease": SimpleUploadedFile("b.pdf", PDF)})
    assert right.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and case.notices.get().resolved_at is not None
    assert case.visits == 0  # answered online: no trip


def test_withdraw_before_decision(client, personas, case):
    client.force_login(personas["citizen"])
    assert "撤回申请" in client.get(f"/my/cases/{case.pk}/").content.decode()
    assert client.post(f"/my/cases/{case.pk}/withdraw/", {"reason": "不办了"}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN
    assert "撤回申请</button>" not in client.get(f"/my/cases/{case.pk}/").content.decode()


def test_public_status_page_shows_no_personal_data(client, personas, case):
    page = client.get(f"/s/{case.number}/").content.decode()
    assert case.item.name in page and "网上预审" in page
    assert personas["citizen"].real_name not in page and personas["citizen"].id_number not in page
    assert 'data-testid="full-details"' not in page
    client.force_login(personas["other_citizen"])
    assert 'data-testid="full-details"' not in client.get(f"/s/{case.number}/").content.decode()
    client.force_login(personas["citizen"])
    assert 'data-testid="full-details"' in client.get(f"/s/{case.number}/").content.decode()
    assert client.get("/s/NO-SUCH-NUMBER/").status_code == 404


def test_deliver_uses_the_applicants_choice(personas, case, staff):
    services.case_choose_delivery(actor=personas["citizen"], case=case, method="post",
                                  address="浙江省丽水市莲都区人民街100号")
    with pytest.raises(Exception) as exc:
        services.case_choose_delivery(actor=personas["other_citizen"], case=case, method="window")
    assert exc.typename == "PermissionDenied"
    case.refresh_from_db()
    assert case.delivery_method == "post" and case.contact_address == "浙江省丽水市莲都区人民街100号"
