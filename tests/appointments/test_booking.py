"""Appointments: capacity respected (also under concurrency), one active booking per person and item,
only the owner cancels."""

import datetime as dt
import threading

import pytest
from django.db import connection

from onevisit.appointments.models import Booking, BookingStatus, SlotCount
from onevisit.appointments.services import available_slots, booking_cancel, booking_create
from onevisit.errors import DomainError

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # a Monday


@pytest.fixture
def slot(item):
    return available_slots(item=item, now=NOW)[0]


def test_slots_are_half_hours_on_working_days_from_tomorrow(item):
    slots = available_slots(item=item, now=NOW)
    assert slots[0].start.date() == dt.date(2026, 3, 3) and slots[0].start.hour == 9
    assert all(s.start.weekday() < 5 for s in slots)
    assert (slots[0].end - slots[0].start) == dt.timedelta(minutes=30)


def test_full_slot_is_refused(settings, personas, item, slot):
    settings.ONEVISIT_APPOINTMENT_CAPACITY = 1
    booking_create(actor=personas["citizen"], item_code=item.implementation_code, window_id=slot.window.pk,
                   start=slot.start, now=NOW)
    with pytest.raises(DomainError) as exc:
        booking_create(actor=personas["other_citizen"], item_code=item.implementation_code,
                       window_id=slot.window.pk, start=slot.start, now=NOW)
    assert exc.value.code == "slot_full"
    assert Booking.objects.count() == 1 and SlotCount.objects.get().booked == 1


def test_one_active_booking_per_person_and_item(personas, item, slot):
    user = personas["citizen"]
    first = booking_create(actor=user, item_code=item.implementation_code, window_id=slot.window.pk,
                           start=slot.start, now=NOW)
    other = available_slots(item=item, now=NOW)[1]
    with pytest.raises(DomainError):
        booking_create(actor=user, item_code=item.implementation_code, window_id=other.window.pk,
                       start=other.start, now=NOW)
    booking_cancel(actor=user, booking_id=first.pk)
    assert SlotCount.objects.get().booked == 0
    booking_create(actor=user, item_code=item.implementation_code, window_id=other.window.pk, start=other.start,
                   now=NOW)


def test_another_citizen_cannot_cancel_your_booking(client, personas, item, slot):
    booking = booking_create(actor=personas["citizen"], item_code=item.implementation_code,
                             window_id=slot.window.pk, start=slot.start, now=NOW)
    client.force_login(personas["other_citizen"])
    assert client.post(f"/appointments/{booking.pk}/cancel/").status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ACTIVE
    client.force_login(personas["citizen"])
    assert booking.item_name in client.get("/my/cases/").content.decode()
    assert client.post(f"/appointments/{booking.pk}/cancel/").status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_booking_page_books_a_slot(client, personas, item):
    client.force_login(personas["citizen"])
    page = client.get(f"/appointments/items/{item.implementation_code}/")
    assert page.status_code == 200
    value = page.content.decode().split('name="slot" value="')[1].split('"')[0]
    assert client.post(f"/appointments/items/{item.implementation_code}/", {"slot": value}).status_code == 302
    assert Booking.objects.filter(user=personas["citizen"], status="active").count() == 1
    assert client.post(f"/appointments/items/{item.implementation_code}/", {"slot": "x"}).status_code == 400


@pytest.mark.django_db(transaction=True)
def test_capacity_holds_under_concurrency(settings, personas, item):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race is exercised on PostgreSQL")
    from onevisit.accounts.models import User
    from onevisit.validators import make_id_number

    settings.ONEVISIT_APPOINTMENT_CAPACITY = 2
    slot = available_slots(item=item, now=NOW)[0]
    users = [User.objects.create_user(username=f"u{i}", password="x", id_number=make_id_number(f"3311021990010{i:03d}0"[:17]))
             for i in range(6)]
    barrier, results = threading.Barrier(6), []

    def run(user):
        barrier.wait()
        try:
            booking_create(actor=user, item_code=item.implementation_code, window_id=slot.window.pk,
                           start=slot.start, now=NOW)
            results.append("ok")
        except DomainError as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "ok", "slot_full", "slot_full", "slot_full", "slot_full"]
    assert Booking.objects.filter(status="active").count() == 2
