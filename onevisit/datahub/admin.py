from django.contrib import admin

from onevisit.datahub.models import AccessRecord, DataResource, SharingPermission


@admin.register(DataResource)
class DataResourceAdmin(admin.ModelAdmin):
    list_display = ["key", "name", "owner", "identifier_kind"]
    readonly_fields = ["key"]

    def has_add_permission(self, request):  # created through resource_create (validation + history)
        return False


@admin.register(SharingPermission)
class SharingPermissionAdmin(admin.ModelAdmin):
    list_display = ["resource", "department", "fields", "item_codes"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AccessRecord)
class AccessRecordAdmin(admin.ModelAdmin):
    list_display = ["at", "department", "resource_key", "identifier", "granted", "actor_label"]
    list_filter = ["granted", "resource_key"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
