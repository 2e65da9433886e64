"""In-process profile of the case API's hot paths (worklist page, accept, submit) with cProfile and the
queries each request issues. Run against a kept benchmark database:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onevisit_bench .venv/bin/python bench/profile_inprocess.py \
        [worklist|accept|submit ...] [--top 25]

Prints per endpoint: ms per request, queries per request (with the SQL of one request) and the top
functions by cumulative time. Writes cases (submits and accepts some) into that database."""

import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onevisit.settings")
os.environ.setdefault("ONEVISIT_WORKDAYS_UNKNOWN_YEAR_POLICY", "weekdays")
django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.prepare import MATERIAL_BYTES, form_for, pdf_of, pick_item  # noqa: E402
from onevisit.accounts.models import ApiToken, User  # noqa: E402
from onevisit.cases.models import HANDLING, Case  # noqa: E402
from onevisit.orgs.models import Role, StaffRole  # noqa: E402

N = int(os.environ.get("PROFILE_REQUESTS", "200"))


def report(name: str, calls, top: int) -> None:
    calls()  # warm
    with CaptureQueriesContext(connection) as ctx:
        calls()
    queries = list(ctx.captured_queries)
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    for _ in range(N):
        calls()
    prof.disable()
    ms = (time.perf_counter() - t0) / N * 1000
    print(f"\n=== {name}: {ms:.2f} ms/request (with cProfile on), {len(queries)} queries/request")
    for q in queries:
        print(f"  [{q['time']}] {q['sql'][:220]}")
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(top)
    print("\n".join(out.getvalue().splitlines()[:top + 12]))


def main(argv: list[str]) -> None:
    top = 30
    if "--top" in argv:
        top = int(argv[argv.index("--top") + 1])
    parts = [a for a in argv if a in ("worklist", "accept", "submit")] or ["worklist", "accept", "submit"]
    item = pick_item()
    busiest = (Case.objects.filter(status__in=HANDLING).values("department_id").annotate(n=Count("id"))
               .order_by("-n").first())
    reviewer = StaffRole.objects.filter(role=Role.REVIEWER, department_id=busiest["department_id"]).first().user
    intake = StaffRole.objects.filter(role=Role.REVIEWER, department_id=item.department_id).first().user
    citizen = User.objects.get(username="citizen_li")
    tokens = {u.pk: ApiToken.issue(user=u, name="profile")[1] for u in (reviewer, intake, citizen)}
    client = Client()

    def get(user, path):
        r = client.get(path, HTTP_AUTHORIZATION=f"Bearer {tokens[user.pk]}")
        assert r.status_code == 200, r.content[:500]
        return r

    def post(user, path, **kw):
        r = client.post(path, HTTP_AUTHORIZATION=f"Bearer {tokens[user.pk]}", **kw)
        assert r.status_code in (200, 201), r.content[:500]
        return r

    if "worklist" in parts:
        report("GET /worklists/reviewer?limit=20", lambda: get(reviewer, "/api/v1/worklists/reviewer?limit=20"), top)

    from django.core.files.uploadedfile import SimpleUploadedFile

    form = form_for(item, citizen)
    keys = [m.key for m in item.materials.all()]
    payload = {"item_code": item.implementation_code, "channel": "online",
               "applicant": {"kind": "person", "name": citizen.real_name, "id_number": citizen.id_number,
                             "phone": "13857061234"}, "form": form, "materials": {}}
    files = {k: pdf_of(MATERIAL_BYTES, k) for k in keys}
    import json
    import uuid
    submitted: list[int] = []

    def submit():
        data = {"payload": json.dumps(payload, ensure_ascii=False)}
        data.update({k: SimpleUploadedFile(f"{k}.pdf", v, content_type="application/pdf") for k, v in files.items()})
        r = post(citizen, "/api/v1/cases/multipart", data=data, HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
        submitted.append(r.json()["id"])

    if "submit" in parts or "accept" in parts:
        report("POST /cases/multipart", submit, top)
    if "accept" in parts:
        def accept():
            post(intake, f"/api/v1/cases/{submitted.pop()}/accept", data="{}", content_type="application/json")
        report("POST /cases/{id}/accept", accept, top)


if __name__ == "__main__":
    main(sys.argv[1:])
