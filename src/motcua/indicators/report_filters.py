"""Filters of the PDF report: ``None`` is "không tính được", never 0 (Vietnamese number style)."""

from __future__ import annotations

from django import template

register = template.Library()

NOT_COMPUTABLE = "không tính được"


def _vn(value: float, digits: int) -> str:
    text = f"{value:,.{digits}f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return text


@register.filter
def vscore(value, digits: int = 2) -> str:
    if value is None:
        return NOT_COMPUTABLE
    if isinstance(value, int):
        return _vn(value, 0)
    return _vn(float(value), int(digits))


@register.filter
def vpct(value) -> str:
    return NOT_COMPUTABLE if value is None else _vn(float(value) * 100, 2) + "%"


@register.filter
def vchange(value) -> str:
    if value is None:
        return NOT_COMPUTABLE
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return sign + _vn(abs(float(value)), 2)


@register.filter
def bar(value, maximum) -> str:
    """Width of a CSS bar in % (0 when not computable: the text says why)."""
    if value is None or not maximum:
        return "0"
    return f"{max(0.0, min(100.0, 100 * float(value) / float(maximum))):.1f}"
