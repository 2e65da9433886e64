"""Elder-friendly mode: large text and high contrast, remembered in a cookie for a year."""

ELDER_COOKIE = "ov_elder"
ELDER_MAX_AGE = 365 * 24 * 3600


def elder_mode_on(request) -> bool:
    return request.COOKIES.get(ELDER_COOKIE) == "1"
