"""Template helpers of the 766 dashboard: figures where ``None`` reads "không tính được" (never
0), and the menu link shown to leaders only."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from motcua.backoffice.selectors import request_roles
from motcua.indicators.access import LEADER_ROLES

register = template.Library()


def _not_computable() -> str:
    return _("không tính được")


def _trim(value: float, digits: int) -> str:
    text = number_format(round(value, digits), digits, use_l10n=True, force_grouping=False)
    sep = number_format(0.5, 1, use_l10n=True)[1]  # the locale's decimal separator
    if sep in text:
        text = text.rstrip("0").rstrip(sep)
    return text


@register.filter
def score(value, digits: int = 2) -> str:
    """A score or count; ``None`` is "không tính được"."""
    if value is None:
        return _not_computable()
    if isinstance(value, int):
        return number_format(value, 0, use_l10n=True, force_grouping=True)
    return _trim(float(value), int(digits))


@register.filter
def pct(value) -> str:
    """A ratio (0.8571) as a percentage (85,71%); ``None`` is "không tính được"."""
    if value is None:
        return _not_computable()
    return _trim(float(value) * 100, 2) + "%"


@register.filter
def change(value) -> str:
    """A change in points with its sign (+1,5 / −0,25); ``None`` is "không tính được"."""
    if value is None:
        return _not_computable()
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return sign + _trim(abs(float(value)), 2)


@register.simple_tag(takes_context=True)
def indicators_nav_link(context) -> str:
    """The "Chỉ số 766" menu link, for leaders and TTHC control officers only."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not (request_roles(request) & LEADER_ROLES):
        return ""
    url = reverse("backoffice:indicators")
    current = ' aria-current="page"' if request.path.startswith(url) else ""
    return format_html('<a href="{}"{}>{}</a>', url, mark_safe(current), _("Chỉ số 766"))
