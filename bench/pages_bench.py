"""Median time of the main pages (portal and console) on a database the case benchmark prepared.

Run `BENCH_KEEP_DB=1 make bench` first (1,000,000 cases in the database onevisit_bench), then
`.venv/bin/python bench/pages_bench.py` (BENCH_PAGES_DB to point elsewhere, BENCH_PAGES_REQUESTS per page).
It signs in demo users by creating Django sessions directly, starts gunicorn on 127.0.0.1 and fetches each
page sequentially (one request at a time, after two warm-up requests), so the figure is the page's own time,
not queueing. Prints one JSON object per line: {"metric": "page_<name>_p50_ms", "value", "unit"}."""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PY, ROOT, bench_env, emit, log, median, pg_url, server  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_PAGES_REQUESTS", "40"))

_SETUP = r"""
import django, json, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onevisit.settings")
django.setup()
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from onevisit.accounts.models import User
from onevisit.cases.models import Case
from onevisit.catalog.models import ServiceItem

def session(username):
    user = User.objects.get(username=username)
    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    return s.session_key

citizen = User.objects.get(username="citizen_li")
own = Case.objects.filter(applicant_id_number=citizen.id_number).order_by("-id").first()
reviewer_case = Case.objects.filter(department__credit_code=User.objects.get(username="reviewer_market")
    .staff_roles.first().department.credit_code).order_by("-id").first()
item = ServiceItem.objects.filter(status="published").order_by("implementation_code").first()
print(json.dumps({
    "citizen": session("citizen_li"), "reviewer": session("reviewer_market"), "clerk": session("clerk_any"),
    "supervisor": session("supervisor"), "cookie": settings.SESSION_COOKIE_NAME,
    "citizen_id": citizen.id_number, "own_case": own.pk if own else None,
    "reviewer_case": reviewer_case.pk if reviewer_case else None, "item": item.implementation_code,
}))
"""


def fetch(url: str, cookie: str | None) -> float:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: {response.status}")
    return (time.perf_counter() - started) * 1000


def main() -> None:
    import json

    db_url = os.environ.get("BENCH_PAGES_DB", pg_url(os.environ.get("BENCH_DB", "onevisit_bench")))
    env = bench_env(db_url, DB_CONN_MAX_AGE="600", ONEVISIT_WORKDAYS_UNKNOWN_YEAR_POLICY="weekdays")
    setup = json.loads(subprocess.run([PY, "-c", _SETUP], cwd=ROOT, env=env, check=True, capture_output=True,
                                      text=True).stdout.strip().splitlines()[-1])
    cases = subprocess.run([PY, "-c", "import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE',"
                            "'onevisit.settings');django.setup();from onevisit.cases.models import Case;"
                            "print(Case.objects.count())"], cwd=ROOT, env=env, check=True, capture_output=True,
                           text=True).stdout.strip().splitlines()[-1]
    emit("pages_cases_in_database", int(cases), "cases")
    c = setup["cookie"]
    pages = [
        ("home", "/", None),
        ("guide_index", "/guide/", None),
        ("item_guide", f"/guide/items/{setup['item']}/", None),
        ("search", "/search/?q=%E4%BA%8C%E6%89%8B%E6%88%BF%E8%BF%87%E6%88%B7", None),
        ("my_cases", "/my/cases/", f"{c}={setup['citizen']}"),
        ("reviewer_worklist", "/console/worklist/", f"{c}={setup['reviewer']}"),
        ("window_lookup", f"/console/window/?id_number={setup['citizen_id']}", f"{c}={setup['clerk']}"),
        ("supervisor", "/console/supervisor/", f"{c}={setup['supervisor']}"),
    ]
    if setup["own_case"]:
        pages.append(("my_case_detail", f"/my/cases/{setup['own_case']}/", f"{c}={setup['citizen']}"))
    if setup["reviewer_case"]:
        pages.append(("console_case", f"/console/cases/{setup['reviewer_case']}/", f"{c}={setup['reviewer']}"))
    with server(env, workers=3) as base:
        for name, path, cookie in pages:
            for _ in range(2):
                fetch(base + path, cookie)
            times = sorted(fetch(base + path, cookie) for _ in range(REQUESTS))
            emit(f"page_{name}_p50_ms", median(times), "ms", p90_ms=round(times[int(len(times) * 0.9) - 1], 1),
                 requests=REQUESTS, path=path.split("?")[0])
            log(f"{name}: p50 {median(times):.1f} ms")


if __name__ == "__main__":
    main()
