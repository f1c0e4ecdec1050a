"""The whole report of a dashboard view as PDF (WeasyPrint), in Vietnamese, with the embedded font
of the printed forms (``dossiers.printing``: Liberation Serif from the package, never a system
font; only the package's files and ``data:`` URIs are fetched).

The template is ``indicators/templates/indicators/report.html``, read by a template engine of its
own so that the indicators app needs no ``INSTALLED_APPS`` entry. Bars are drawn in CSS; every
figure is also written as text.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from django.template import Context, Engine
from django.utils import translation

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"


@lru_cache(maxsize=1)
def _engine() -> Engine:
    return Engine(
        dirs=[str(TEMPLATE_DIR)],
        libraries={"i18n": "django.templatetags.i18n", "indicators_pdf": "motcua.indicators.report_filters"},
        builtins=["motcua.indicators.report_filters"],
    )


def render_report_html(data: dict, *, scope_name: str, generated_at: dt.datetime) -> str:
    from motcua.dossiers.printing import FONT_FAMILY, _font_faces

    context = {
        "d": data,
        "r": data["report"],
        "cmp": data["comparison"],
        "scope_name": scope_name,
        "generated_at": generated_at,
        "font_faces": _font_faces(),
        "font_family": FONT_FAMILY,
    }
    with translation.override("vi"):
        return _engine().get_template("indicators/report.html").render(Context(context))


def render_report_pdf(data: dict, *, scope_name: str, generated_at: dt.datetime) -> bytes:
    """A4 portrait PDF of :func:`dashboard.dashboard_data`."""
    from weasyprint import HTML

    from motcua.dossiers.printing import _fetcher, _font_config

    html = render_report_html(data, scope_name=scope_name, generated_at=generated_at)
    document = HTML(string=html, base_url=str(TEMPLATE_DIR) + "/", url_fetcher=_fetcher())
    return document.write_pdf(font_config=_font_config())
