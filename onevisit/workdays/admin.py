from django.contrib import admin

from onevisit.workdays.models import CalendarYear, DayArrangement


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "source", "loaded_at")


@admin.register(DayArrangement)
class DayArrangementAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name")
    list_filter = ("kind",)
    date_hierarchy = "date"
