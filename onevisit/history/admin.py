from django.contrib import admin

from onevisit.history.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("at", "object_type", "object_id", "seq", "actor_label", "action", "reason")
    list_filter = ("object_type", "action")
    search_fields = ("object_id", "actor_label", "reason")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
