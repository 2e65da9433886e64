from django.contrib import admin

from onevisit.licences.models import Licence, LicenceType, ResultLicence, SigningKey


@admin.register(LicenceType)
class LicenceTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "issuer", "validity_days"]

    def has_add_permission(self, request):  # licence_type_create also registers the shared resource
        return False


@admin.register(SigningKey)
class SigningKeyAdmin(admin.ModelAdmin):
    list_display = ["key_id", "department", "algorithm", "active", "created_at", "retired_at"]
    exclude = ["private_key_encrypted"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Licence)
class LicenceAdmin(admin.ModelAdmin):
    list_display = ["identifier", "licence_type", "holder", "status", "issued_at", "valid_until"]
    list_filter = ["status", "licence_type"]
    search_fields = ["identifier", "holder"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ResultLicence)
class ResultLicenceAdmin(admin.ModelAdmin):
    list_display = ("item_code", "licence_type")
    search_fields = ("item_code",)
