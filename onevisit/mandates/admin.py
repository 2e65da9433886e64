from django.contrib import admin

from onevisit.mandates.models import Mandate


@admin.register(Mandate)
class MandateAdmin(admin.ModelAdmin):
    list_display = ("id", "principal_name", "principal_id", "agent_name", "valid_from", "valid_until", "accepted_at",
                    "revoked_at")
    search_fields = ("principal_id", "agent_id_number", "principal_name", "agent_name")
    readonly_fields = [f.name for f in Mandate._meta.fields]

    def has_add_permission(self, request):
        return False  # mandates are given by the principal (services), never typed in by staff

    def has_delete_permission(self, request, obj=None):
        return False
