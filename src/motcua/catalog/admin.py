from django.contrib import admin
from django.db.models import Q

from .models import (
    Component,
    Fee,
    Field,
    Procedure,
    ProcedureCase,
    ProcedureVersion,
    PublicationDecision,
    WorkflowStep,
)
from .text import fold


class CurrentFilter(admin.SimpleListFilter):
    title = "đang áp dụng"
    parameter_name = "current"

    def lookups(self, request, model_admin):
        return [("yes", "Đang áp dụng"), ("no", "Hết hiệu lực")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(valid_to__isnull=True)
        if self.value() == "no":
            return queryset.filter(valid_to__isnull=False)
        return queryset


class FoldedSearchMixin:
    """Diacritics-insensitive search: every word must appear in the folded code + name."""

    search_prefix = "search_text"

    def get_search_results(self, request, queryset, search_term):
        words = fold(search_term).split()
        if not words:
            return queryset, False
        condition = Q()
        for word in words:
            condition &= Q(**{f"{self.search_prefix}__contains": word})
        return queryset.filter(condition).distinct(), True


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(PublicationDecision)
class PublicationDecisionAdmin(admin.ModelAdmin):
    list_display = ["number", "signed_on", "kind", "issuer", "basis_effective_on", "published_on", "on_time"]
    list_filter = ["kind"]
    search_fields = ["number", "note"]
    list_select_related = ["issuer"]
    date_hierarchy = "signed_on"

    @admin.display(boolean=True, description="đúng hạn")
    def on_time(self, obj):
        return obj.is_on_time


class VersionInline(admin.TabularInline):
    model = ProcedureVersion
    fields = ["valid_from", "valid_to", "name", "level", "field", "decision"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Procedure)
class ProcedureAdmin(FoldedSearchMixin, admin.ModelAdmin):
    search_prefix = "versions__search_text"
    list_display = ["code", "current_name", "abolished_on"]
    search_fields = ["code"]
    inlines = [VersionInline]

    @admin.display(description="tên (phiên bản hiện hành)")
    def current_name(self, obj):
        current = obj.current_version
        return current.name if current else "—"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("versions")


class CaseInline(admin.StackedInline):
    model = ProcedureCase
    extra = 0
    show_change_link = True
    fields = [
        "order",
        "name",
        ("legal_direct_value", "legal_direct_unit"),
        ("applied_direct_value", "applied_direct_unit"),
        ("legal_online_value", "legal_online_unit"),
        ("applied_online_value", "applied_online_unit"),
        "limit_note",
    ]


class FeeInline(admin.TabularInline):
    model = Fee
    extra = 0
    fields = ["order", "case", "name", "amount_vnd", "text", "note", "channels"]


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(FoldedSearchMixin, admin.ModelAdmin):
    list_display = [
        "procedure",
        "name",
        "level",
        "field",
        "online_level",
        "valid_from",
        "valid_to",
        "decision",
    ]
    list_filter = [CurrentFilter, "level", "online_level", "non_boundary", "field"]
    list_select_related = ["procedure", "field", "decision"]
    search_fields = ["search_text"]
    filter_horizontal = ["agencies"]
    readonly_fields = ["search_text"]
    raw_id_fields = ["procedure", "decision"]
    inlines = [CaseInline, FeeInline]


class ComponentInline(admin.TabularInline):
    model = Component
    extra = 0
    fields = [
        "order",
        "group",
        "name",
        "mandatory",
        "originals",
        "copies",
        "national_paper_code",
        "form_name",
    ]


class WorkflowStepInline(admin.TabularInline):
    model = WorkflowStep
    extra = 0
    fields = ["order", "name", "role", "agency_kind", "agency", "budget_value", "budget_unit"]
    raw_id_fields = ["agency"]


@admin.register(ProcedureCase)
class ProcedureCaseAdmin(FoldedSearchMixin, admin.ModelAdmin):
    search_prefix = "version__search_text"
    list_display = ["version", "order", "name", "legal_direct", "applied_direct", "cut"]
    list_select_related = ["version", "version__procedure"]
    list_filter = ["version__level", "legal_direct_unit"]
    search_fields = ["version__search_text"]
    raw_id_fields = ["version"]
    inlines = [ComponentInline, WorkflowStepInline]

    @admin.display(description="thời hạn luật định")
    def legal_direct(self, obj):
        return str(obj.limits("direct")[0])

    @admin.display(description="thời hạn áp dụng")
    def applied_direct(self, obj):
        return str(obj.limits("direct")[1])

    @admin.display(description="cắt giảm (%)")
    def cut(self, obj):
        return obj.cut_percent
