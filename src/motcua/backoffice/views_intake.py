"""Counter intake (tiếp nhận hồ sơ tại quầy): thin over ``dossiers.services``.

The form carries a one-time token, used as the service's idempotency key: a double click or a
reload that resubmits returns the dossier made the first time instead of a second one.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from motcua.catalog.models import Component, ProcedureCase
from motcua.catalog.selectors import search_procedures
from motcua.dossiers import services
from motcua.dossiers.identity import normalise_number
from motcua.dossiers.lifecycle import LifecycleError
from motcua.dossiers.selectors import (
    counter_units_for,
    dossiers_visible_to,
    resolving_agency_for,
    roles_at_unit,
)
from motcua.org.models import Agency
from motcua.org.selectors import unit_on

from .forms import OUTCOME_ACTIONS, IntakeForm, new_token, parse_items

SEARCH_LIMIT = 20
# Service error fields that are not form fields: where to show them.
_FIELD_MAP = {"resolving_agency": "commune", "receiving_unit": None, "channel": "channel"}


def _counter_unit(request) -> Agency:
    units = counter_units_for(request.user)
    if not units:
        raise PermissionDenied(_("Chỉ cán bộ tiếp nhận của Bộ phận Một cửa được tiếp nhận hồ sơ tại quầy."))
    wanted = request.POST.get("receiving_unit") or request.GET.get("receiving_unit")
    return next((u for u in units if str(u.pk) == wanted), units[0])


def _communes():
    """Communes with a current People's Committee, for the non-boundary picker."""
    return (
        Agency.objects.filter(kind=Agency.Kind.PEOPLES_COMMITTEE, valid_to__isnull=True, admin_unit__level=3)
        .select_related("admin_unit")
        .order_by("admin_unit__name")
    )


def _case_context(case: ProcedureCase | None) -> dict:
    if case is None:
        return {"case": None, "components": []}
    return {"case": case, "components": list(Component.objects.filter(case=case).order_by("order"))}


@login_required
def intake(request):
    unit = _counter_unit(request)
    if request.method == "POST":
        form = IntakeForm(request.POST, files=request.FILES)
        if form.is_valid():
            dossier = _submit(request, form, unit)
            if dossier is not None:
                return redirect(
                    reverse("backoffice:dossier", args=[dossier.code or dossier.temp_reference]) + "?moi=1"
                )
        if request.FILES:
            form.add_error(None, _("Vì lý do an toàn, các tệp quét đã chọn cần được chọn lại trước khi gửi."))
        case = form.cleaned_data.get("case") if hasattr(form, "cleaned_data") else None
        if case is None and request.POST.get("case", "").isdigit():
            case = (
                ProcedureCase.objects.filter(pk=request.POST["case"])
                .select_related("version__procedure")
                .first()
            )
        status = 422
    else:
        form = IntakeForm(initial={"token": new_token()})
        case = None
        status = 200
    ctx = {
        "form": form,
        "unit": unit,
        "units": counter_units_for(request.user),
        "communes": _communes(),
        "commune_selected": request.POST.get("commune", ""),
        "ticked_ids": {int(k[5:]) for k in request.POST if k.startswith("comp_") and k[5:].isdigit()},
        "posted": request.POST,
        **_case_context(case),
    }
    return render(request, "backoffice/intake.html", ctx, status=status)


def _submit(request, form: IntakeForm, unit: Agency):
    d = form.cleaned_data
    case: ProcedureCase = d["case"]
    commune = unit_on(d["commune"]) if d.get("commune", "").isdigit() else None
    if d.get("commune") and commune is None:
        form.add_error("commune", _("Không có xã, phường này."))
        return None
    resolving = resolving_agency_for(case.version, commune=commune, fallback_unit=unit.admin_unit)
    if resolving is None:
        form.add_error(
            "commune", _("Không xác định được cơ quan có thẩm quyền giải quyết: hãy chọn xã, phường.")
        )
        return None
    common = {
        "case": case,
        "channel": d["channel"],
        "receiving_unit": unit,
        "resolving_agency": resolving,
        "applicant": form.applicant(),
        "components": form.components(),
        "actor": request.user,
        "roles": sorted(roles_at_unit(request.user, unit)),
        "unit": unit,
        "idempotency_key": f"counter:{d['token']}",
    }
    try:
        if d["outcome"] == "receive":
            return services.dossier_receive(**common)
        items = parse_items(d.get("items", ""))
        return services.dossier_answer_at_reception(
            action=OUTCOME_ACTIONS[d["outcome"]],
            reason=d.get("reason", ""),
            payload={"items": items} if items else {},
            **common,
        )
    except LifecycleError as exc:
        field = _FIELD_MAP.get(exc.field, exc.field) if exc.field else None
        form.add_error(field if field in form.fields else None, exc.message_vi)
    except ValidationError as exc:  # the model's full_clean inside the service
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    return None


@login_required
@require_GET
def intake_search(request):
    """HTMX: procedures and their cases matching ``q`` (code or name, diacritics ignored)."""
    _counter_unit(request)
    q = request.GET.get("q", "").strip()[:200]
    versions = []
    if q:
        versions = list(search_procedures(q).prefetch_related("cases")[:SEARCH_LIMIT])
    return render(request, "backoffice/partials/intake_results.html", {"versions": versions, "q": q})


@login_required
@require_GET
def intake_case(request, case_id: int):
    """HTMX: the checklist of components of one case."""
    _counter_unit(request)
    case = (
        ProcedureCase.objects.filter(pk=case_id, version__valid_to__isnull=True)
        .select_related("version__procedure")
        .first()
    )
    return render(
        request,
        "backoffice/partials/intake_case.html",
        {**_case_context(case), "ticked_ids": set(), "posted": {}, "component_errors": {}},
    )


APPLICANT_FIELDS = ("applicant_type", "name", "id_kind", "birth_date", "sex", "phone", "email", "address")


@login_required
@require_GET
def intake_applicant(request):
    """HTMX: the applicant fields, filled from the newest dossier the officer may see with the
    same identity number (fields already typed are kept). The read is audited."""
    _counter_unit(request)
    typed = {k: v for k, v in request.GET.items() if k in (*APPLICANT_FIELDS, "id_number") and v}
    number = typed.get("id_number", "").strip()[:20]
    found = None
    if number:
        found = (
            dossiers_visible_to(request.user)
            .filter(id_number=normalise_number(number))
            .order_by("-id")
            .first()
        )
    if found is None:
        return HttpResponse(status=204)  # nothing known: htmx leaves what was typed alone
    initial = dict(typed)
    if found is not None:
        services.dossier_audit_personal_read(dossier=found, user=request.user, purpose="intake_lookup")
        known = {
            "applicant_type": found.applicant_type,
            "name": found.applicant_name,
            "id_kind": found.id_kind,
            "birth_date": found.birth_date.isoformat() if found.birth_date else "",
            "sex": found.sex,
            "phone": found.phone,
            "email": found.email,
            "address": found.address,
        }
        initial = {**{k: v for k, v in known.items() if v}, **typed}
    form = IntakeForm(initial=initial)
    return render(
        request,
        "backoffice/partials/intake_applicant.html",
        {"form": form, "found": (found.code or found.temp_reference) if found else None},
    )
