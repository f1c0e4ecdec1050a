"""Public pages (cổng dịch vụ công): home, procedure catalog, procedure page, dossier look-up.

No sign-in; nothing here writes. The look-up shows only :class:`~.selectors.PublicDossier`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from motcua.catalog.models import Field, ProcedureVersion

from . import ratelimit
from .selectors import (
    case_channel_limits,
    catalog_agencies,
    catalog_versions,
    dossier_public_lookup,
    normalize_code,
    procedure_public,
)

PAGE_SIZE = 20


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"levels": ProcedureVersion.Level.choices})


def catalog(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:200]
    level = request.GET.get("cap", "")
    if level not in ProcedureVersion.Level.values:
        level = ""
    field = request.GET.get("linh_vuc", "")[:100]
    agency_raw = request.GET.get("co_quan", "")
    agency = int(agency_raw) if agency_raw.isdigit() else None
    versions = catalog_versions(query=q, level=level, field=field, agency=agency)
    page = Paginator(versions, PAGE_SIZE).get_page(request.GET.get("trang"))
    params = request.GET.copy()
    params.pop("trang", None)
    return render(
        request,
        "portal/catalog.html",
        {
            "q": q,
            "level": level,
            "field": field,
            "agency": agency,
            "levels": ProcedureVersion.Level.choices,
            "fields": Field.objects.order_by("name").only("code", "name"),
            "agencies": catalog_agencies().only("id", "name"),
            "page": page,
            "query_string": params.urlencode(),
        },
    )


def procedure(request: HttpRequest, code: str) -> HttpResponse:
    version = procedure_public(code)
    if version is None:
        raise Http404(_("Không tìm thấy thủ tục."))
    cases = [{"case": case, "limits": case_channel_limits(case)} for case in version.cases.all()]
    return render(request, "portal/procedure.html", {"version": version, "cases": cases})


@never_cache
@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    code = normalize_code(request.POST.get("ma") or request.GET.get("ma", ""))[:60]
    context: dict = {"code": code, "result": None, "failed": False, "errors": {}}
    if request.method == "POST":
        secret = request.POST.get("bi_mat", "")[:40]
        if not code:
            context["errors"]["ma"] = _("Nhập mã hồ sơ.")
        if not secret.strip():
            context["errors"]["bi_mat"] = _("Nhập mã bí mật in trên giấy tiếp nhận.")
        if not context["errors"]:
            if not ratelimit.hit("lookup", ratelimit.client_ip(request)):
                minutes = max(1, settings.MOTCUA_LOOKUP_WINDOW_SECONDS // 60)
                response = render(request, "portal/429.html", {"minutes": minutes}, status=429)
                response["Retry-After"] = str(settings.MOTCUA_LOOKUP_WINDOW_SECONDS)
                return response
            result = dossier_public_lookup(code=code, secret=secret)
            context["result"] = result
            context["failed"] = result is None
    status = 400 if context["errors"] else 200
    return render(request, "portal/lookup.html", context, status=status)
