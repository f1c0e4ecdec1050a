"""Admin: evaluations and petitions are read here; notifications show their delivery attempts."""

from django.contrib import admin

from .models import Evaluation, Notification, Petition


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ("dossier", "channel", "satisfied", "at")
    list_filter = ("channel", "satisfied")
    search_fields = ("dossier__code",)
    raw_id_fields = ("dossier", "evaluator", "recorded_by")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Petition)
class PetitionAdmin(admin.ModelAdmin):
    list_display = ("code", "category", "unit", "status", "received_at", "due_at", "answered_on_time")
    list_filter = ("status", "category", "answered_on_time")
    search_fields = ("code", "dossier__code")
    raw_id_fields = ("dossier", "procedure", "unit", "user", "handler")
    readonly_fields = ("code", "idempotency_key", "received_at", "due_at", "answered_at", "answered_on_time")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Operators see every attempt: status, count, last error, next retry."""

    list_display = (
        "id",
        "kind",
        "channel",
        "status",
        "attempts",
        "last_attempt_at",
        "next_attempt_at",
        "sent_at",
    )
    list_filter = ("kind", "channel", "status")
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False
