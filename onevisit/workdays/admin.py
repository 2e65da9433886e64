"""Back-office view of the calendar. Every save and delete goes through the services, so each change
appends a history event with the signed-in user and the reason typed into the form.
Whole years are loaded with `manage.py load_workdays` (validated files), not typed in here."""

from django import forms
from django.contrib import admin

from onevisit.workdays.models import CalendarYear, DayArrangement
from onevisit.workdays.services import (
    calendar_year_delete,
    calendar_year_update,
    day_arrangement_delete,
    day_arrangement_save,
)

ADMIN_DELETE_REASON = "在管理后台删除"


class _ReasonForm(forms.ModelForm):
    reason = forms.CharField(
        label="变更原因", max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="记入变更记录，如：国务院办公厅通知更正、地方调整依据文号",
    )


class CalendarYearForm(_ReasonForm):
    class Meta:
        model = CalendarYear
        fields = ["source"]


class DayArrangementForm(_ReasonForm):
    class Meta:
        model = DayArrangement
        fields = ["date", "kind", "name"]


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    form = CalendarYearForm
    list_display = ("year", "source", "loaded_at")
    readonly_fields = ("year", "loaded_at")

    def has_add_permission(self, request) -> bool:
        return False  # a year comes only from a validated file: manage.py load_workdays

    def save_model(self, request, obj, form, change):
        calendar_year_update(actor=request.user, calendar_year=obj, reason=form.cleaned_data["reason"])

    def delete_model(self, request, obj):
        calendar_year_delete(actor=request.user, calendar_year=obj, reason=ADMIN_DELETE_REASON)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            calendar_year_delete(actor=request.user, calendar_year=obj, reason=ADMIN_DELETE_REASON)


@admin.register(DayArrangement)
class DayArrangementAdmin(admin.ModelAdmin):
    form = DayArrangementForm
    list_display = ("date", "kind", "name")
    list_filter = ("kind",)
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        day_arrangement_save(actor=request.user, day=obj, reason=form.cleaned_data["reason"])

    def delete_model(self, request, obj):
        day_arrangement_delete(actor=request.user, day=obj, reason=ADMIN_DELETE_REASON)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            day_arrangement_delete(actor=request.user, day=obj, reason=ADMIN_DELETE_REASON)
