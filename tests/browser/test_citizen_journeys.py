"""Citizen journeys in a real browser: apply online with a fee and electronic delivery, the elder
mode through the wizard at 360 px, and answering a one-time notice online. axe-core on the pages."""

from decimal import Decimal

import pytest

from onevisit.accounts.models import User
from onevisit.cases import services
from onevisit.cases.models import Case, CaseStatus
from tests.browser.conftest import run_axe
from tests.browser.test_portal_browser import ID, _sign_in
from tests.cases.conftest import PDF, make_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = "331100-MKT-0009"
BIG_PDF = PDF + b"%" + b"0" * 400_000  # large enough for the browser to report upload progress


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def fee_item(personas, departments, region_tree):
    return make_item(personas["catalog_admin"], departments, region_tree, CODE, name="食品经营许可证补办",
                     keywords="食品 许可证 补办 遗失", charges_fee=True, fee_amount=Decimal("20.00"),
                     fee_standard="每件20元", fee_basis="物价文件", promised_visits=0)


def _pdf(tmp_path, name="申请书.pdf", content=BIG_PDF):
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def _fill_form(page):
    page.get_by_label("企业名称").fill("丽水小馆")
    page.get_by_label("注册资本（万元）").fill("10")
    page.get_by_label("经营类别").select_option("餐饮")


def test_apply_online_with_fee_and_electronic_delivery(page, server, screenshot, fee_item, tmp_path):
    _sign_in(page, server)
    page.get_by_label("用日常用语描述要办的事").fill("食品许可证补办")
    page.get_by_role("button", name="搜索").click()
    page.get_by_role("link", name="食品经营许可证补办").click()
    assert page.get_by_role("heading", level=1).inner_text() == "食品经营许可证补办"
    screenshot(page, "guide")
    page.get_by_test_id("apply").click()
    page.wait_for_url(f"{server}/apply/items/{CODE}/")
    assert "无需提交，由部门通过数据共享获取" in page.get_by_test_id("state-id-card").inner_text()
    _fill_form(page)
    page.evaluate("""() => { window.__progress = [];
        document.addEventListener('htmx:xhr:progress', e => window.__progress.push(e.detail.loaded)); }""")
    page.locator("#file-application").set_input_files(_pdf(tmp_path))
    page.get_by_role("button", name="上传“申请书”").click()
    page.get_by_test_id("state-application").filter(has_text="已上传").wait_for()
    assert page.evaluate("window.__progress.length") >= 1
    page.get_by_label("不上传，以书面承诺替代（告知承诺制，事后核查）").check()
    page.get_by_label("电子送达（网上下载电子证照，零跑动）").check()
    screenshot(page, "wizard-filled")
    assert run_axe(page) == []
    page.get_by_role("button", name="去缴费 20.00 元").click()
    assert page.get_by_test_id("pay-amount").inner_text() == "20.00 元"
    screenshot(page, "sandbox-pay")
    page.get_by_role("button", name="确认支付 20.00 元").click()
    page.wait_for_url(f"{server}/apply/items/{CODE}/")
    assert page.get_by_test_id("paid").is_visible()
    # What was typed before paying is still there.
    assert page.get_by_label("企业名称").input_value() == "丽水小馆"
    page.get_by_test_id("submit").click()
    page.get_by_test_id("submitted").wait_for()
    case = Case.objects.get()
    assert page.get_by_test_id("case-number").inner_text() == case.number
    assert case.delivery_method == "electronic" and case.payments.get().status == "paid"
    screenshot(page, "submitted")
    page.goto(f"{server}/my/cases/")
    assert case.number in page.get_by_test_id(f"case-{case.pk}").inner_text()
    assert page.get_by_test_id(f"case-{case.pk}").get_by_test_id("plain-status").inner_text() == "已提交，工作人员正在网上预审"
    screenshot(page, "my-cases")
    assert run_axe(page) == []
    assert page.js_errors == []


def test_elder_mode_through_the_wizard_at_360px(page, server, screenshot, fee_item):
    page.set_viewport_size({"width": 360, "height": 740})
    _sign_in(page, server)
    page.context.add_cookies([{"name": "ov_elder", "value": "1", "url": server}])
    page.goto(f"{server}/apply/items/{CODE}/")
    assert "elder" in page.evaluate("document.body.className")
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('label')).fontSize)")
    assert size >= 22
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "wizard-elder-360")
    page.get_by_label("注册资本（万元）").fill("-1")
    page.get_by_test_id("submit").click()
    error = page.get_by_test_id("error-capital")
    assert "不能小于0" in error.inner_text()
    assert page.get_by_label("注册资本（万元）").get_attribute("aria-invalid") == "true"
    assert page.get_by_test_id("error-delivery_method").inner_text() == "请选择结果送达方式"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "wizard-elder-360-errors")
    assert run_axe(page) == []
    page.goto(f"{server}/my/cases/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert run_axe(page) == []


def test_answer_a_one_time_notice_online(page, server, screenshot, personas, fee_item, tmp_path):
    _sign_in(page, server)
    user = User.objects.get(id_number=ID)
    case, _ = services.case_submit(
        actor=user, item_code=CODE, channel="online",
        applicant={"kind": "person", "name": user.real_name, "id_number": ID, "phone": "13612345678"},
        form={"company_name": "丽水小馆", "capital": 10, "scope": "餐饮"},
        materials={"id-card": "shared_data", "safety-pledge": "commitment"},
    )
    services.case_issue_notice(actor=personas["clerk"], case=case)
    page.goto(f"{server}/my/cases/")
    page.get_by_role("link", name="在线补正").click()
    assert "必要材料“申请书”未提供" in page.get_by_test_id("notice-1").inner_text()
    screenshot(page, "notice")
    assert run_axe(page) == []
    page.get_by_label("申请书").set_input_files(_pdf(tmp_path, content=PDF))
    page.get_by_label("住所使用证明").set_input_files(_pdf(tmp_path, "租赁合同.pdf", content=PDF))
    page.get_by_role("button", name="提交补正").click()
    page.get_by_test_id("answered").wait_for()
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and case.visits == 0
    assert page.get_by_test_id("plain-status").inner_text() == "已提交，等待窗口受理"
    screenshot(page, "notice-answered")
