"""Template helpers of the staff pages: navigation and the working-time-left text."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from motcua.backoffice.selectors import DUE_TODAY, EARLY, OVERDUE, Urgency, request_roles
from motcua.org.models import StaffAssignment

register = template.Library()

URGENCY_LABELS = {
    EARLY: gettext_lazy("Còn hạn"),
    DUE_TODAY: gettext_lazy("Đến hạn hôm nay"),
    OVERDUE: gettext_lazy("Quá hạn"),
}


@register.inclusion_tag("backoffice/partials/inbox_nav.html", takes_context=True)
def backoffice_nav(context):
    """Links of the staff menu; Tiếp nhận only for receiving officers, Quản trị only for is_staff."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    roles = request_roles(request)
    return {
        "show": True,
        "path": request.path,
        "receiving": StaffAssignment.Role.RECEIVING_OFFICER in roles,
        "is_staff": user.is_staff,
    }


@register.filter
def urgency_label(u: Urgency | None) -> str:
    return str(URGENCY_LABELS[u.label]) if u else ""


@register.filter
def working_time_left(u: Urgency | None) -> str:
    """ "còn 2 ngày 3 giờ làm việc", "quá hạn 1 ngày 2 giờ", "còn 45 phút làm việc"."""
    if u is None:
        return ""
    days, hours, minutes = u.days_hours_minutes
    parts = []
    if days:
        parts.append(ngettext("%(n)d ngày", "%(n)d ngày", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)d giờ", "%(n)d giờ", hours) % {"n": hours})
    if not parts:
        parts.append(ngettext("%(n)d phút", "%(n)d phút", minutes) % {"n": minutes})
    amount = " ".join(parts)
    if u.working_minutes < 0:
        return _("quá hạn %(t)s") % {"t": amount}
    return _("còn %(t)s làm việc") % {"t": amount}
