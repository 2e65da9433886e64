"""What the services promise, the database refuses on its own too: a bad row written past the services (a
bulk load, a hand-written statement) is rejected with an IntegrityError and changes nothing."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from onevisit.cases import services
from onevisit.cases.models import Case, CaseMaterial, ClockPause, Refusal
from onevisit.history.models import Event
from tests.cases.conftest import applicant_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(personas, item):
    citizen = personas["citizen"]
    case, _ = services.case_submit(actor=citizen, item_code=item.implementation_code, applicant=applicant_of(citizen),
                                   channel="online", form={"company_name": "丽水小馆", "capital": 10, "scope": "餐饮"},
                                   materials={"id-card": "shared_data", "safety-pledge": "commitment"})
    return case


def refused(write) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def test_case_rows_keep_their_status_channel_and_clock(case):
    rows = Case.objects.filter(pk=case.pk)
    refused(lambda: rows.update(status="approved_by_magic"))
    refused(lambda: rows.update(channel="fax"))
    refused(lambda: rows.update(applicant_kind="alien"))
    refused(lambda: rows.update(claim="because_i_said_so"))
    refused(lambda: rows.update(visits=-1))
    refused(lambda: rows.update(paused_days=-3))
    accepted = case.submitted_at
    # A due moment without an acceptance, or before it; a decision before the acceptance.
    refused(lambda: rows.update(promised_due=accepted))
    refused(lambda: rows.update(accepted_at=accepted, promised_due=accepted - dt.timedelta(days=1)))
    refused(lambda: rows.update(accepted_at=accepted, decided_at=accepted - dt.timedelta(minutes=1)))
    refused(lambda: rows.update(accepted_at=accepted, promised_due=accepted + dt.timedelta(days=5),
                                warn_at=accepted + dt.timedelta(days=6)))
    refused(lambda: rows.update(visits_exceeded=True))  # more visits than promised with none counted
    refused(lambda: rows.update(gaps_outstanding=True))  # 容缺 owed without a due date
    case.refresh_from_db()
    assert case.status == "pre_review" and case.accepted_at is None and case.visits == 0


def test_one_open_pause_per_case_and_pauses_end_after_they_start(case):
    now = case.submitted_at
    ClockPause.objects.create(case=case, kind="applicant", reason="等待补正", started_at=now)
    refused(lambda: ClockPause.objects.create(case=case, kind="special", reason="现场勘查", started_at=now))
    pause = ClockPause.objects.get(case=case)
    refused(lambda: ClockPause.objects.filter(pk=pause.pk).update(ended_at=now - dt.timedelta(hours=1)))
    assert ClockPause.objects.filter(case=case).count() == 1


def test_materials_refusals_and_history_keep_their_meaning(case, personas):
    material = CaseMaterial.objects.filter(case=case, key="application").first()
    refused(lambda: CaseMaterial.objects.filter(pk=material.pk).update(provision="uploaded"))  # no file, no digest
    refused(lambda: CaseMaterial.objects.filter(pk=material.pk).update(provision="telepathy"))
    refusal = Refusal.objects.create(case=case, department_id=case.department_id, kind="denial", reasons="不符合条件",
                                     legal_basis="《行政许可法》第三十八条", registered_at=case.submitted_at,
                                     registered_by=personas["clerk"])
    # A denial is never overturned by a supervisor (that is for refusals to accept); reasons are required.
    refused(lambda: Refusal.objects.filter(pk=refusal.pk).update(overturned_at=case.submitted_at))
    refused(lambda: Refusal.objects.filter(pk=refusal.pk).update(reasons=""))
    event = Event.objects.filter(object_type="cases.case", object_id=str(case.pk)).first()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Event._meta.db_table} SET seq = 0 WHERE id = %s", [event.pk])


def test_licence_status_is_one_of_the_four(db):
    from onevisit.licences.models import Licence

    with pytest.raises(IntegrityError, match="licences_licence_status_valid"), transaction.atomic(), \
            connection.cursor() as cursor:
        # The check constraint refuses the row before any foreign key is looked at.
        cursor.execute(f"INSERT INTO {Licence._meta.db_table} (identifier, licence_type_id, issuer_id, serial, version,"
                       " holder, data, issued_at, status, case_number, signing_key_id, signature, revoked_reason)"
                       " VALUES ('x', 1, 1, 1, 1, 'h', '{}', %s, 'lost', '', 1, 'sig', '')",
                       [dt.datetime(2026, 1, 1, tzinfo=dt.UTC)])
