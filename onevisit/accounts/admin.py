from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from onevisit.accounts.models import ApiToken, User


@admin.register(User)
class OneVisitUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("实名信息", {"fields": ("real_name", "id_number", "phone")}),)
    list_display = ("username", "real_name", "id_number", "is_staff")
    search_fields = ("username", "real_name", "id_number")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "created_at", "revoked")
    readonly_fields = ("key_hash",)
