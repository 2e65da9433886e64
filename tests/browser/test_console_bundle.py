"""A bundle applied online, accepted by the lead department, then decided by three departments in the
console, stage by stage (the reviewer approves with reasons); the parent completes and is delivered."""

import pytest

from onevisit.accounts.models import User
from onevisit.cases import services
from onevisit.cases.models import Case, CaseStatus
from onevisit.orgs.models import Role, StaffRole
from tests.browser.console_helpers import axe_serious, sign_in
from tests.cases.conftest import _media, applicant_of, bundle, staff  # noqa: F401
from tests.console.helpers import scan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _officer(username, department):
    user = User.objects.create_user(username=username, password="pass-1234", real_name=username)
    StaffRole.objects.create(user=user, role=Role.REVIEWER, department=department)
    StaffRole.objects.create(user=user, role=Role.APPROVER, department=department)
    return user


def _decide_child(page, server, screenshot, username, child, *, check_axe=False):
    sign_in(page, server, username)
    assert page.url.endswith("/console/worklist/")
    if check_axe:
        screenshot(page, f"worklist-{username}")
        assert axe_serious(page) == []
    page.get_by_role("link", name=child.number).click()
    page.get_by_role("button", name="完成“审查”").click()
    page.wait_for_url("**done=complete_step")
    page.get_by_label("准予许可的理由").fill("材料齐全，符合法定条件，准予许可")
    if check_axe:
        screenshot(page, f"case-{username}")
        assert axe_serious(page) == []
    page.get_by_role("button", name="准予许可").click()
    page.wait_for_url("**done=approve")
    page.get_by_role("button", name="出具结果").click()
    page.wait_for_url("**done=issue_result")
    assert page.get_by_test_id("case-status").inner_text() == "已出证"
    screenshot(page, f"decided-{username}")


def test_bundle_decided_by_three_departments(page, server, screenshot, personas, departments, bundle):  # noqa: F811
    citizen = personas["citizen"]
    parent, _ = services.case_submit(
        actor=citizen, bundle_code=bundle.code, applicant=applicant_of(citizen), channel="online",
        form={"company_name": "丽水小馆", "capital": "10", "tax_type": "小规模纳税人"},
        materials={"id-card": "shared_data"})
    for key in ("application", "lease", "floor-plan"):
        services.case_material_upload(actor=citizen, case=parent, key=key, upload=scan())
    for name in ("market", "tax", "realestate"):
        _officer(f"{name}_officer", departments[name])
    children = {c.department_id: c for c in Case.objects.filter(parent=parent)}

    # The lead department accepts the online application (网上预审 → 受理).
    sign_in(page, server, "market_officer")
    page.get_by_role("link", name=parent.number).click()
    page.get_by_role("button", name="受理并打印受理通知书").click()
    page.get_by_test_id("done").wait_for()
    parent.refresh_from_db()
    assert parent.status == CaseStatus.ACCEPTED
    re_child = children[departments["realestate"].pk]
    re_child.refresh_from_db()
    assert re_child.status == CaseStatus.WAITING

    _decide_child(page, server, screenshot, "market_officer", children[departments["market"].pk], check_axe=True)
    _decide_child(page, server, screenshot, "tax_officer", children[departments["tax"].pk])
    re_child.refresh_from_db()
    assert re_child.status == CaseStatus.ACCEPTED  # stage 2 starts when stage 1 is all approved
    _decide_child(page, server, screenshot, "realestate_officer", re_child)
    parent.refresh_from_db()
    assert parent.status == CaseStatus.RESULT_ISSUED

    # The lead department delivers the results together, electronically.
    sign_in(page, server, "market_officer")
    page.get_by_role("link", name=parent.number).click()
    page.get_by_label("电子送达").check()
    page.get_by_role("button", name="送达").click()
    page.get_by_test_id("done").wait_for()
    parent.refresh_from_db()
    assert parent.status == CaseStatus.DELIVERED
    assert set(Case.objects.filter(parent=parent).values_list("status", flat=True)) == {CaseStatus.DELIVERED}
    screenshot(page, "bundle-delivered")
    assert page.js_errors == []

