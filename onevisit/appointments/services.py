"""Booking and cancelling appointments. Capacity holds under concurrency because a booking takes its
place with one conditional upsert on the slot's counter row (never more than the capacity); one active
booking per person and item is a partial unique constraint."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from onevisit.appointments.models import Booking, BookingStatus, SlotCount
from onevisit.catalog.services import published_item
from onevisit.errors import DomainError
from onevisit.history.services import record_change
from onevisit.orgs.models import Window
from onevisit.workdays.calendar import SHANGHAI, is_working_day

DEFAULT_TIMES = ["09:00", "09:30", "10:00", "10:30", "11:00", "13:30", "14:00", "14:30", "15:00", "15:30", "16:00",
                 "16:30"]


def slot_times() -> list[dt.time]:
    return [dt.time.fromisoformat(t) for t in getattr(settings, "ONEVISIT_APPOINTMENT_TIMES", DEFAULT_TIMES)]


def slot_minutes() -> int:
    return int(getattr(settings, "ONEVISIT_APPOINTMENT_MINUTES", 30))


def slot_capacity() -> int:
    return int(getattr(settings, "ONEVISIT_APPOINTMENT_CAPACITY", 3))


def booking_days() -> int:
    return int(getattr(settings, "ONEVISIT_APPOINTMENT_DAYS", 5))


@dataclass(frozen=True)
class Slot:
    window: Window
    start: dt.datetime
    end: dt.datetime
    left: int


def windows_for(item) -> list[Window]:
    return [w for w in Window.objects.select_related("centre").order_by("id")
            if w.accepts(domain=item.domain, item_code=item.implementation_code)]


def available_slots(*, item, now: dt.datetime | None = None) -> list[Slot]:
    """Slots on the next working days (from tomorrow) at every window that accepts the item."""
    now = now or timezone.now()
    windows = windows_for(item)
    days, day = [], now.astimezone(SHANGHAI).date()
    while len(days) < booking_days():
        day += dt.timedelta(days=1)
        if is_working_day(day):
            days.append(day)
    starts = [dt.datetime.combine(d, t, tzinfo=SHANGHAI) for d in days for t in slot_times()]
    counts = {(c.window_id, c.start): c.booked
              for c in SlotCount.objects.filter(window__in=windows, start__in=starts)}
    capacity, length = slot_capacity(), dt.timedelta(minutes=slot_minutes())
    return [Slot(window=w, start=s, end=s + length, left=capacity - counts.get((w.pk, s), 0))
            for w in windows for s in starts]


def _take_place(window_id: int, start: dt.datetime, capacity: int) -> bool:
    table = SlotCount._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (window_id, start, booked) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (window_id, start) DO UPDATE SET booked = {table}.booked + 1 "
            f"WHERE {table}.booked < %s RETURNING booked",
            [window_id, connection.ops.adapt_datetimefield_value(start), capacity],
        )
        return cursor.fetchone() is not None


def booking_create(*, actor, item_code: str, window_id: int, start: dt.datetime,
                   now: dt.datetime | None = None) -> Booking:
    now = now or timezone.now()
    item = published_item(item_code)
    if item is None:
        raise Http404("事项不存在或未发布")
    if item.promised_visits < 1:
        raise DomainError("该事项全程网办，无需预约到现场", code="no_visit_needed")
    slot = next((s for s in available_slots(item=item, now=now) if s.window.pk == window_id and s.start == start), None)
    if slot is None:
        raise DomainError("所选时段不可预约，请重新选择", code="no_such_slot",
                          fields=[{"field": "slot", "reason": "时段不存在或已过"}])
    try:
        with transaction.atomic():
            if Booking.objects.filter(user=actor, item_code=item_code, status=BookingStatus.ACTIVE).exists():
                raise DomainError("您已预约该事项，如需改约请先取消原预约", code="already_booked",
                                  fields=[{"field": "slot", "reason": "每人每个事项只能有一个有效预约"}])
            if not _take_place(window_id, start, slot_capacity()):
                raise DomainError("该时段已约满，请选择其他时段", code="slot_full",
                                  fields=[{"field": "slot", "reason": "已约满"}])
            booking = Booking.objects.create(user=actor, item_code=item_code, item_name=item.name, window=slot.window,
                                             start=start, end=slot.end)
            record_change(obj=booking, actor=actor, action="booking.created",
                          data={"item_code": item_code, "window": window_id, "start": start})
    except IntegrityError:
        raise DomainError("您已预约该事项，如需改约请先取消原预约", code="already_booked") from None
    return booking


@transaction.atomic
def booking_cancel(*, actor, booking_id: int, now: dt.datetime | None = None) -> Booking:
    """Only the person who booked may cancel; someone else's booking answers 404."""
    booking = Booking.objects.select_for_update().filter(pk=booking_id, user=actor).first()
    if booking is None:
        raise Http404("预约不存在")
    if booking.status != BookingStatus.ACTIVE:
        raise DomainError("该预约已取消", code="already_cancelled")
    booking.status, booking.cancelled_at = BookingStatus.CANCELLED, now or timezone.now()
    booking.save(update_fields=["status", "cancelled_at"])
    SlotCount.objects.filter(window_id=booking.window_id, start=booking.start, booked__gt=0).update(
        booked=F("booked") - 1)
    record_change(obj=booking, actor=actor, action="booking.cancelled", data={"start": booking.start})
    return booking


def bookings_of(user):
    return Booking.objects.filter(user=user, status=BookingStatus.ACTIVE).select_related("window").order_by("start")
