"""The sandbox provider's confirmation page and the provider callback endpoint."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from onevisit.payments.models import PaymentStatus
from onevisit.payments.providers import SandboxProvider, provider
from onevisit.payments.services import payment_callback, payment_status


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/my/cases/"
    return target if url_has_allowed_host_and_scheme(target, {request.get_host()}) else "/my/cases/"


@login_required(login_url="portal:signin")
def sandbox(request: HttpRequest, reference: str) -> HttpResponse:
    payment = payment_status(user=request.user, reference=reference)
    sandbox_provider = provider()
    if not isinstance(sandbox_provider, SandboxProvider):
        raise PermissionDenied("沙箱支付未启用")
    if request.method == "POST" and payment.status != PaymentStatus.PAID:
        paid = request.POST.get("outcome") != "cancel"
        payment_callback(data=sandbox_provider.callback_for(payment, paid=paid))
        return redirect(_next(request))
    return render(request, "payments/sandbox.html", {"payment": payment, "next": _next(request)})


@csrf_exempt
@require_POST
def callback(request: HttpRequest) -> HttpResponse:
    """Server-to-server notification from the provider (form-encoded); answers 200 once applied."""
    payment = payment_callback(data=request.POST.dict())
    return JsonResponse({"reference": payment.reference, "status": payment.status})
