"""Portal pages for signing in, acting for a company and the elder-friendly mode. Thin adapters over
onevisit.portal.signin; every error is shown next to its field in Chinese."""

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from onevisit.errors import DomainError
from onevisit.portal.a11y import ELDER_COOKIE, ELDER_MAX_AGE
from onevisit.portal.context import ACTING_FOR_KEY
from onevisit.portal.forms import ActingForForm, CodeForm, SignInForm
from onevisit.portal.signin import signin_code_issue, signin_code_verify

PENDING_KEY = "portal.signin_pending"


def _safe_next(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _oidc_enabled() -> bool:
    return bool(getattr(settings, "ONEVISIT_OIDC_ISSUER", ""))


def home(request: HttpRequest) -> HttpResponse:
    from onevisit.catalog import selectors as catalog

    # Bundles first (one thing in the citizen's eyes), then items that need no trip at all.
    bundles = list(catalog.published_bundles(q="", department="")[:8])
    items = list(catalog.published_items(q="", department="").filter(promised_visits=0)[:12])
    return render(request, "portal/home.html", {"bundles": bundles, "items": items})


def signin(request: HttpRequest) -> HttpResponse:
    demo = getattr(settings, "ONEVISIT_DEMO_SIGNIN", True)
    form = SignInForm(request.POST or None)
    if request.method == "POST" and demo and form.is_valid():
        data = form.cleaned_data
        try:
            issued = signin_code_issue(
                id_number=data["id_number"], name=data["name"], phone=data["phone"],
                ip=request.META.get("REMOTE_ADDR"),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            request.session[PENDING_KEY] = {
                "id_number": data["id_number"], "phone": data["phone"], "recipient": _mask(issued.recipient),
                "next": _safe_next(request),
            }
            return redirect("portal:signin_code")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "portal/signin.html",
        {"form": form, "demo": demo, "oidc": _oidc_enabled(), "next": _safe_next(request, "")}, status=status,
    )


def _mask(recipient: str) -> str:
    return recipient[:3] + "*" * max(0, len(recipient) - 7) + recipient[-4:] if len(recipient) > 7 else recipient


def signin_code(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return redirect("portal:signin")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = signin_code_verify(
                id_number=pending["id_number"], code=form.cleaned_data["code"], phone=pending.get("phone", ""),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            request.session.pop(PENDING_KEY, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(pending.get("next") or "/")
    status = 400 if request.method == "POST" else 200
    return render(request, "portal/signin_code.html", {"form": form, "pending": pending}, status=status)


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("portal:home")


@login_required(login_url="portal:signin")
def acting_for(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and request.POST.get("action") == "stop":
        request.session.pop(ACTING_FOR_KEY, None)
        return redirect(_safe_next(request))
    form = ActingForForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Whether this person may represent the company is verified later against the data hub.
        request.session[ACTING_FOR_KEY] = {
            "credit_code": form.cleaned_data["credit_code"], "name": form.cleaned_data["company_name"],
        }
        return redirect(_safe_next(request))
    status = 400 if request.method == "POST" else 200
    return render(request, "portal/acting_for.html", {"form": form, "next": _safe_next(request, "")}, status=status)


@require_POST
def elder_mode(request: HttpRequest) -> HttpResponse:
    response = redirect(_safe_next(request, reverse("portal:home")))
    if request.POST.get("elder") == "1":
        response.set_cookie(ELDER_COOKIE, "1", max_age=ELDER_MAX_AGE, samesite="Lax", httponly=True)
    else:
        response.delete_cookie(ELDER_COOKIE, samesite="Lax")
    return response


def search_page(request: HttpRequest) -> HttpResponse:
    from onevisit.portal.search import search

    query = (request.GET.get("q") or "").strip()[:100]
    results = search(query) if query else []
    return render(request, "portal/search.html", {"query": query, "results": results})
