"""A supervisor overturns a window's refusal: the reason is required, then the case is back for acceptance."""

import pytest

from onevisit.cases import services
from onevisit.cases.models import CaseStatus
from tests.browser.console_helpers import axe_serious, sign_in
from tests.cases.conftest import _media, item, staff  # noqa: F401
from tests.console.helpers import submitted_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_overturns_a_refusal(page, server, screenshot, personas, staff, item):  # noqa: F811
    case = submitted_case(personas["citizen"])
    refusal = services.case_refuse(actor=personas["clerk"], case=case, reasons="申请事项不属于本机关职权范围",
                                   legal_basis="《中华人民共和国行政许可法》第三十二条")
    sign_in(page, server, "reviewer")
    assert page.goto(f"{server}/console/supervisor/").status == 403  # a reviewer is refused

    sign_in(page, server, "supervisor")
    assert page.url.endswith("/console/supervisor/")
    screenshot(page, "supervisor")
    assert axe_serious(page) == []
    row = page.locator(f'tr[data-refusal="{refusal.pk}"]')
    row.get_by_role("button", name="撤销不予受理").click()
    assert page.get_by_test_id("error-overturn").inner_text() == "撤销理由必须填写"
    refusal.refresh_from_db()
    assert refusal.overturned_at is None
    screenshot(page, "overturn-reason-required")
    page.locator(f'tr[data-refusal="{refusal.pk}"]').get_by_label("撤销理由").fill("该事项属于本机关职权，应予受理")
    page.locator(f'tr[data-refusal="{refusal.pk}"]').get_by_role("button", name="撤销不予受理").click()
    page.get_by_test_id("done").wait_for()
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert "已撤销" in page.locator(f'tr[data-refusal="{refusal.pk}"]').inner_text()
    screenshot(page, "overturned")
    assert page.js_errors == []
