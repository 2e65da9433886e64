"""Payments: one row per purpose, callbacks verified and applied once, linked to the case."""

from decimal import Decimal

import pytest

from onevisit.errors import DomainError
from onevisit.history.services import events_of
from onevisit.payments.models import Payment, PaymentStatus
from onevisit.payments.providers import SandboxProvider
from onevisit.payments.services import payment_callback, payment_create


@pytest.fixture
def payment(personas):
    return payment_create(actor=personas["citizen"], purpose_key="wizard-1", amount=Decimal("50.00"),
                          subject="测试收费", item_code="331100-MKT-0001")


def test_same_purpose_returns_the_same_payment(personas, payment):
    again = payment_create(actor=personas["citizen"], purpose_key="wizard-1", amount=Decimal("50.00"), subject="x")
    assert again.pk == payment.pk and Payment.objects.count() == 1


def test_callback_twice_changes_nothing(client, payment):
    data = SandboxProvider().callback_for(payment)
    first = client.post("/payments/callback/", data)
    assert first.status_code == 200 and first.json()["status"] == "paid"
    payment.refresh_from_db()
    paid_at = payment.paid_at
    second = client.post("/payments/callback/", data)
    assert second.status_code == 200
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID and payment.paid_at == paid_at
    assert [e.action for e in events_of(payment)] == ["payment.created", "payment.paid"]


def test_forged_or_wrong_amount_callback_is_refused(client, payment):
    data = SandboxProvider().callback_for(payment)
    data["signature"] = "0" * 64
    assert client.post("/payments/callback/", data).status_code == 403
    forged = SandboxProvider().callback_for(payment)
    forged["amount"] = "0.01"
    assert client.post("/payments/callback/", forged).status_code == 403  # the signature covers the amount
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CREATED


def test_amount_mismatch_is_refused(payment):
    payment.amount = Decimal("60.00")
    with pytest.raises(DomainError):
        payment_callback(data=SandboxProvider().callback_for(payment))
    assert Payment.objects.get().status == PaymentStatus.CREATED


def test_another_user_cannot_open_the_sandbox_page(client, personas, payment):
    client.force_login(personas["other_citizen"])
    assert client.get(f"/payments/sandbox/{payment.reference}/").status_code == 404
    assert client.post(f"/payments/sandbox/{payment.reference}/", {"outcome": "pay"}).status_code == 404
    assert Payment.objects.get().status == PaymentStatus.CREATED


def test_zero_amount_refused(personas):
    with pytest.raises(DomainError):
        payment_create(actor=personas["citizen"], purpose_key="k", amount=Decimal("0"), subject="x")
