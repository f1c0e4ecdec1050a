"""Django admin for units, agencies and staff assignments (Vietnamese labels, no N+1 lists)."""

from django.contrib import admin
from django.db.models import Q
from django.utils import timezone

from motcua.org.models import AdministrativeUnit, Agency, StaffAssignment, UnitSuccession


class ValidityFilter(admin.SimpleListFilter):
    title = "hiệu lực"
    parameter_name = "hieu_luc"

    def lookups(self, request, model_admin):
        return [("current", "Đang hiệu lực"), ("history", "Đã hết hiệu lực (lịch sử)")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "current":
            return queryset.valid_on(today)
        if self.value() == "history":
            return queryset.filter(Q(valid_to__lte=today))
        return queryset


class SuccessorInline(admin.TabularInline):
    model = UnitSuccession
    fk_name = "predecessor"
    extra = 0
    autocomplete_fields = ("successor",)
    fields = ("successor", "effective_date", "is_partial", "legal_basis", "note")
    verbose_name = "đơn vị kế thừa"
    verbose_name_plural = "đơn vị kế thừa (sáp nhập, chia tách)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("successor")


class PredecessorInline(SuccessorInline):
    fk_name = "successor"
    autocomplete_fields = ("predecessor",)
    fields = ("predecessor", "effective_date", "is_partial", "legal_basis", "note")
    verbose_name = "đơn vị tiền thân"
    verbose_name_plural = "đơn vị tiền thân"

    def get_queryset(self, request):
        return super(SuccessorInline, self).get_queryset(request).select_related("predecessor")


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "level", "parent", "valid_from", "valid_to")
    list_filter = ("level", "kind", ValidityFilter)
    search_fields = ("name", "code")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)
    inlines = (SuccessorInline, PredecessorInline)
    ordering = ("level", "code", "valid_from")
    list_per_page = 100


class StaffAssignmentInline(admin.TabularInline):
    model = StaffAssignment
    fk_name = "agency"
    extra = 0
    autocomplete_fields = ("user", "sending_agency")
    fields = ("user", "role", "is_reserve", "sending_agency", "tasks", "valid_from", "valid_to")
    verbose_name_plural = "cán bộ được phân công"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "sending_agency")


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("ident_code", "name", "short_name", "kind", "parent", "admin_unit", "valid_to")
    list_display_links = ("ident_code", "name")
    list_filter = ("kind", ValidityFilter)
    search_fields = ("name", "short_name", "ident_code")
    list_select_related = ("parent", "admin_unit")
    autocomplete_fields = ("parent", "admin_unit", "successor")
    inlines = (StaffAssignmentInline,)
    fieldsets = (
        (None, {"fields": ("ident_code", "name", "short_name", "kind", "parent", "admin_unit")}),
        (
            "Liên hệ và giờ làm việc",
            {"fields": ("address", "phone", "email", "working_hours", "opens_saturday")},
        ),
        ("Hiệu lực", {"fields": ("valid_from", "valid_to", "successor")}),
    )
    list_per_page = 100


@admin.register(StaffAssignment)
class StaffAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "agency", "is_reserve", "sending_agency", "valid_from", "valid_to")
    list_filter = ("role", "is_reserve", "agency__kind")
    search_fields = ("user__username", "user__full_name", "agency__name", "agency__ident_code")
    list_select_related = ("user", "agency", "sending_agency")
    autocomplete_fields = ("user", "agency", "sending_agency")
