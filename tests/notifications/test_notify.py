"""Notifications are stored first and then delivered: email through a real SMTP server, SMS to the log."""

import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command

from onevisit.history.services import events_of
from onevisit.notifications.models import Channel, Notification, NotificationStatus
from onevisit.notifications.services import notifications_retry, notify


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    inbox = _Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    try:
        yield inbox
    finally:
        controller.stop()


def test_email_arrives_with_chinese_subject_and_body(db, smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        n = notify(
            recipient="zhangsan@example.cn", channel=Channel.EMAIL, subject="受理通知：您的申请已受理",
            body="张三您好，您申请的“食品经营许可”已于今日受理，办件编号 OV2026000001。", template="case_accepted",
        )
    assert len(smtp_server.messages) == 1
    rcpt, msg = smtp_server.messages[0]
    assert rcpt == ["zhangsan@example.cn"]
    assert msg["Subject"] == "受理通知：您的申请已受理"
    assert "食品经营许可" in msg.get_content()
    assert "OV2026000001" in msg.get_content()
    n.refresh_from_db()
    assert n.status == NotificationStatus.SENT and n.sent_at is not None and n.attempts == 1
    assert [e.action for e in events_of(n)] == ["notification.queued", "notification.sent"]


def test_failed_email_is_kept_and_retried_later(db, settings, smtp_server, django_capture_on_commit_callbacks):
    real_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = _free_port()  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        n = notify(recipient="lisi@example.cn", channel="email", subject="补正通知", body="请补交材料。")
    n.refresh_from_db()
    assert n.status == NotificationStatus.FAILED
    assert "邮件发送失败" in n.last_error
    assert smtp_server.messages == []

    settings.EMAIL_PORT = real_port
    assert notifications_retry() == {"sent": 1, "failed": 0}
    n.refresh_from_db()
    assert n.status == NotificationStatus.SENT and n.attempts == 2
    assert len(smtp_server.messages) == 1
    # A sent message is never sent twice by a later retry run.
    call_command("retry_notifications")
    assert len(smtp_server.messages) == 1


def test_sms_default_gateway_logs_and_stores(db, caplog, django_capture_on_commit_callbacks):
    with caplog.at_level("INFO", logger="onevisit.notifications"):
        with django_capture_on_commit_callbacks(execute=True):
            n = notify(recipient="13800000000", channel=Channel.SMS, subject="OneVisit", body="您的验证码是 123456")
    n.refresh_from_db()
    assert n.status == NotificationStatus.SENT
    assert "13800000000" in caplog.text and "123456" in caplog.text


def test_nothing_is_sent_when_the_caller_rolls_back(db, smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(recipient="a@example.cn", channel="email", subject="受理", body="已受理")
    # The caller's transaction never committed: its callbacks are dropped, nothing goes out.
    assert len(callbacks) == 1
    assert smtp_server.messages == []


def test_same_dedupe_key_sends_once(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(recipient="13800000001", channel="sms", subject="", body="已受理", dedupe_key="case:1:accepted")
        second = notify(recipient="13800000001", channel="sms", subject="", body="已受理", dedupe_key="case:1:accepted")
    assert first.pk == second.pk
    assert Notification.objects.count() == 1


def test_unknown_channel_is_refused(db):
    with pytest.raises(ValueError):
        notify(recipient="x", channel="fax", subject="", body="")
    assert Notification.objects.count() == 0
