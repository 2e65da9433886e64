"""Hall queue: numbers per day and domain (also when taken at once), calling, recall, skip, done, the
display, and only clerks call."""

import threading

import pytest
from django.db import close_old_connections, connection

from onevisit.queue import services
from onevisit.queue.models import Ticket, TicketStatus
from tests.cases.conftest import at


@pytest.mark.django_db
def test_kiosk_ticket_numbers_and_waiting_count(client):
    r1 = client.post("/queue/kiosk/", {"domain": "business"})
    r2 = client.post("/queue/kiosk/", {"domain": "business"})
    client.post("/queue/kiosk/", {"domain": "tax"})
    assert [t.number for t in Ticket.objects.order_by("id")] == ["B001", "B002", "J001"]
    page = client.get(r2["Location"]).content.decode()
    assert "B002" in page and 'data-testid="ahead">1<' in page
    assert client.get(r1["Location"]).status_code == 200
    assert client.post("/queue/kiosk/", {"domain": "nope"}).status_code == 400
    # A new day starts again at 001.
    assert services.ticket_take(domain="business", now=at(2030, 1, 2)).number == "B001"


@pytest.mark.django_db
def test_clerk_calls_recalls_skips_and_finishes(client, personas):
    b1 = services.ticket_take(domain="business")
    b2 = services.ticket_take(domain="business")
    services.ticket_take(domain="tax")  # not this window's domain
    client.force_login(personas["reviewer"])
    assert client.get("/console/queue/").status_code == 403
    client.force_login(personas["clerk"])
    assert client.post("/console/queue/next/").status_code == 302
    b1.refresh_from_db()
    assert b1.status == TicketStatus.CALLED
    assert client.post("/console/queue/next/").status_code == 409  # finish the current one first
    assert client.post("/console/queue/recall/", {"ticket": b1.pk}).status_code == 302
    assert client.post("/console/queue/skip/", {"ticket": b1.pk}).status_code == 302
    client.post("/console/queue/next/")
    b2.refresh_from_db()
    assert b2.status == TicketStatus.CALLED
    assert client.post("/console/queue/done/", {"ticket": b2.pk}).status_code == 302
    page = client.post("/console/queue/next/").content.decode()
    assert "当前没有等候的号码" in page
    b1.refresh_from_db()
    b2.refresh_from_db()
    assert (b1.status, b1.recalls, b2.status) == (TicketStatus.SKIPPED, 1, TicketStatus.DONE)
    display = client.get("/queue/display/").content.decode()
    assert "B002" in display and "hx-trigger" in display
    assert "B001" in client.get("/queue/display/list/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_numbers_unique_under_concurrent_takes():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database (shared cache) answers 'table is locked' at once instead of "
                    "waiting; the race is proven on PostgreSQL")
    numbers, errors = [], []
    barrier = threading.Barrier(4)

    def take():
        barrier.wait()
        try:
            for _ in range(5):
                numbers.append(services.ticket_take(domain="business").number)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == [f"B{n:03d}" for n in range(1, 21)]
