"""The portal in a real browser: demo sign-in, elder mode on a phone, and axe-core checks."""

import re

import pytest

from onevisit.notifications.models import Notification
from onevisit.validators import make_id_number
from tests.browser.conftest import run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ID = make_id_number("33010219880808123")


def _code_for(recipient: str) -> str:
    n = Notification.objects.filter(template="signin_code", recipient=recipient).order_by("-pk").first()
    assert n is not None, "no sign-in code was sent"
    return re.search(r"验证码是 (\d{6})", n.body).group(1)


def _sign_in(page, server, *, name="陈九", phone="13612345678"):
    page.goto(f"{server}/signin/")
    page.get_by_label("身份证号").fill(ID)
    page.get_by_label("姓名").fill(name)
    page.get_by_label("手机号（选填）").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    page.wait_for_url(f"{server}/signin/code/")
    page.get_by_label("短信验证码").fill(_code_for(phone))
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{server}/")


def test_demo_sign_in_shows_the_name_in_the_header(page, server, screenshot):
    page.goto(f"{server}/signin/")
    page.get_by_label("身份证号").fill(ID[:-1] + ("0" if ID[-1] != "0" else "1"))
    page.get_by_label("姓名").fill("陈九")
    page.get_by_role("button", name="获取验证码").click()
    error = page.get_by_test_id("error-id_number")
    assert error.inner_text() == "身份证号校验位不正确"
    assert page.get_by_label("身份证号").get_attribute("aria-invalid") == "true"
    screenshot(page, "invalid-id")

    _sign_in(page, server)
    assert page.get_by_test_id("user-name").inner_text() == "陈九"
    screenshot(page, "signed-in")
    assert page.js_errors == []


def test_acting_for_a_company_is_shown_in_the_header(page, server, screenshot):
    from onevisit.validators import make_credit_code

    _sign_in(page, server)
    page.get_by_role("link", name="代表单位办事").click()
    code = make_credit_code("91331100MA2A00009")
    page.get_by_label("统一社会信用代码").fill(code)
    page.get_by_label("单位名称").fill("丽水某某科技有限公司")
    page.get_by_role("button", name="确定").click()
    assert page.get_by_test_id("acting-for").inner_text() == f"代表 丽水某某科技有限公司（{code}）"
    screenshot(page, "acting-for")


def test_elder_mode_at_360px_persists_across_pages(page, server, screenshot):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{server}/")
    normal_size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")
    page.get_by_test_id("elder-toggle").click()
    page.wait_for_load_state()
    toggle = page.get_by_test_id("elder-toggle")
    assert toggle.get_attribute("aria-pressed") == "true"
    elder_size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")
    assert elder_size >= normal_size * 1.3
    screenshot(page, "home-elder-360")

    for path in ("/signin/", "/search/?q=%E5%85%AC%E4%BA%A4"):
        page.goto(f"{server}{path}")
        assert page.get_by_test_id("elder-toggle").get_attribute("aria-pressed") == "true"
        assert "elder" in page.evaluate("document.body.className")
        # Readable on a 360 px phone: nothing forces sideways scrolling.
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "search-elder-360")

    page.get_by_test_id("elder-toggle").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("elder-toggle").get_attribute("aria-pressed") == "false"
    assert "elder" not in page.evaluate("document.body.className")


def _guide_url() -> str | None:
    """A published item's guide page, when the catalog app provides one (built on another branch)."""
    from django.urls import NoReverseMatch, reverse

    for name in ("catalog:guide", "catalog:item_guide", "portal:guide"):
        try:
            return reverse(name, kwargs={"code": "0"})
        except NoReverseMatch:
            continue
    return None


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_main_pages_have_no_serious_accessibility_violations(page, server, screenshot, elder):
    if elder:
        page.context.add_cookies([{"name": "ov_elder", "value": "1", "url": server}])
    pages = {"home": "/", "signin": "/signin/", "search": "/search/?q=%E4%BA%8C%E6%89%8B%E6%88%BF"}
    guide = _guide_url()
    if guide:
        pages["guide"] = guide
    found = {}
    for label, path in pages.items():
        page.goto(f"{server}{path}")
        violations = run_axe(page)
        if violations:
            found[label] = violations
            screenshot(page, f"axe-{label}")
    assert found == {}
    # The sign-in form's error state too.
    page.goto(f"{server}/signin/")
    page.get_by_role("button", name="获取验证码").click()
    assert run_axe(page) == []
    screenshot(page, "signin-errors")
