"""The officer's inbox (hộp việc) and the bulk hand-over after the 15:00 cut-off."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.backoffice.selectors import (
    annotate_urgency,
    handover_candidates,
    inbox_procedures,
    inbox_queryset,
    request_roles,
)
from motcua.dossiers.models import Channel, Status
from motcua.dossiers.services import dossier_bulk_handover
from motcua.worktime.selectors import get_calendar, get_working_hours

PAGE_SIZE = 25
INBOX_STATUSES = (
    Status.SUBMITTED,
    Status.RECEIVED,
    Status.PROCESSING,
    Status.CONSULTING,
    Status.FINANCIAL_OBLIGATION,
    Status.APPROVED,
    Status.RESOLVED,
)


def _filters(request) -> dict[str, str]:
    channel = request.GET.get("kenh", "")
    status = request.GET.get("trang_thai", "")
    return {
        "procedure": request.GET.get("thu_tuc", "").strip()[:50],
        "channel": channel if channel in Channel.values else "",
        "status": status if status in INBOX_STATUSES else "",
    }


@login_required
def inbox(request):
    now = timezone.now()
    roles = request_roles(request)
    default_hours = get_working_hours(None)
    batch = handover_candidates(request.user, roles=roles, default_hours=default_hours)
    filters = _filters(request)
    qs = inbox_queryset(request.user, roles=roles, **filters).exclude(pk__in=[d.pk for d in batch])
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("trang"))
    rows = list(page.object_list)
    calendar = get_calendar()
    annotate_urgency(rows, now=now, calendar=calendar)
    annotate_urgency(batch, now=now, calendar=calendar)
    query = request.GET.copy()
    query.pop("trang", None)
    context = {
        "rows": rows,
        "page": page,
        "filters": filters,
        "batch": batch,
        "now": now,
        "query": query.urlencode(),
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "inbox-table":
        return render(request, "backoffice/partials/inbox_table.html", context)
    context.update(
        procedures=inbox_procedures(inbox_queryset(request.user, roles=roles)),
        channels=Channel.choices,
        statuses=[(s.value, s.label) for s in INBOX_STATUSES],
    )
    return render(request, "backoffice/inbox.html", context)


@login_required
@require_POST
def handover(request):
    """Forward the ticked after-cut-off dossiers; the page reports each one (PRG)."""
    roles = request_roles(request)
    batch = {
        d.pk: d for d in handover_candidates(request.user, roles=roles, default_hours=get_working_hours(None))
    }
    chosen: list = []
    versions: dict[int, int] = {}
    missing = 0
    for value in request.POST.getlist("chon"):
        pk, _sep, version = value.partition(":")
        if pk.isdigit() and version.isdigit() and int(pk) in batch:
            chosen.append(batch[int(pk)])
            versions[int(pk)] = int(version)
        else:
            missing += 1
    if missing:
        messages.error(
            request,
            _("%(n)d hồ sơ đã chọn không còn chờ chuyển hoặc bạn không có quyền chuyển.") % {"n": missing},
        )
    elif not chosen:
        messages.warning(request, _("Chưa chọn hồ sơ nào để chuyển."))
    for result in dossier_bulk_handover(dossiers=chosen, user=request.user, expected_versions=versions):
        code = result.dossier.code
        if result.ok:
            messages.success(request, _("%(code)s: đã chuyển sang bước xử lý tiếp theo.") % {"code": code})
        else:
            messages.error(
                request, _("%(code)s: không chuyển được — %(why)s") % {"code": code, "why": result.message}
            )
    return redirect("backoffice:inbox")
