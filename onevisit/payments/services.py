"""Writes for payments. Every change appends a history event; a callback delivered twice changes nothing."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from onevisit.errors import DomainError
from onevisit.history.services import record_change
from onevisit.payments.models import Payment, PaymentStatus
from onevisit.payments.providers import provider


def payment_create(*, actor, purpose_key: str, amount: Decimal, subject: str, item_code: str = "") -> Payment:
    """The payment for one purpose (an application); asking again returns the same row."""
    if amount <= 0:
        raise DomainError("缴费金额必须大于零", code="invalid_amount")
    existing = Payment.objects.filter(user=actor, purpose_key=purpose_key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                user=actor, purpose_key=purpose_key, amount=amount, subject=subject, item_code=item_code,
                provider=provider().name,
            )
            record_change(obj=payment, actor=actor, action="payment.created",
                          data={"amount": str(amount), "provider": payment.provider, "item_code": item_code})
    except IntegrityError:
        return Payment.objects.get(user=actor, purpose_key=purpose_key)
    return payment


def payment_start_url(payment: Payment) -> str:
    return provider().start(payment)


@transaction.atomic
def payment_callback(*, data: dict) -> Payment:
    """The provider reports the outcome. Verified by the provider; applied once (a repeat changes nothing)."""
    try:
        cb = provider().parse_callback(data)
    except ValueError as exc:
        raise PermissionDenied(str(exc)) from exc
    payment = Payment.objects.select_for_update().filter(reference=cb.reference).first()
    if payment is None:
        raise Http404("支付单不存在")
    if payment.status == PaymentStatus.PAID:
        return payment
    if Decimal(cb.amount) != payment.amount:
        raise DomainError(f"回调金额 {cb.amount} 与应缴金额 {payment.amount} 不一致", code="amount_mismatch")
    payment.status = PaymentStatus.PAID if cb.paid else PaymentStatus.FAILED
    payment.provider_ref = cb.provider_ref
    payment.paid_at = timezone.now() if cb.paid else None
    payment.save(update_fields=["status", "provider_ref", "paid_at"])
    record_change(obj=payment, actor=None, action=f"payment.{payment.status}",
                  data={"provider_ref": cb.provider_ref, "amount": cb.amount})
    return payment


@transaction.atomic
def payment_link_case(*, actor, payment: Payment, case) -> Payment:
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.case_id == case.pk:
        return payment
    if payment.case_id is not None:
        raise DomainError("该笔缴费已关联其他办件", code="payment_linked")
    payment.case = case
    payment.save(update_fields=["case"])
    record_change(obj=payment, actor=actor, action="payment.linked", data={"case": case.number})
    return payment


def payment_status(*, user, reference: str) -> Payment:
    payment = Payment.objects.filter(reference=reference, user=user).first()
    if payment is None:
        raise Http404("支付单不存在")
    return payment
