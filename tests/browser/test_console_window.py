"""A walk-in at the window: look up the ID number, start the application, one material missing, the
one-time notice (PDF), then the person comes back, the clerk scans the missing material and accepts,
and prints the receipt."""

import pytest

from onevisit.cases.models import Case, CaseStatus
from tests.browser.console_helpers import axe_serious, fetch_pdf, pdf_text_of, scan_file, sign_in
from tests.cases.conftest import _media, item, staff  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_walk_in_notice_then_acceptance(page, server, screenshot, personas, staff, item, tmp_path):  # noqa: F811
    citizen = personas["citizen"]
    sign_in(page, server, "clerk")
    assert page.url.endswith("/console/window/")
    page.get_by_label("身份证号").fill(citizen.id_number[:-1] + ("0" if citizen.id_number[-1] != "0" else "1"))
    page.get_by_role("button", name="查询").click()
    assert "校验位" in page.get_by_test_id("error-id_number").inner_text()
    page.get_by_label("身份证号").fill(citizen.id_number)
    page.get_by_role("button", name="查询").click()
    page.get_by_test_id("no-cases").wait_for()
    screenshot(page, "window-lookup")
    assert axe_serious(page) == []

    page.get_by_role("link", name="测试事项331100-MKT-0001").click()
    page.get_by_label("姓名").fill(citizen.real_name)
    page.get_by_label("企业名称").fill("丽水小馆")
    page.get_by_label("注册资本（万元）").fill("10")
    page.get_by_label("经营类别").select_option("餐饮")
    page.get_by_test_id("check-application-present").check()
    page.locator("#file-application").set_input_files(scan_file())
    page.get_by_test_id("check-lease-missing").check()
    page.get_by_test_id("check-safety-pledge-commitment").check()
    screenshot(page, "window-checklist")
    assert axe_serious(page) == []
    page.get_by_role("button", name="出具一次性告知").click()
    page.get_by_test_id("done").wait_for()
    case = Case.objects.get()
    assert case.status == CaseStatus.AWAITING_SUPPLEMENT and case.visits == 1
    assert page.get_by_test_id("case-status").inner_text() == "待补正"
    screenshot(page, "window-notice-issued")
    notice = fetch_pdf(page, server + page.get_by_test_id("print-doc").get_attribute("href"))
    assert notice.startswith(b"%PDF")
    text = pdf_text_of(notice, tmp_path)
    assert case.number in text and "住所使用证明" in text and "丽水市市场监督管理局" in text
    assert axe_serious(page) == []

    # The person comes back with the missing material.
    page.goto(f"{server}/console/window/?id_number={citizen.id_number}")
    page.get_by_role("link", name=case.number).click()
    page.get_by_test_id("check-lease-present").check()
    page.locator("#file-lease").set_input_files(scan_file())
    page.get_by_role("button", name="受理并打印受理通知书").click()
    page.get_by_test_id("done").wait_for()
    assert page.get_by_test_id("case-status").inner_text() == "已受理"
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.visits == 2
    screenshot(page, "window-accepted")
    receipt = fetch_pdf(page, server + page.get_by_test_id("print-doc").get_attribute("href"))
    text = pdf_text_of(receipt, tmp_path)
    assert "受理通知书" in text and case.number in text
    assert page.js_errors == []
