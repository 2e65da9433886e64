"""Delivery backends. A channel backend takes a stored Notification and delivers it or raises.

email: Django's mail framework (EMAIL_* settings from the environment).
sms:   an SmsGateway chosen by ONEVISIT_SMS_GATEWAY; the embedded default only logs, the row is the record.
A real SMS provider plugs in as a subclass of SmsGateway named in that setting.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

from onevisit.notifications.models import Channel, Notification

logger = logging.getLogger("onevisit.notifications")


class DeliveryError(Exception):
    """The backend could not deliver; the notification stays stored as failed and can be retried."""


class SmsGateway:
    """Interface of an SMS provider."""

    def send(self, *, phone: str, text: str) -> None:
        raise NotImplementedError


class LoggingSmsGateway(SmsGateway):
    """Embedded default: nothing leaves the machine; the message is logged and kept in the Notification row."""

    def send(self, *, phone: str, text: str) -> None:
        logger.info("短信（仅记录，未外发）→ %s：%s", phone, text)


def sms_gateway() -> SmsGateway:
    path = getattr(settings, "ONEVISIT_SMS_GATEWAY", "onevisit.notifications.backends.LoggingSmsGateway")
    return import_string(path)()


def deliver_email(notification: Notification) -> None:
    message = EmailMessage(
        subject=notification.subject,
        body=notification.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient],
    )
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # SMTP, socket and TLS errors all mean "not delivered"
        raise DeliveryError(f"邮件发送失败：{exc}") from exc


def deliver_sms(notification: Notification) -> None:
    text = f"【{notification.subject}】{notification.body}" if notification.subject else notification.body
    try:
        sms_gateway().send(phone=notification.recipient, text=text)
    except DeliveryError:
        raise
    except Exception as exc:
        raise DeliveryError(f"短信发送失败：{exc}") from exc


BACKENDS = {Channel.EMAIL: deliver_email, Channel.SMS: deliver_sms}
