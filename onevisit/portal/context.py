"""Template context every portal page needs: elder mode and the company the person acts for."""

from django.utils.functional import SimpleLazyObject

from onevisit.orgs.selectors import roles_of
from onevisit.portal.a11y import elder_mode_on

ACTING_FOR_KEY = "portal.acting_for"


def portal(request) -> dict:
    return {
        "elder_mode": elder_mode_on(request),
        "acting_for": request.session.get(ACTING_FOR_KEY) if hasattr(request, "session") else None,
        # Staff see their console link instead of the citizen's links; evaluated only if a template asks.
        "is_staff_member": SimpleLazyObject(
            lambda: bool(roles_of(getattr(request, "user", None))) or getattr(request.user, "is_superuser", False)
        ),
    }
