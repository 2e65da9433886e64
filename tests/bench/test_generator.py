"""Benchmark-only code (bench/onevisit_bench, installed only by the benchmark's settings): synthetic load
data in realistic states over the demo catalog with valid history chains, real submissions continuing the
case-number sequence afterwards, and the floor endpoint's rows, whose history verifies."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import RequestFactory

from bench.onevisit_bench.floor import floor_submit
from bench.onevisit_bench.synthetic import generate_cases
from onevisit.cases.models import Case, CaseMaterial, CaseStatus, Refusal
from onevisit.cases.services import case_submit
from onevisit.history.models import Event
from onevisit.history.services import verify_chains


@pytest.fixture(autouse=True)
def _numbers_in_the_tests_transaction(settings):
    """The generator writes the number counters inside the test's own (never committed) transaction; a real
    submission afterwards must take its number in that transaction too, not on the numbering connection,
    which would wait for the test's row lock forever."""
    settings.ONEVISIT_NUMBERS_OUTSIDE_TRANSACTION = False


def test_generate_200_cases_over_the_demo_catalog(db):
    call_command("load_demo")
    result = generate_cases(count=200, batch=64)
    assert result.cases == 200 and Case.objects.count() == 200
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {CaseStatus.ARCHIVED, CaseStatus.IN_PROGRESS, CaseStatus.PRE_REVIEW} <= statuses
    archived = Case.objects.filter(status=CaseStatus.ARCHIVED).count()
    assert archived > 60  # mostly done
    assert not Case.objects.filter(status__in=["accepted", "in_progress"], promised_due__isnull=True).exists()
    assert CaseMaterial.objects.count() >= 200
    assert Event.objects.filter(object_type="cases.case").count() >= 400
    assert Refusal.objects.count() == Case.objects.filter(status__in=["refused", "denied"]).count()
    assert list(verify_chains()) == []
    # Numbers are unique and a real submission continues after the generated serials.
    assert Case.objects.values("number").distinct().count() == 200
    case = Case.objects.filter(channel="online").select_related("item").first()
    from onevisit.accounts.models import User

    citizen = User.objects.get(username="citizen_li")
    new, created = case_submit(
        actor=citizen, item_code=case.item_code, channel="online",
        applicant={"kind": "person", "name": citizen.real_name, "id_number": citizen.id_number},
        now=case.submitted_at,
    ) if "person" in case.item.targets else (None, False)
    if new is not None:
        assert created and new.pk > case.pk


def test_generated_cases_appear_in_worklists(db):
    from onevisit.cases import worklists
    from onevisit.orgs.models import Role, StaffRole

    call_command("load_demo")
    generate_cases(count=200)
    reviewer = StaffRole.objects.filter(role=Role.REVIEWER, department__cases__status="in_progress").first().user
    page = worklists.reviewer_worklist(user=reviewer)
    assert page.rows and all(c.status in ("accepted", "in_progress", "suspended", "awaiting_applicant")
                             for c in page.rows)


def test_the_floor_writes_a_case_whose_history_verifies(db):
    call_command("load_demo")
    from onevisit.accounts.models import User
    from onevisit.catalog.models import ServiceItem, VersionStatus

    item = ServiceItem.objects.filter(status=VersionStatus.PUBLISHED).order_by("id").first()
    citizen = User.objects.get(username="citizen_li")
    payload = {"item_code": item.implementation_code, "channel": "online",
               "applicant": {"kind": "person", "name": citizen.real_name, "id_number": citizen.id_number}}
    request = RequestFactory().post("/api/v1/bench/floor", {
        "payload": json.dumps(payload), "a": SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")},
        HTTP_IDEMPOTENCY_KEY="floor-1")
    request.user = citizen
    status, body = floor_submit(request)
    assert status == 201 and Case.objects.get(pk=body["id"]).number == body["number"]
    assert CaseMaterial.objects.filter(case_id=body["id"]).count() == 1
    assert list(verify_chains()) == []
