"""Case numbers: unique and increasing per item and day; on PostgreSQL taken on a connection of their own, so
a submission still open does not hold up the next one of the same item, and one that fails leaves a gap
(docs/decisions/0003)."""

import threading

import pytest
from django.db import connection, connections, transaction

from onevisit.cases.models import Case
from onevisit.cases.services import case_submit

from .conftest import applicant_of


def _submit(citizen, item):
    return case_submit(actor=citizen, item_code=item.implementation_code, applicant=applicant_of(citizen),
                       channel="online", form={}, materials={})[0]


@pytest.mark.django_db(transaction=True)
def test_an_open_submission_does_not_hold_up_the_next_one_and_a_failed_one_leaves_a_gap(personas, item):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time; numbers are taken in the submission's transaction there")
    citizen = personas["citizen"]
    first = _submit(citizen, item)
    taken, release, finished = threading.Event(), threading.Event(), {}

    def slow_submission_that_fails():
        try:
            with transaction.atomic():
                finished["slow"] = _submit(citizen, item).number
                taken.set()
                release.wait(30)  # still open: it holds its case row, but no counter lock
                raise RuntimeError("the client went away")
        except RuntimeError:
            pass
        finally:
            connections.close_all()

    slow = threading.Thread(target=slow_submission_that_fails)
    slow.start()
    assert taken.wait(30)
    meanwhile = _submit(citizen, item)  # would wait for the slow one's COMMIT if they shared the counter lock
    release.set()
    slow.join(30)
    serial = lambda number: int(number[-6:])  # noqa: E731
    assert serial(finished["slow"]) == serial(first.number) + 1
    assert serial(meanwhile.number) == serial(first.number) + 2
    # The slow one rolled back: its number is a gap, never reused.
    assert not Case.objects.filter(number=finished["slow"]).exists()
    assert serial(_submit(citizen, item).number) == serial(first.number) + 3
