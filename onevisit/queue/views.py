"""Hall queue pages: the kiosk and its ticket, the public display (htmx polling), the clerk's caller."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from onevisit.console.access import staff_required
from onevisit.errors import DomainError
from onevisit.orgs.models import Domain, Role
from onevisit.queue import selectors, services
from onevisit.queue.models import LETTERS, Ticket


def kiosk(request):
    error = ""
    if request.method == "POST":
        try:
            ticket = services.ticket_take(domain=request.POST.get("domain", ""))
        except ValidationError as exc:
            error = "；".join(exc.messages)
        else:
            return redirect("queue:ticket", ticket_id=ticket.pk)
    domains = [(value, label, LETTERS[value]) for value, label in Domain.choices]
    return render(request, "queue/kiosk.html", {"domains": domains, "error": error}, status=400 if error else 200)


def ticket(request, ticket_id: int):
    t = get_object_or_404(Ticket, pk=ticket_id)
    ahead = selectors.waiting_count(domain=t.domain, now=t.taken_at, before=t.seq)
    return render(request, "queue/ticket.html", {"ticket": t, "ahead": ahead})


def display(request):
    return render(request, "queue/display.html", {"called": selectors.recently_called()})


def display_list(request):
    return render(request, "queue/_display_list.html", {"called": selectors.recently_called()})


def _console_context(request, message: str = "") -> dict:
    window = services.clerk_window(request.user)
    domains = services.window_domains(window)
    labels = dict(Domain.choices)
    return {
        "window": window, "current": selectors.window_current(window=window), "message": message,
        "waiting": [(labels[d], LETTERS[d], n) for d, n in selectors.waiting_by_domain(domains=domains).items()],
    }


@staff_required(Role.WINDOW_CLERK)
def console_queue(request):
    return render(request, "queue/console.html", _console_context(request))


@staff_required(Role.WINDOW_CLERK)
@require_POST
def console_queue_act(request, verb: str):
    try:
        if verb == "next":
            called = services.ticket_call_next(actor=request.user)
            if called is None:
                return render(request, "queue/console.html", _console_context(request, "当前没有等候的号码"))
        else:
            t = get_object_or_404(Ticket, pk=request.POST.get("ticket") or 0)
            action = {"recall": services.ticket_recall, "skip": services.ticket_skip, "done": services.ticket_done}.get(verb)
            if action is None:
                raise PermissionDenied("没有此操作")
            action(actor=request.user, ticket=t)
    except DomainError as exc:
        return render(request, "queue/console.html", _console_context(request, exc.message), status=409)
    return redirect(reverse("console:queue"))
