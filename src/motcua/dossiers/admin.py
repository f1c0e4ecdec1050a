"""Admin: dossiers are read-mostly here; every change goes through ``motcua.dossiers.services``."""

from django.contrib import admin

from .models import Dossier, DossierAction, DossierComponent, PersonalDataAccess


class DossierComponentInline(admin.TabularInline):
    model = DossierComponent
    extra = 0
    fields = ("name", "originals", "copies", "file")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class DossierActionInline(admin.TabularInline):
    model = DossierAction
    extra = 0
    fields = ("at", "action", "from_status", "to_status", "step", "actor", "actor_role", "unit", "reason")
    readonly_fields = fields
    can_delete = False
    ordering = ("at", "id")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "temp_reference",
        "status",
        "channel",
        "receiving_unit",
        "resolving_agency",
        "received_at",
        "due_at",
    )
    list_filter = ("status", "channel", "receiving_unit", "law_framework", "extended")
    search_fields = ("code", "temp_reference")
    date_hierarchy = "received_at"
    list_select_related = ("receiving_unit", "resolving_agency")
    inlines = (DossierComponentInline, DossierActionInline)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Dossier._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DossierAction)
class DossierActionAdmin(admin.ModelAdmin):
    list_display = ("dossier", "action", "from_status", "to_status", "actor", "actor_role", "at")
    list_filter = ("action", "to_status")
    search_fields = ("dossier__code", "idempotency_key")
    list_select_related = ("dossier", "actor")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in DossierAction._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    list_display = ("dossier", "user", "purpose", "at")
    list_select_related = ("dossier", "user")
    search_fields = ("dossier__code",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
