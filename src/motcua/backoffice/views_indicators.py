"""The leaders' dashboard of the Decision 766 index (bảng điều hành chỉ số 766), its drill-down to
dossiers and its exports. Thin over ``motcua.indicators`` (access, dashboard, drilldown, exports,
report_pdf); leaders only (``indicators.access``), everybody else gets 403."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.indicators.access import IndicatorAccess, default_scope, indicator_access, scope_agencies
from motcua.indicators.dashboard import annotate_drills, dashboard_data
from motcua.indicators.drilldown import (
    DRILLS,
    DrilldownError,
    dossier_row,
    drilldown_queryset,
    normalize_part,
    part_label,
)
from motcua.indicators.periods import MONTH, QUARTER, RANGE, YEAR, PeriodError, parse_period
from motcua.indicators.profiles import DEFAULT_PROFILE, get_profile
from motcua.indicators.selectors import ScopeError, resolve_scope

PAGE_SIZE = 50
CHART_UNITS = 10  # a long ranking's chart: the first and the last ten units
# An Excel drill-down sheet holds at most this many dossiers (the page says when it is cut).
EXPORT_MAX_ROWS = 20_000
PROCEDURE_RE = re.compile(r"^\d\.\d{6}$")

PERIOD_KINDS = [
    (MONTH, gettext_lazy("Tháng")),
    (QUARTER, gettext_lazy("Quý")),
    (YEAR, gettext_lazy("Năm")),
    (RANGE, gettext_lazy("Khoảng ngày")),
]
PROFILE_CHOICES = [
    ("dvcqg-2026", gettext_lazy("Cổng DVCQG 2026 (6 nhóm)")),
    ("qd766-2022", gettext_lazy("Quyết định 766/2022 (5 nhóm)")),
]


def _access(request) -> IndicatorAccess:
    access = indicator_access(request.user)
    if access is None:
        raise PermissionDenied(_("Chỉ lãnh đạo và cán bộ kiểm soát TTHC được xem chỉ số."))
    return access


class FilterForm(forms.Form):
    """Scope, period and profile of a dashboard view (GET). A ``period`` label in the query
    (2025-Q3, 2025-09, 2025, 2025-07-01..2025-09-30) fills the period fields."""

    scope = forms.CharField(label=gettext_lazy("Phạm vi"), widget=forms.Select)
    kind = forms.ChoiceField(label=gettext_lazy("Loại kỳ"), choices=PERIOD_KINDS, initial=YEAR)
    month = forms.CharField(
        label=gettext_lazy("Tháng"), required=False, widget=forms.TextInput(attrs={"type": "month"})
    )
    quarter = forms.TypedChoiceField(
        label=gettext_lazy("Quý"),
        required=False,
        coerce=int,
        choices=[(q, f"Q{q}") for q in range(1, 5)],
        empty_value=None,
    )
    year = forms.IntegerField(label=gettext_lazy("Năm"), required=False, min_value=2000, max_value=2100)
    date_from = forms.DateField(
        label=gettext_lazy("Từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("Đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    profile = forms.ChoiceField(
        label=gettext_lazy("Bộ tiêu chí"), choices=PROFILE_CHOICES, initial=DEFAULT_PROFILE
    )
    procedure = forms.CharField(
        label=gettext_lazy("Mã thủ tục (tùy chọn)"), required=False, max_length=8, strip=True
    )

    def __init__(self, data, *, access: IndicatorAccess, **kwargs):
        super().__init__(data, **kwargs)
        choices = [("province", _("Toàn tỉnh"))] if access.province else []
        choices += [(a.ident_code, a.name) for a in scope_agencies(access)]
        self.fields["scope"].widget.choices = choices
        self.access = access

    def clean_scope(self):
        """Any unit the person may see (the picker lists the main ones): an unknown code is a 404,
        a unit outside the person's subtree a 403."""
        try:
            scope = resolve_scope(self.cleaned_data["scope"])
        except ScopeError:
            raise Http404(_("Không có đơn vị này.")) from None
        if not self.access.allows(scope):
            raise PermissionDenied(_("Bạn không được xem chỉ số của đơn vị này."))
        return scope

    def clean_procedure(self):
        code = self.cleaned_data.get("procedure") or ""
        if code and not PROCEDURE_RE.match(code):
            raise forms.ValidationError(_("Mã thủ tục có dạng N.NNNNNN, ví dụ 1.000001."))
        return code or None

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        label = ""
        if kind == MONTH:
            label = data.get("month") or ""
            if not label:
                self.add_error("month", _("Chọn tháng."))
        elif kind == QUARTER:
            if not data.get("year") or not data.get("quarter"):
                self.add_error("quarter", _("Chọn quý và năm."))
            else:
                label = f"{data['year']}-Q{data['quarter']}"
        elif kind == YEAR:
            if not data.get("year"):
                self.add_error("year", _("Nhập năm."))
            else:
                label = str(data["year"])
        elif kind == RANGE:
            start, end = data.get("date_from"), data.get("date_to")
            if not start or not end:
                self.add_error("date_from", _("Chọn ngày bắt đầu và ngày kết thúc."))
            else:
                label = f"{start.isoformat()}..{end.isoformat()}"
        if label:
            try:
                data["period"] = parse_period(label)
            except PeriodError as exc:
                field = {MONTH: "month", QUARTER: "quarter", YEAR: "year", RANGE: "date_to"}[kind]
                self.add_error(field, str(exc))
        return data


def _form_data(request) -> dict:
    """The query, with a ``period`` label spread into the period fields and defaults filled."""
    data = {k: request.GET.get(k, "") for k in FilterForm.base_fields}
    label = request.GET.get("period", "").strip()
    if label:
        try:
            period = parse_period(label)
        except PeriodError:
            data["kind"] = RANGE  # shown with an error below
            data["date_from"] = data["date_to"] = ""
            data["_bad_period"] = label
        else:
            data["kind"] = period.kind
            data["year"] = str(period.first.year)
            if period.kind == MONTH:
                data["month"] = period.label
            elif period.kind == QUARTER:
                data["quarter"] = period.label[-1]
            elif period.kind == RANGE:
                data["date_from"], data["date_to"] = period.first.isoformat(), period.last.isoformat()
    if not data["kind"]:
        data["kind"] = YEAR
        data["year"] = data["year"] or str(timezone.localdate().year)
    data["profile"] = data["profile"] or DEFAULT_PROFILE
    return data


def _selection(request, access: IndicatorAccess):
    """(form, scope, period, profile, procedure): the scope checked against the person's access."""
    data = _form_data(request)
    if not data["scope"]:
        data["scope"] = default_scope(access).label
    bad_period = data.pop("_bad_period", None)
    form = FilterForm(data, access=access)
    valid = form.is_valid()
    if bad_period:
        form.add_error("date_from", _("Kỳ không hợp lệ: %(p)s") % {"p": bad_period})
        valid = False
    if not valid:
        return form, None, None, None, None
    scope = form.cleaned_data["scope"]
    profile = get_profile(form.cleaned_data["profile"])
    return form, scope, form.cleaned_data["period"], profile, form.cleaned_data["procedure"]


def _query(scope, period, profile, procedure=None, **extra) -> str:
    params = {"scope": scope.label, "period": period.label, "profile": profile.code}
    if procedure:
        params["procedure"] = procedure
    params.update({k: v for k, v in extra.items() if v is not None})
    return urlencode(params)


def _scope_name(scope) -> str:
    return scope.agency.name if scope.agency is not None else _("Toàn tỉnh")


@login_required
def dashboard(request):
    access = _access(request)
    form, scope, period, profile, procedure = _selection(request, access)
    context = {"form": form, "data": None}
    status = 200
    if scope is None:
        status = 400
    else:
        data = dashboard_data(scope, period, profile, access, procedure=procedure)
        context.update(
            data=data,
            scope_name=_scope_name(scope),
            query=_query(scope, period, profile, procedure),
            charts=_charts(data),
        )
    partial = request.headers.get("HX-Request") and request.headers.get("HX-Target") == "chi-so-noi-dung"
    template = (
        "backoffice/indicators/partials/page.html" if partial else "backoffice/indicators/dashboard.html"
    )
    response = render(request, template, context, status=status)
    if partial and scope is not None:
        # The address bar keeps the canonical view (scope, period label, profile), as links do.
        response["HX-Push-Url"] = f"{request.path}?{context['query']}"
    return response


def _charts(data: dict) -> dict:
    """The figures the browser draws (json_script); every chart also has a table on the page."""
    report = data["report"]
    # The chart shows the first and last units of a long ranking; the table lists them all.
    ranked = [r for r in data["ranking"] if r["share"] is not None]
    chart_units = ranked if len(ranked) <= 2 * CHART_UNITS else ranked[:CHART_UNITS] + ranked[-CHART_UNITS:]
    return {
        "gauges": [
            {"id": "total", "score": report["total"], "max": report["max_total"]},
            *[{"id": g["code"], "score": g["score"], "max": g["max_score"]} for g in report["groups"]],
        ],
        "trend": {
            "labels": [t["period"] for t in data["trend"]],
            "share": [None if t["share"] is None else round(t["share"] * 100, 2) for t in data["trend"]],
            "on_time": [
                None if t["on_time_ratio"] is None else round(t["on_time_ratio"] * 100, 2)
                for t in data["trend"]
            ],
        },
        "ranking": {
            "height": max(240, 22 * len(chart_units) + 60),
            "labels": [r["name"] for r in chart_units],
            "share": [None if r["share"] is None else round(r["share"] * 100, 2) for r in chart_units],
        },
        "cuts": {
            "labels": [b["label"] for b in data["reform"]["cuts"]["bands"]],
            "counts": [b["count"] for b in data["reform"]["cuts"]["bands"]],
        },
    }


@login_required
def group_detail(request, code: str):
    """One group (e.g. Tiến độ giải quyết): its sub-indicators with their dossier lists, and the
    units under the scope with each dossier-based sub-indicator's figures and links."""
    access = _access(request)
    form, scope, period, profile, procedure = _selection(request, access)
    if scope is None:
        return render(
            request, "backoffice/indicators/dashboard.html", {"form": form, "data": None}, status=400
        )
    group = next((g for g in profile.groups if g.code == code), None)
    if group is None:
        raise Http404(_("Không có nhóm chỉ số này."))
    from motcua.indicators.access import ranking_scopes
    from motcua.indicators.selectors import indicator_report

    report = indicator_report(scope, period, profile, procedure=procedure)
    g = next(x for x in report["groups"] if x["code"] == code)
    annotate_drills(g)
    drills = [i.code for i in group.indicators if i.code in DRILLS]
    from motcua.indicators.grouped import grouped_counts

    units = []
    unit_scopes = ranking_scopes(scope, access) if not procedure else []
    # One scan of the rollups for every unit (as the dashboard's ranking), not a report each.
    unit_counts = grouped_counts([(u, period) for u in unit_scopes], profile)
    for unit, counts in zip(unit_scopes, unit_counts, strict=True):
        cells = []
        for ind in drills:
            c = counts.get(ind) or {}
            num, den = c.get("numerator"), c.get("denominator")
            cells.append(
                {
                    "code": ind,
                    "numerator": num,
                    "denominator": den,
                    "rest": None if num is None or den is None else den - num,
                    "ratio": None if num is None or not den else round(num / den, 4),
                    "query": _query(unit, period, profile, indicator=ind),
                    "rest_alias": DRILLS[ind].rest_alias,
                }
            )
        units.append({"label": unit.label, "name": _scope_name(unit), "cells": cells})
    units.sort(
        key=lambda u: (
            (u["cells"][0]["ratio"] is None, u["cells"][0]["ratio"] or 0) if u["cells"] else (True, 0)
        )
    )
    context = {
        "form": form,
        "group": g,
        "scope_name": _scope_name(scope),
        "period": period,
        "profile": profile,
        "query": _query(scope, period, profile, procedure),
        "drills": [
            {"code": c, "rest_label": DRILLS[c].rest_label, "rest_alias": DRILLS[c].rest_alias}
            for c in drills
        ],
        "units": units,
    }
    return render(request, "backoffice/indicators/group.html", context)


def _drill_selection(request, access):
    form, scope, period, profile, procedure = _selection(request, access)
    if scope is None:
        raise Http404(_("Phạm vi hoặc kỳ không hợp lệ."))
    indicator = request.GET.get("indicator", "")
    try:
        part = normalize_part(indicator, request.GET.get("part", ""))
    except DrilldownError as exc:
        raise Http404(str(exc)) from None
    return form, scope, period, profile, procedure, indicator, part


@login_required
def drilldown(request):
    """``/can-bo/chi-so/ho-so/?indicator=ON_TIME&part=late&scope=…&period=…``: the dossiers
    behind a figure, paginated, each linking to its dossier page."""
    access = _access(request)
    form, scope, period, profile, procedure, indicator, part = _drill_selection(request, access)
    qs = drilldown_queryset(scope, period, profile, indicator=indicator, part=part, procedure=procedure)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("trang"))
    base = _query(scope, period, profile, procedure, indicator=indicator, part=request.GET.get("part", part))
    context = {
        "rows": [dossier_row(d) for d in page.object_list],
        "page": page,
        "indicator": profile.indicator(indicator),
        "part_label": part_label(indicator, part),
        "scope_name": _scope_name(scope),
        "period": period,
        "profile": profile,
        "procedure": procedure,
        "query": base,
        "dashboard_query": _query(scope, period, profile, procedure),
    }
    return render(request, "backoffice/indicators/drilldown.html", context)


def _attachment(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _file_stem(scope, period) -> str:
    unit = scope.label.replace(".", "")
    return f"chi-so-766-{unit}-{period.label.replace('..', '_')}"


@login_required
def export_xlsx(request):
    """The dashboard view as Excel: the report, the same-period comparison, the ranking, the
    worst procedures, the reform statistics and a drill-down list (``indicator``/``part`` of the
    query, by default the late dossiers of ON_TIME)."""
    from motcua.indicators.exports import dashboard_workbook

    access = _access(request)
    form, scope, period, profile, procedure = _selection(request, access)
    if scope is None:
        raise Http404(_("Phạm vi hoặc kỳ không hợp lệ."))
    indicator = request.GET.get("indicator") or "ON_TIME"
    try:
        part = normalize_part(indicator, request.GET.get("part") or "late")
    except DrilldownError as exc:
        raise Http404(str(exc)) from None
    data = dashboard_data(scope, period, profile, access, procedure=procedure)
    qs = drilldown_queryset(scope, period, profile, indicator=indicator, part=part, procedure=procedure)
    rows = [dossier_row(d) for d in qs[:EXPORT_MAX_ROWS]]
    content = dashboard_workbook(
        data,
        scope_name=_scope_name(scope),
        drill={
            "indicator": indicator,
            "part": part,
            "label": part_label(indicator, part),
            "rows": rows,
            "total": qs.count() if len(rows) == EXPORT_MAX_ROWS else len(rows),
        },
    )
    return _attachment(
        content,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"{_file_stem(scope, period)}.xlsx",
    )


@login_required
def export_pdf(request):
    """The whole report of the view as PDF (A4, the printed forms' embedded font)."""
    from motcua.indicators.report_pdf import render_report_pdf

    access = _access(request)
    form, scope, period, profile, procedure = _selection(request, access)
    if scope is None:
        raise Http404(_("Phạm vi hoặc kỳ không hợp lệ."))
    data = dashboard_data(scope, period, profile, access, procedure=procedure)
    pdf = render_report_pdf(data, scope_name=_scope_name(scope), generated_at=timezone.localtime())
    return _attachment(pdf, "application/pdf", f"{_file_stem(scope, period)}.pdf")
