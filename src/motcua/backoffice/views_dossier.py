"""The dossier page (trang hồ sơ): everything about one dossier, the actions the signed-in
person may take now, its files and its printed forms. Thin over ``dossiers.services`` and
``dossiers.selectors``; a dossier the person may not see is a 404, as for a code that does
not exist, so codes do not leak."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from motcua.dossiers import printing, services
from motcua.dossiers.lifecycle import ACTION_LABELS, ACTIONS, ConcurrencyError, LifecycleError
from motcua.dossiers.models import NATIONAL_STATUS, Dossier, Status
from motcua.dossiers.selectors import (
    actor_roles_for,
    dossier_allowed_actions,
    dossier_by_code,
    dossier_history,
)
from motcua.org.models import StaffAssignment
from motcua.worktime.engine import TZ

from .forms import ACTION_FORMS, ActionForm, new_token
from .uploads import sniff_file

MAX_CODE = 60


def _visible(request, code: str) -> Dossier:
    dossier = dossier_by_code(code, user=request.user) if len(code) <= MAX_CODE else None
    if dossier is None:
        raise Http404(_("Không có hồ sơ này, hoặc bạn không được xem hồ sơ này."))
    return dossier


def _assignees(dossier: Dossier) -> list[tuple[int, str]]:
    rows = (
        StaffAssignment.objects.valid_on(timezone.now().astimezone(TZ).date())
        .filter(agency_id__in=[dossier.resolving_agency_id, dossier.receiving_unit_id], user__is_active=True)
        .select_related("user")
        .order_by("user__username")
    )
    seen: dict[int, str] = {}
    for a in rows:
        seen.setdefault(a.user_id, f"{a.user.full_name or a.user.username} ({a.get_role_display()})")
    return list(seen.items())


def _action_form(action: str, dossier: Dossier, data=None) -> ActionForm:
    cls = ACTION_FORMS.get(action, ActionForm)
    kwargs = {"assignees": _assignees(dossier)} if action == "forward" else {}
    initial = {"expected_version": dossier.version, "token": new_token()}
    return cls(data, initial=initial, prefix=action, **kwargs)


def _page(request, dossier: Dossier, *, failed: dict | None = None, status: int = 200):
    roles = actor_roles_for(request.user, dossier)
    allowed = dossier_allowed_actions(dossier, roles)
    failed = failed or {}
    actions = [
        {"name": a, "label": ACTION_LABELS.get(a, a), "form": failed.get(a) or _action_form(a, dossier)}
        for a in allowed
    ]
    components = list(dossier.components.select_related("component").order_by("id"))
    for c in components:
        c.mime = _mime(c) if c.file else None
    history = [
        {
            "row": row,
            "label": ACTION_LABELS.get(row.action, row.action),
            "status": Status(row.to_status).label,
            "new_due": _moment((row.payload or {}).get("due_at")),
            # Read here: in a template ``payload.items`` would be the dict's method.
            "items": (row.payload or {}).get("items") or [],
        }
        for row in dossier_history(dossier)
    ]
    forms = [{"name": f, "label": printing.FORM_LABELS.get(f, f)} for f in printing.forms_available(dossier)]
    ctx = {
        "d": dossier,
        "status_label": Status(dossier.status).label,
        "national_code": dossier.national_status if dossier.status in NATIONAL_STATUS else None,
        "components": components,
        "history": history,
        "actions": actions,
        "printed": forms,
        "reference": dossier.code or dossier.temp_reference,
        "just_received": request.GET.get("moi") == "1",
    }
    return render(request, "backoffice/dossier.html", ctx, status=status)


def _moment(value):
    parsed = parse_datetime(value) if isinstance(value, str) else None
    return parsed.astimezone(TZ) if parsed and timezone.is_aware(parsed) else parsed


def _mime(component) -> str | None:
    try:
        with component.file.open("rb") as f:
            kind = sniff_file(f)
    except OSError:
        return None
    return kind[0] if kind else None


@login_required
def dossier_detail(request, code: str):
    dossier = _visible(request, code)
    services.dossier_audit_personal_read(dossier=dossier, user=request.user, purpose="backoffice_detail")
    return _page(request, dossier)


@login_required
@require_POST
def dossier_action(request, code: str, action: str):
    dossier = _visible(request, code)
    if action not in ACTIONS:
        raise Http404
    form = _action_form(action, dossier, request.POST)
    url = reverse("backoffice:dossier", args=[code])
    if not form.is_valid():
        messages.error(request, _("Thao tác chưa thực hiện: vui lòng kiểm tra thông tin đã nhập."))
        return _page(request, dossier, failed={action: form}, status=422)
    try:
        services.dossier_act(
            dossier=dossier,
            action=action,
            user=request.user,
            payload=form.payload(),
            reason=form.cleaned_data.get("reason", "").strip(),
            idempotency_key=f"page:{form.cleaned_data['token']}",
            expected_version=form.cleaned_data["expected_version"],
        )
    except ConcurrencyError:
        messages.error(
            request,
            _(
                "Hồ sơ đã được người khác cập nhật trong lúc bạn xem. Trang đã được tải lại; vui lòng kiểm tra rồi thao tác lại."
            ),
        )
        return redirect(url)
    except LifecycleError as exc:
        if exc.field and exc.field in form.fields:
            form.add_error(exc.field, exc.message_vi)
        else:
            form.add_error(None, exc.message_vi)
        messages.error(request, exc.message_vi)
        status = 403 if exc.code in ("not_authorized", "role_not_allowed") else 422
        return _page(request, dossier, failed={action: form}, status=status)
    messages.success(request, _("Đã thực hiện: %(action)s.") % {"action": ACTION_LABELS.get(action, action)})
    return redirect(url)


@login_required
@xframe_options_sameorigin
def dossier_file(request, code: str, pk: int):
    """A scanned paper, inline (for the preview), after the same visibility check as the page."""
    dossier = _visible(request, code)
    component = dossier.components.filter(pk=pk).exclude(file="").exclude(file__isnull=True).first()
    if component is None:
        raise Http404
    services.dossier_audit_personal_read(dossier=dossier, user=request.user, purpose="backoffice_file")
    f = component.file.open("rb")
    kind = sniff_file(f)
    if kind is None:
        f.close()
        raise Http404
    response = FileResponse(
        f, content_type=kind[0], as_attachment=False, filename=component.file.name.rsplit("/", 1)[-1]
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def dossier_form_pdf(request, code: str, form: str):
    """A printed form of the dossier as a PDF download (Circular 03/2025 or 01/2018)."""
    dossier = _visible(request, code)
    if form not in printing.FORMS or form not in printing.forms_available(dossier):
        raise Http404
    pdf = printing.render_form(dossier=dossier, form=form)
    response = HttpResponse(pdf, content_type="application/pdf")
    ref = dossier.code or dossier.temp_reference
    response["Content-Disposition"] = f'attachment; filename="{form}-{ref}.pdf"'
    return response
