"""Synthetic load data: realistic states over the demo catalog, valid history chains, and real
submissions continue the case-number sequence afterwards."""

from django.core.management import call_command

from onevisit.cases.models import Case, CaseMaterial, CaseStatus, Refusal
from onevisit.cases.services import case_submit
from onevisit.history.models import Event
from onevisit.history.services import verify_chains


def test_generate_200_cases_over_the_demo_catalog(db, capsys):
    call_command("load_demo")
    call_command("generate_cases", count=200, batch=64, no_progress=True)
    assert "已生成 200 件办件" in capsys.readouterr().out
    assert Case.objects.count() == 200
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
    call_command("generate_cases", count=200, no_progress=True)
    reviewer = StaffRole.objects.filter(role=Role.REVIEWER, department__cases__status="in_progress").first().user
    page = worklists.reviewer_worklist(user=reviewer)
    assert page.rows and all(c.status in ("accepted", "in_progress", "suspended", "awaiting_applicant")
                             for c in page.rows)
