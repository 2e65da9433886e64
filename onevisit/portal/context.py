"""Template context every portal page needs: elder mode and the company the person acts for."""

from onevisit.portal.a11y import elder_mode_on

ACTING_FOR_KEY = "portal.acting_for"


def portal(request) -> dict:
    return {
        "elder_mode": elder_mode_on(request),
        "acting_for": request.session.get(ACTING_FOR_KEY) if hasattr(request, "session") else None,
    }
