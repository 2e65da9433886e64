from django.contrib import admin, messages

from onevisit.events.models import DeadLetter, OutboxEvent, Subscription
from onevisit.events.services import dead_letter_resend


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    list_display = ("position", "type", "subject", "time", "published_at")
    list_filter = ("type",)
    search_fields = ("subject", "=event_id")
    ordering = ("-id",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "kind", "active", "cursor", "delivered_count", "attempts", "next_attempt_at",
                    "last_error")
    list_filter = ("kind", "active")
    readonly_fields = ("cursor", "attempts", "next_attempt_at", "last_error", "delivered_count", "lease_token",
                       "leased_until")
    exclude = ("secret",)

    def has_add_permission(self, request):
        return False  # through the API, which checks the departments


@admin.action(description="重新投递所选死信")
def resend(modeladmin, request, queryset):
    done = 0
    for dead in queryset.filter(resent_at__isnull=True).select_related("subscription"):
        dead_letter_resend(actor=request.user, dead_letter=dead)
        dead.refresh_from_db()
        done += dead.resent_at is not None
    modeladmin.message_user(request, f"已重新投递成功 {done} 条", messages.INFO)


@admin.register(DeadLetter)
class DeadLetterAdmin(admin.ModelAdmin):
    list_display = ("subscription", "position", "event_id", "attempts", "last_error", "created_at", "resent_at",
                    "resend_error")
    list_filter = ("subscription",)
    actions = [resend]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
