"""Keep the calendar cache true to the database: any save or delete of calendar rows, from any code
path, invalidates it; a flush (TransactionTestCase teardown) emits post_migrate and invalidates too."""

from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver

from onevisit.workdays.calendar import overrides
from onevisit.workdays.models import CalendarYear, DayArrangement


@receiver(post_save, sender=CalendarYear, dispatch_uid="workdays_year_saved")
@receiver(post_delete, sender=CalendarYear, dispatch_uid="workdays_year_deleted")
@receiver(post_save, sender=DayArrangement, dispatch_uid="workdays_day_saved")
@receiver(post_delete, sender=DayArrangement, dispatch_uid="workdays_day_deleted")
def calendar_rows_changed(sender, using="default", **kwargs) -> None:
    overrides.changed(using=using)


@receiver(post_migrate, dispatch_uid="workdays_post_migrate")
def database_reset(sender, **kwargs) -> None:
    overrides.invalidate()
