"""Template helpers of the feedback pages."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.dossiers.models import TERMINAL_STATUSES, Status
from motcua.feedback.services import dossier_evaluable

register = template.Library()

_EVALUABLE_STATUSES = {str(s) for s in TERMINAL_STATUSES} | {str(Status.RESOLVED)}


@register.filter
def evaluable_status(status: str) -> bool:
    """Whether a dossier in ``status`` may be offered the evaluation link (the service checks the
    rest: finished, the applicant's own, not yet evaluated)."""
    return str(status) in _EVALUABLE_STATUSES - {str(Status.REFUSED), str(Status.WITHDRAWN)}


@register.filter
def can_evaluate(dossier) -> bool:
    return dossier_evaluable(dossier) and not getattr(dossier, "evaluated", False)


@register.simple_tag
def petition_deadline_text(petition, now=None) -> dict:
    """The deadline state in words (never colour alone): (css class, text)."""
    now = now or timezone.now()
    if petition.answered_at is not None:
        if petition.answered_on_time:
            return {"css": "ok", "text": _("Trả lời đúng hạn")}
        return {"css": "late", "text": _("Trả lời quá hạn")}
    if not petition.is_open:
        return {"css": "muted", "text": _("Đã đóng")}
    if now > petition.due_at:
        return {"css": "late", "text": _("Quá hạn")}
    return {"css": "ok", "text": _("Còn hạn")}
