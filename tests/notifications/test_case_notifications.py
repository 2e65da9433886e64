"""The applicant hears at acceptance, notice, decision and delivery; SMS by default, email when the
case has an address; a replayed transition never sends twice."""

import pytest

from onevisit.cases import services
from onevisit.cases.models import Case
from onevisit.notifications.models import Channel, Notification, NotificationStatus
from tests.cases.conftest import applicant_of, pdf


@pytest.fixture
def submit(personas, item):
    def make(**applicant):
        case, _ = services.case_submit(
            actor=personas["citizen"], item_code=item.implementation_code,
            applicant=applicant_of(personas["citizen"], **applicant), channel="online",
            form={"company_name": "丽水小馆", "capital": 10, "scope": "餐饮"},
            materials={"id-card": "shared_data", "safety-pledge": "commitment"},
        )
        return case
    return make


def _through_delivery(personas, staff, case, capture):
    clerk = personas["clerk"]
    with capture(execute=True):
        services.case_issue_notice(actor=clerk, case=case)
    services.case_material_upload(actor=personas["citizen"], case=case, key="application", upload=pdf())
    services.case_material_upload(actor=personas["citizen"], case=case, key="lease", upload=pdf())
    with capture(execute=True):
        services.case_supplement(actor=personas["citizen"], case=case)
    with capture(execute=True):
        services.case_accept(actor=clerk, case=case)
    services.case_complete_step(actor=personas["reviewer"], case=case, step_key="review")
    with capture(execute=True):
        services.case_approve(actor=staff["approver"], case=Case.objects.get(pk=case.pk))
    services.case_issue_result(actor=personas["reviewer"], case=case)
    with capture(execute=True):
        services.case_deliver(actor=clerk, case=case, method="electronic")


def test_sms_at_notice_acceptance_decision_and_delivery(personas, staff, submit,
                                                        django_capture_on_commit_callbacks):
    case = submit()
    _through_delivery(personas, staff, case, django_capture_on_commit_callbacks)
    rows = list(Notification.objects.filter(object_type="cases.case", object_id=str(case.pk)).order_by("pk"))
    assert [r.template for r in rows] == ["case_notice", "case_accept", "case_approve", "case_deliver"]
    assert {r.channel for r in rows} == {Channel.SMS} and {r.recipient for r in rows} == {"13800000000"}
    assert all(r.status == NotificationStatus.SENT for r in rows)
    assert f"/s/{case.number}/" in rows[1].body and "已受理" in rows[1].body
    assert "必要材料“申请书”未提供" in rows[0].body
    assert rows[0].dedupe_key == f"case:{case.pk}:notice:1"
    # The listener hearing the same acceptance again (a replayed transition) sends nothing more.
    from onevisit.cases import hooks
    from onevisit.notifications.case_events import on_case_moved

    again = hooks.Moved(case=Case.objects.get(pk=case.pk), verb="accept", before="submitted", after="accepted",
                        actor=personas["clerk"], at=case.submitted_at, data={}, seq=99)
    with django_capture_on_commit_callbacks(execute=True):
        on_case_moved(again)
    assert Notification.objects.filter(object_id=str(case.pk)).count() == 4


def test_email_too_when_the_case_has_an_address(personas, submit, smtp_server,
                                                django_capture_on_commit_callbacks):
    case = submit(email="zhangsan@example.cn")
    with django_capture_on_commit_callbacks(execute=True):
        services.case_issue_notice(actor=personas["clerk"], case=case)
    assert Notification.objects.filter(channel=Channel.EMAIL, status=NotificationStatus.SENT).count() == 1
    assert len(smtp_server.messages) == 1
    rcpt, msg = smtp_server.messages[0]
    assert rcpt == ["zhangsan@example.cn"] and msg["Subject"].strip().startswith("一次性告知")
    assert case.number in msg.get_content()


def test_denial_is_notified_and_other_verbs_are_not(personas, staff, submit, django_capture_on_commit_callbacks):
    case = submit()
    services.case_material_upload(actor=personas["citizen"], case=case, key="application", upload=pdf())
    services.case_material_upload(actor=personas["citizen"], case=case, key="lease", upload=pdf())
    with django_capture_on_commit_callbacks(execute=True):
        services.case_accept(actor=personas["clerk"], case=case)
        services.case_complete_step(actor=personas["reviewer"], case=case, step_key="review")
        services.case_deny(actor=staff["approver"], case=Case.objects.get(pk=case.pk), reasons="不符合条件",
                           legal_basis="《行政许可法》第三十八条")
        services.case_issue_result(actor=personas["reviewer"], case=case)
    assert list(Notification.objects.order_by("pk").values_list("template", flat=True)) == ["case_accept", "case_deny"]
