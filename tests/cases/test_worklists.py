"""Worklists: clerks see their window's intake, reviewers their department's current work, supervisors
warnings, broken visit promises, overdue 容缺 and refusals; keyset pages; every list from the denied side."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from onevisit.cases import worklists
from onevisit.cases.models import Case
from onevisit.cases.services import (
    case_accept,
    case_issue_notice,
    case_material_upload,
    case_submit,
    case_supplement,
)

from .conftest import PDF, at, make_item, online_payload


def submit(user, when, item_code="331100-MKT-0001", channel="online", actor=None, **materials):
    p = online_payload(user, item_code=item_code, channel=channel,
                       materials=materials or {"id-card": "shared_data", "safety-pledge": "commitment"})
    case, _ = case_submit(actor=actor or user, item_code=item_code, applicant=p["applicant"], channel=channel,
                          form=p["form"], materials=p["materials"], now=when)
    return case


def accept(personas, case, when, keys=("application", "lease"), gaps=False):
    for key in keys:
        case_material_upload(actor=personas["citizen"], case=case, key=key, upload=SimpleUploadedFile("x.pdf", PDF),
                             now=when)
    return case_accept(actor=personas["clerk"], case=case, gaps=gaps, now=when)


@pytest.fixture
def world(personas, departments, region_tree, item):
    make_item(personas["catalog_admin"], departments, region_tree, "331100-RE-0009", dept="realestate",
              domain="real_estate")
    citizen = personas["citizen"]
    w = {
        "pending": [submit(citizen, at(2026, 3, d)) for d in (2, 3, 4)],
        "re_pending": submit(citizen, at(2026, 3, 2), item_code="331100-RE-0009"),
        # Accepted Mon 2 Mar: yellow after 4 working days (end of Fri 6 Mar), due at the end of Mon 9 Mar.
        # Accepted Mon 9 Mar: yellow after the end of Fri 13 Mar, due at the end of Mon 16 Mar.
        "early": accept(personas, submit(citizen, at(2026, 3, 2)), at(2026, 3, 2)),
        "late": accept(personas, submit(citizen, at(2026, 3, 9)), at(2026, 3, 9)),
        "gaps": accept(personas, submit(citizen, at(2026, 3, 9)), at(2026, 3, 9), keys=("application",), gaps=True),
    }
    # A window case needing a second visit (supplement at the window): more visits than promised.
    window_case = submit(citizen, at(2026, 3, 3), channel="window", actor=personas["clerk"])
    case_issue_notice(actor=personas["clerk"], case=window_case, now=at(2026, 3, 3))
    case_supplement(actor=personas["clerk"], case=window_case, at_window=True, now=at(2026, 3, 4))
    w["broken"] = Case.objects.get(pk=window_case.pk)
    return w


def ids(page):
    return [c.pk for c in page.rows]


def test_clerk_sees_the_intake_of_their_window_oldest_first_in_pages(personas, world):
    clerk = personas["clerk"]
    expected = [c.pk for c in sorted([*world["pending"], world["broken"]], key=lambda c: (c.submitted_at, c.pk))]
    first = worklists.clerk_worklist(user=clerk, limit=2)
    assert len(first.rows) == 2 and first.next_cursor
    rest = worklists.clerk_worklist(user=clerk, limit=10, cursor=first.next_cursor)
    assert ids(first) + ids(rest) == expected and rest.next_cursor is None
    assert world["re_pending"].pk not in ids(first) + ids(rest)  # another domain's window


def test_reviewer_sees_their_department_by_urgency_with_colours(personas, world):
    reviewer = personas["reviewer"]
    page = worklists.reviewer_worklist(user=reviewer, now=at(2026, 3, 5, 12))
    assert ids(page)[0] == world["early"].pk
    assert set(ids(page)) == {world["early"].pk, world["late"].pk, world["gaps"].pk}
    f = worklists.Filters
    assert ids(worklists.reviewer_worklist(user=reviewer, filters=f(colour="yellow"), now=at(2026, 3, 9, 12))) == [
        world["early"].pk]
    assert ids(worklists.reviewer_worklist(user=reviewer, filters=f(colour="red"), now=at(2026, 3, 10, 12))) == [
        world["early"].pk]
    assert ids(worklists.reviewer_worklist(user=reviewer, filters=f(applicant="110101199001011237"))) == []
    by_applicant = worklists.reviewer_worklist(user=reviewer, filters=f(applicant=personas["citizen"].id_number))
    assert len(by_applicant.rows) == 3
    assert worklists.reviewer_worklist(user=personas["other_reviewer"]).rows == []


def test_supervisor_lists(personas, world):
    supervisor = personas["supervisor"]
    warnings = worklists.supervisor_warnings(user=supervisor, now=at(2026, 3, 16, 12))
    # early is red (due 9 Mar), late and gaps are yellow (warn 13 Mar, due 16 Mar).
    assert ids(warnings)[0] == world["early"].pk and len(warnings.rows) == 3
    red = worklists.supervisor_warnings(user=supervisor, filters=worklists.Filters(colour="red"),
                                        now=at(2026, 3, 16, 12))
    assert ids(red) == [world["early"].pk]
    assert ids(worklists.supervisor_broken_promises(user=supervisor)) == [world["broken"].pk]
    assert ids(worklists.supervisor_overdue_gaps(user=supervisor, now=at(2026, 3, 20))) == [world["gaps"].pk]
    assert ids(worklists.supervisor_overdue_gaps(user=supervisor, now=at(2026, 3, 10))) == []


WORKLISTS = ["/worklists/clerk", "/worklists/reviewer", "/worklists/supervisor/warnings",
             "/worklists/supervisor/broken-promises", "/worklists/supervisor/overdue-gaps",
             "/worklists/supervisor/refusals"]


def test_worklist_api_and_its_denied_side(api, client, personas, world):
    assert client.get("/api/v1/worklists/reviewer").status_code == 401
    for url in WORKLISTS:
        assert api.as_(personas["citizen"]).get(url).status_code == 403, url
    for url in WORKLISTS[2:]:
        assert api.as_(personas["reviewer"]).get(url).status_code == 403, url
        assert api.as_(personas["supervisor"]).get(url).status_code == 200, url
    assert api.as_(personas["reviewer"]).get("/worklists/clerk").status_code == 403
    assert api.as_(personas["clerk"]).get("/worklists/reviewer").status_code == 403
    body = api.as_(personas["reviewer"]).get("/worklists/reviewer", limit=1).json()
    assert len(body["results"]) == 1 and body["next_cursor"]
    nxt = api.as_(personas["reviewer"]).get("/worklists/reviewer", limit=5, cursor=body["next_cursor"]).json()
    assert body["results"][0]["id"] not in [r["id"] for r in nxt["results"]] and len(nxt["results"]) == 2
    # Another department's reviewer sees none of dept A's cases, even when asking for dept A.
    market = world["early"].department_id
    other = api.as_(personas["other_reviewer"]).get("/worklists/reviewer", department=market).json()
    assert other["results"] == []
    assert api.as_(personas["reviewer"]).get("/worklists/reviewer", colour="purple").status_code == 422
    assert api.as_(personas["reviewer"]).get("/worklists/reviewer", cursor="nonsense").status_code == 422


@pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans are checked on PostgreSQL")
def test_worklist_page_is_an_ordered_index_scan(personas, world):
    """With sequential scans off (a tiny test table would otherwise be scanned), the page must come
    from one of the worklist indexes in order: no Sort node over the table."""
    from onevisit.cases.models import HANDLING

    department = world["early"].department_id
    qs = (Case.objects.filter(status__in=HANDLING, department_id=department, promised_due__isnull=False)
          .order_by("promised_due", "id")[:21])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = qs.explain()
    assert "cases_wl_handling" in plan and "Sort" not in plan, plan


def test_worklist_api_rows_match_the_cases_and_cost_fixed_queries(api, personas, world):
    """The API builds rows from the shown columns only: the same cases, order, item names and colours
    as the model rows, and the same number of queries for 1 row or a full page (no per-row reads)."""
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from onevisit.cases.clock import colour_of

    reviewer = api.as_(personas["reviewer"])
    body = reviewer.get("/worklists/reviewer").json()
    page = worklists.reviewer_worklist(user=personas["reviewer"])
    assert [r["id"] for r in body["results"]] == ids(page) and len(page.rows) >= 3
    now = timezone.now()
    for row, case in zip(body["results"], page.rows, strict=True):
        assert row["item_name"] == case.item.name and row["status_label"] == case.get_status_display()
        assert row["colour"] == colour_of(case, now) and row["number"] == case.number
    with CaptureQueriesContext(connection) as one:
        reviewer.get("/worklists/reviewer", limit=1)
    with CaptureQueriesContext(connection) as full:
        reviewer.get("/worklists/reviewer", limit=50)
    assert len(one) == len(full)
