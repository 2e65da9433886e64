"""The application wizard: merged form, checklist, uploads kept with the draft, resume, one case per
application however often it is submitted, fee and delivery."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onevisit.cases.models import Case, CaseMaterial, IdempotencyKey, Provision
from onevisit.history.services import events_of
from onevisit.payments.models import Payment, PaymentStatus
from onevisit.portal.context import ACTING_FOR_KEY
from onevisit.portal.models import Draft
from tests.cases.conftest import COMPANY_CODE, PDF, make_item
from tests.datahub.conftest import hub  # noqa: F401 - the registers

URL = "/apply/items/331100-MKT-0001/"


def _form(**over):
    data = {"contact_phone": "13800000000", "f_company_name": "丽水小馆", "f_capital": "10", "f_scope": "餐饮",
            "delivery_method": "electronic", "commitments": ["safety-pledge"]}
    data.update(over)
    return data


def _upload(client, draft, key="application", content=PDF, name="申请书.pdf", **headers):
    return client.post(f"/apply/drafts/{draft.pk}/materials/{key}/",
                       {"file": SimpleUploadedFile(name, content)}, headers=headers)


@pytest.fixture
def citizen_client(client, personas):
    client.force_login(personas["citizen"])
    return client


def test_sign_in_required(client, item):
    response = client.get(URL)
    assert response.status_code == 302 and "/signin/" in response["Location"]


def test_checklist_says_what_need_not_be_brought_and_what_a_commitment_replaces(citizen_client, item):
    response = citizen_client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "无需提交，由部门通过数据共享获取" in html  # id-card has a shared_data_key
    assert 'name="commitments" value="safety-pledge"' in html
    assert 'name="commitments" value="application"' not in html
    # The profile's known facts are not asked again: the phone is prefilled.
    assert Draft.objects.get().idempotency_key.startswith("wizard-")


def test_errors_next_to_each_field_in_chinese_and_nothing_submitted(citizen_client, item):
    citizen_client.get(URL)
    response = citizen_client.post(URL, _form(f_capital="-3", f_scope="", delivery_method="post",
                                              delivery_address="杭州", action="submit"))
    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="error-capital"' in html and "不能小于0" in html
    assert 'data-testid="error-scope"' in html and "必填项“经营类别”未填写" in html
    assert 'data-testid="error-delivery_address"' in html and "收件地址应为8到200个字" in html
    assert "请上传“申请书”" in html
    assert Case.objects.count() == 0


def test_draft_is_saved_with_its_upload_and_resumed(citizen_client, item):
    citizen_client.get(URL)
    draft = Draft.objects.get()
    citizen_client.post(URL, _form(action="save"))
    response = _upload(citizen_client, draft, HX_Request="true")
    assert response.status_code == 200
    assert "已上传：申请书.pdf" in response.content.decode()
    bad = _upload(citizen_client, draft, key="lease", content=b"MZ\x90\x00not a pdf", name="x.pdf", HX_Request="true")
    assert "文件类型不受支持" in bad.content.decode()
    # Coming back later: the same draft, with what was typed and uploaded.
    html = citizen_client.get(URL).content.decode()
    assert Draft.objects.count() == 1
    assert 'value="丽水小馆"' in html and "已上传：申请书.pdf" in html
    assert [e.action for e in events_of(draft)][-1] == "draft.file_uploaded"


def test_submit_twice_makes_one_case_with_files_delivery_and_history(citizen_client, item, personas):
    citizen_client.get(URL)
    draft = Draft.objects.get()
    _upload(citizen_client, draft)
    first = citizen_client.post(URL, _form(action="submit"))
    assert first.status_code == 302, first.content.decode()
    case = Case.objects.get()
    assert first["Location"] == f"/my/cases/{case.pk}/?submitted=1"
    # Double click / browser retry: the same draft, the same case.
    citizen_client.post(URL.replace("331100", "331100"), _form(action="submit"))
    assert Case.objects.count() == 1
    assert IdempotencyKey.objects.get().key == draft.idempotency_key
    assert case.delivery_method == "electronic" and case.channel == "online" and case.status == "pre_review"
    materials = {m.key: m.provision for m in CaseMaterial.objects.filter(case=case)}
    assert materials == {"id-card": Provision.SHARED_DATA, "application": Provision.UPLOADED,
                         "lease": Provision.MISSING, "safety-pledge": Provision.COMMITMENT}
    assert CaseMaterial.objects.get(case=case, key="application").sha256
    assert case.form_data == {"company_name": "丽水小馆", "capital": "10", "scope": "餐饮"}
    actions = [e.action for e in events_of(case)]
    assert actions[0] == "submit" and "upload" in actions and "choose_delivery" in actions
    # A new visit to the wizard starts a new application with a new key.
    citizen_client.get(URL)
    assert Draft.objects.filter(case__isnull=True).exclude(idempotency_key=draft.idempotency_key).count() == 1


def test_draft_submit_service_is_idempotent_when_called_again(personas, item):
    from onevisit.portal import wizard

    user = personas["citizen"]
    draft = wizard.draft_open(actor=user, kind="item", code=item.implementation_code)
    wizard.draft_save(actor=user, draft=draft, data=_form())
    wizard.draft_upload(actor=user, draft=draft, key="application",
                        upload=SimpleUploadedFile("a.pdf", PDF))
    one = wizard.draft_submit(actor=user, draft=draft)
    two = wizard.draft_submit(actor=user, draft=draft)
    assert one.pk == two.pk and Case.objects.count() == 1


def test_another_users_draft_is_404(client, personas, item):
    client.force_login(personas["citizen"])
    client.get(URL)
    draft = Draft.objects.get()
    client.force_login(personas["other_citizen"])
    assert _upload(client, draft).status_code == 404


def test_fee_must_be_paid_before_submission_and_is_linked_to_the_case(citizen_client, personas, departments,
                                                                      region_tree):
    make_item(personas["catalog_admin"], departments, region_tree, "331100-MKT-0009", charges_fee=True,
              fee_amount=Decimal("50.00"), fee_standard="每件50元", fee_basis="物价文件")
    url = "/apply/items/331100-MKT-0009/"
    citizen_client.get(url)
    draft = Draft.objects.get()
    _upload(citizen_client, draft)
    refused = citizen_client.post(url, _form(action="submit"))
    assert refused.status_code == 400 and "请先缴纳费用 50.00 元" in refused.content.decode()
    assert Case.objects.count() == 0
    to_pay = citizen_client.post(url, _form(action="pay"))
    payment = Payment.objects.get()
    assert to_pay["Location"] == f"/payments/sandbox/{payment.reference}/?next={url}"
    assert payment.amount == Decimal("50.00") and payment.status == PaymentStatus.CREATED
    page = citizen_client.get(to_pay["Location"])
    assert "确认支付 50.00 元" in page.content.decode()
    back = citizen_client.post(f"/payments/sandbox/{payment.reference}/", {"outcome": "pay", "next": url})
    assert back["Location"] == url
    assert citizen_client.post(url, _form(action="submit")).status_code == 302
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID and payment.case == Case.objects.get()


def test_company_item_needs_acting_for_a_company(client, personas, departments, region_tree, hub):  # noqa: F811
    from onevisit.datahub.services import records_upsert

    make_item(personas["catalog_admin"], departments, region_tree, "331100-MKT-0010", targets=["company"])
    # The legal-entity register names the citizen as the company's legal representative.
    records_upsert(actor=hub["data_admin"], resource=hub["resources"]["legal_entity"], records=[
        {"identifier": COMPANY_CODE, "data": {"name": "丽水小馆有限公司", "credit_code": COMPANY_CODE, "status": "存续",
                                              "legal_representative": "张三",
                                              "legal_representative_id_number": personas["citizen"].id_number}}])
    client.force_login(personas["citizen"])
    url = "/apply/items/331100-MKT-0010/"
    blocked = client.get(url)
    assert blocked.status_code == 409 and "代表单位办事" in blocked.content.decode()
    session = client.session
    session[ACTING_FOR_KEY] = {"credit_code": COMPANY_CODE, "name": "丽水小馆有限公司"}
    session.save()
    assert client.get(url).status_code == 200
    draft = Draft.objects.get()
    _upload(client, draft)
    assert client.post(url, _form(action="submit")).status_code == 302
    case = Case.objects.get()
    assert case.applicant_kind == "company" and case.applicant_credit_code == COMPANY_CODE
    assert case.agent_id_number == personas["citizen"].id_number
    # The company's case shows in my cases while acting for it.
    assert case.number in client.get("/my/cases/").content.decode()


def test_bundle_asks_each_field_once(client, personas, bundle):
    client.force_login(personas["citizen"])
    html = client.get("/apply/bundles/open-restaurant/").content.decode()
    assert html.count('name="f_company_name"') == 1
    assert 'name="f_tax_type"' in html and 'name="f_capital"' in html
    draft = Draft.objects.get()
    _upload(client, draft)
    _upload(client, draft, key="floor-plan")
    response = client.post("/apply/bundles/open-restaurant/", {
        "contact_phone": "13800000000", "f_company_name": "丽水小馆", "f_capital": "10", "f_tax_type": "小规模",
        "delivery_method": "window", "action": "submit"})
    assert response.status_code == 302, response.content.decode()
    parent = Case.objects.get(parent__isnull=True)
    assert parent.children.count() == 3 and parent.delivery_method == "window"
