"""Django admin for the working calendar and working-hours profiles (Vietnamese labels)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models.functions import ExtractYear
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from motcua.worktime.models import CalendarEntry, WorkingHoursProfile
from motcua.worktime.selectors import calendar_year_exceptions

WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


class YearFilter(admin.SimpleListFilter):
    title = "năm"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = (
            CalendarEntry.objects.annotate(y=ExtractYear("date"))
            .order_by("-y")
            .values_list("y", flat=True)
            .distinct()
        )
        return [(str(y), str(y)) for y in years]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(date__year=int(self.value()))
        return queryset


@admin.register(CalendarEntry)
class CalendarEntryAdmin(admin.ModelAdmin):
    list_display = ("date", "weekday", "kind", "name", "source")
    list_filter = ("kind", YearFilter)
    search_fields = ("name", "source")
    ordering = ("date",)
    date_hierarchy = "date"
    change_list_template = "admin/worktime/calendarentry_change_list.html"

    @admin.display(description="thứ")
    def weekday(self, obj: CalendarEntry) -> str:
        return WEEKDAYS_VI[obj.date.weekday()]

    def get_urls(self):
        return [
            path(
                "effective/",
                self.admin_site.admin_view(self.effective_view),
                name="worktime_calendarentry_effective",
            ),
            *super().get_urls(),
        ]

    def effective_view(self, request):
        """Read-only: the effective closed weekdays and worked weekend days of a year."""
        try:
            year = int(request.GET.get("year", timezone.localdate().year))
        except ValueError:
            year = timezone.localdate().year
        rows = [
            {
                "date": d,
                "weekday": WEEKDAYS_VI[d.weekday()],
                "status": "làm việc" if working else "nghỉ",
                "reason": reason,
                "origin": "quản trị viên" if origin == "entry" else "thư viện holidays",
            }
            for d, working, reason, origin in calendar_year_exceptions(year)
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Lịch làm việc thực tế năm {year}",
            "year": year,
            "rows": rows,
            "years": range(year - 2, year + 3),
            "changelist_url": reverse("admin:worktime_calendarentry_changelist"),
        }
        return TemplateResponse(request, "admin/worktime/effective_year.html", context)


@admin.register(WorkingHoursProfile)
class WorkingHoursProfileAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "morning_start",
        "morning_end",
        "afternoon_start",
        "afternoon_end",
        "cutoff",
        "is_default",
    )
    list_filter = ("is_default",)
    search_fields = ("name",)
