"""Payment providers. A provider starts a payment (returns where to send the payer) and checks a
callback; the platform's services own the stored row. A real provider (e.g. a 非税收入 统一支付平台)
is a subclass named in settings.ONEVISIT_PAYMENT_PROVIDER."""

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Callback:
    reference: str
    paid: bool
    provider_ref: str
    amount: str


class PaymentProvider:
    name = "abstract"

    def start(self, payment) -> str:
        """Register the payment with the provider; return the URL the payer goes to."""
        raise NotImplementedError

    def parse_callback(self, data: dict) -> Callback:
        """Verify a callback's authenticity and return its facts; raise ValueError if it is not genuine."""
        raise NotImplementedError


def _sign(*parts: str) -> str:
    message = "|".join(parts).encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


class SandboxProvider(PaymentProvider):
    """Built in: the payer confirms on a page of this site; the callback is signed with SECRET_KEY."""

    name = "sandbox"

    def start(self, payment) -> str:
        return reverse("payments:sandbox", kwargs={"reference": payment.reference})

    def callback_for(self, payment, *, paid: bool = True) -> dict:
        outcome = "paid" if paid else "failed"
        provider_ref = f"SBX-{payment.reference[:12]}"
        amount = f"{payment.amount:.2f}"
        return {"reference": payment.reference, "outcome": outcome, "provider_ref": provider_ref, "amount": amount,
                "signature": _sign(payment.reference, outcome, provider_ref, amount)}

    def parse_callback(self, data: dict) -> Callback:
        fields = [str(data.get(k, "")) for k in ("reference", "outcome", "provider_ref", "amount")]
        if not hmac.compare_digest(_sign(*fields), str(data.get("signature", ""))):
            raise ValueError("回调签名无效")
        return Callback(reference=fields[0], paid=fields[1] == "paid", provider_ref=fields[2], amount=fields[3])


def provider() -> PaymentProvider:
    path = getattr(settings, "ONEVISIT_PAYMENT_PROVIDER", "onevisit.payments.providers.SandboxProvider")
    return import_string(path)()
