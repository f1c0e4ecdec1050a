"""Printed forms (biểu mẫu) of a dossier as PDF: Circular 03/2025/TT-VPCP Phụ lục I (forms 01–07,
dossiers received from 15/9/2025) and Circular 01/2018/TT-VPCP (forms 01–06, older dossiers).

The form set is chosen by the dossier's reception date (its creation date while unreceived),
never by today's date, so a reprint is the same document. Titles are verified; the field lists
are rebuilt from the 2018 appendix and production systems plus the minimum content Decree
118/2025 requires (``docs/forms.md`` says which is which). The paper size of each form is the
setting ``MOTCUA_FORM_PAPER_SIZES`` because the 2025 appendix is unverified [U].

Rendering: Django templates in ``dossiers/forms/`` → WeasyPrint, with Liberation Serif embedded
from the package's static directory (never a system font), and a QR code (segno, PNG data URI)
of the public look-up link on the receipt. Resources are fetched only from the package's own
directories and ``data:`` URIs.
"""

from __future__ import annotations

import base64
import datetime as dt
import threading
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache, wraps
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from motcua.org.models import Agency
from motcua.worktime.engine import TZ, add_time, working_time_between
from motcua.worktime.units import TimeUnit

from .models import Channel, Dossier, DossierAction, Status

# Circular 03/2025/TT-VPCP takes effect on 15/9/2025 [V tthc-2025-update §1.1].
FORMS_2025_FROM = dt.date(2025, 9, 15)

FONT_DIR = Path(__file__).resolve().parent / "static" / "dossiers" / "fonts"
FONT_FAMILY = "Motcua Serif"  # a private family name: only the embedded files can match it
FONT_FILES = {
    ("normal", "normal"): "LiberationSerif-Regular.ttf",
    ("bold", "normal"): "LiberationSerif-Bold.ttf",
    ("normal", "italic"): "LiberationSerif-Italic.ttf",
    ("bold", "italic"): "LiberationSerif-BoldItalic.ttf",
}

FORMS = (
    "receipt",
    "supplement_request",
    "refusal",
    "apology_extension",
    "stop_notice",
    "control_slip",
)
LEDGER = "ledger"
# Short names of the forms in the staff interface (the printed titles are ``TITLES``).
FORM_LABELS = {
    "receipt": _("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
    "supplement_request": _("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
    "refusal": _("Phiếu từ chối"),
    "apology_extension": _("Văn bản xin lỗi và hẹn lại ngày trả kết quả"),
    "stop_notice": _("Thông báo dừng giải quyết hồ sơ"),
    "control_slip": _("Phiếu kiểm soát quá trình giải quyết hồ sơ"),
}

# (form number, title) per framework. Titles [V]: Circular 01/2018 Art. 9 list and Circular
# 03/2025 Phụ lục I list (tthc-spec §2.4, tthc-2025-update §1.1).
TITLES: dict[str, dict[str, tuple[str, str]]] = {
    "2025": {
        "receipt": ("01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"),
        "supplement_request": ("02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"),
        "refusal": ("03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"),
        "apology_extension": ("04", "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT"),
        "stop_notice": ("05", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ"),
        "control_slip": ("06", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"),
        LEDGER: ("07", "SỔ THEO DÕI HỒ SƠ"),
    },
    "2018": {
        "receipt": ("01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"),
        "supplement_request": ("02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"),
        "refusal": ("03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"),
        "apology_extension": ("04", "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"),
        "control_slip": ("05", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"),
        LEDGER: ("06", "SỔ THEO DÕI HỒ SƠ"),
    },
}
CIRCULARS = {"2025": "Thông tư số 03/2025/TT-VPCP", "2018": "Thông tư số 01/2018/TT-VPCP"}

# Circular 01/2018 Art. 9: A5, the ledger on A4 [V]; the 2025 sizes are unverified [U], and
# production systems print the control slip on A4 portrait [O] (tthc-2025-update §1.4).
DEFAULT_PAPER_SIZES: dict[str, str] = {
    "receipt": "A5",
    "supplement_request": "A5",
    "refusal": "A5",
    "apology_extension": "A5",
    "stop_notice": "A5",
    "control_slip": "A4",
    LEDGER: "A4 landscape",
}
PAPER_SIZES = frozenset({"A5", "A4", "A5 landscape", "A4 landscape", "A5 portrait", "A4 portrait"})

# Actions whose printed form is a hand-over on the control slip (Mẫu 06/2025, 05/2018).
_HANDOVER_ACTIONS = frozenset(
    {
        "forward",
        "consult",
        "consultation_received",
        "request_supplement",
        "supplement_received",
        "request_financial_obligation",
        "obligation_paid",
        "approve",
        "reject_after_appraisal",
        "resolve",
        "stop",
        "close_unanswered",
        "return_result",
    }
)
_FORM_ACTIONS = {
    "supplement_request": ("request_supplement",),
    "refusal": ("refuse_at_reception", "reject_after_appraisal"),
    "apology_extension": ("apologize_and_extend",),
    "stop_notice": ("stop",),
}


def _vietnamese(func):
    """Run ``func`` in Vietnamese: printed forms are legal documents, whatever the page language.
    (A fresh ``override`` per call: one shared as a decorator is not thread-safe.)"""

    @wraps(func)
    def wrapper(*args, **kwargs):
        with translation.override("vi"):
            return func(*args, **kwargs)

    return wrapper


class FormError(ValueError):
    """A form that does not exist, does not apply to the dossier, or is not in the framework."""


# ---------------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------------


def public_url() -> str:
    return str(getattr(settings, "MOTCUA_PUBLIC_URL", "http://127.0.0.1:8000")).rstrip("/")


def lookup_url(code: str) -> str:
    """The public look-up link printed as a QR code on the receipt."""
    return f"{public_url()}/tra-cuu/?ma={quote(code, safe='')}"


def form_place() -> str:
    return str(getattr(settings, "MOTCUA_FORM_PLACE", "Cà Mau"))


def paper_sizes() -> dict[str, str]:
    """``MOTCUA_FORM_PAPER_SIZES`` over the defaults: a dict, or ``"receipt=A5,ledger=A4 landscape"``."""
    raw = getattr(settings, "MOTCUA_FORM_PAPER_SIZES", None) or {}
    if isinstance(raw, str):
        raw = dict(item.split("=", 1) for item in raw.split(",") if "=" in item)
    sizes = dict(DEFAULT_PAPER_SIZES)
    for form, size in raw.items():
        form, size = form.strip(), " ".join(str(size).split())
        if form not in DEFAULT_PAPER_SIZES:
            raise FormError(f"MOTCUA_FORM_PAPER_SIZES: unknown form {form!r}")
        if size not in PAPER_SIZES:
            raise FormError(
                f"MOTCUA_FORM_PAPER_SIZES: {form}={size!r}; expected one of {sorted(PAPER_SIZES)}"
            )
        sizes[form] = size
    return sizes


# ---------------------------------------------------------------------------------------------
# Formatting helpers (Vietnamese administrative style)
# ---------------------------------------------------------------------------------------------


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.astimezone(TZ) if moment is not None else None


def vn_date(day: dt.date | dt.datetime | None) -> str:
    """ "ngày 02 tháng 3 năm 2026" (dots when unknown, to fill by hand)."""
    if day is None:
        return "ngày …… tháng …… năm ……"
    if isinstance(day, dt.datetime):
        day = _local(day).date()
    return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def vn_moment(moment: dt.datetime | None) -> str:
    """ "09 giờ 00 phút, ngày 02 tháng 03 năm 2026"."""
    if moment is None:
        return "…… giờ …… phút, ngày …… tháng …… năm ……"
    m = _local(moment)
    return f"{m.hour:02d} giờ {m.minute:02d} phút, {vn_date(m)}"


def short_moment(moment: dt.datetime | None) -> str:
    """ "09:00 02/03/2026" for tables."""
    return _local(moment).strftime("%H:%M %d/%m/%Y") if moment is not None else ""


def short_date(moment: dt.datetime | None) -> str:
    return _local(moment).strftime("%d/%m/%Y") if moment is not None else ""


def vn_number(value: Decimal | int | float) -> str:
    value = Decimal(str(value)).normalize()
    text = format(value, "f")
    return text.replace(".", ",")


def vn_limit(value: Decimal | int | None, unit: str) -> str:
    """ "03 ngày làm việc", "trong ngày"."""
    if not unit:
        return ""
    if unit == TimeUnit.SAME_DAY:
        return "trong ngày"
    label = TimeUnit(unit).label if unit in TimeUnit.values else unit
    return f"{vn_number(value or 0)} {label}"


def vn_duration(delta: dt.timedelta, minutes_per_day: int) -> str:
    """Working time as "1 ngày 2 giờ 30 phút" (a working day = ``minutes_per_day``)."""
    total = abs(int(delta.total_seconds() // 60))
    days, rest = divmod(total, minutes_per_day)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} ngày"] if days else []
    parts += [f"{hours} giờ"] if hours else []
    parts += [f"{minutes} phút"] if minutes else []
    return " ".join(parts) or "0 phút"


def person(user) -> str:
    if user is None:
        return ""
    return getattr(user, "full_name", "") or user.get_username()


# ---------------------------------------------------------------------------------------------
# Which form set, which forms
# ---------------------------------------------------------------------------------------------


def form_framework(dossier: Dossier) -> str:
    """ "2025" (Circular 03/2025) when received — or, unreceived, created — on or after 15/9/2025."""
    moment = dossier.received_at or dossier.submitted_at or dossier.created_at or timezone.now()
    return "2025" if _local(moment).date() >= FORMS_2025_FROM else "2018"


def _actions(dossier: Dossier) -> list[DossierAction]:
    """The action log, read once per dossier version (every action bumps ``version``)."""
    cached = getattr(dossier, "_printing_actions", None)
    if cached is None or cached[0] != (dossier.pk, dossier.version):
        rows = list(dossier.actions.select_related("actor", "unit").order_by("at", "id"))
        cached = dossier._printing_actions = ((dossier.pk, dossier.version), rows)
    return cached[1]


def forms_available(dossier: Dossier) -> list[str]:
    """The forms that apply to ``dossier`` given its action history, in form-number order."""
    done = {a.action for a in _actions(dossier)}
    received = dossier.received_at is not None and bool(dossier.code)
    available = []
    for form in FORMS:
        if form in ("receipt", "control_slip"):
            ok = received
        else:
            ok = bool(done & set(_FORM_ACTIONS[form]))
        if ok:
            available.append(form)
    return available


def _form_action(dossier: Dossier, form: str, action: DossierAction | int | None) -> DossierAction | None:
    names = _FORM_ACTIONS.get(form)
    if names is None:
        return None
    rows = [a for a in _actions(dossier) if a.action in names]
    if action is not None:
        pk = action.pk if isinstance(action, DossierAction) else action
        rows = [a for a in rows if a.pk == pk]
        if not rows:
            raise FormError(f"Action {pk} of dossier {dossier} does not belong to form {form}")
    return rows[-1] if rows else None


# ---------------------------------------------------------------------------------------------
# Context builders
# ---------------------------------------------------------------------------------------------


def _issuer(unit: Agency | None) -> dict[str, str]:
    """Header left block: the parent body (cơ quan chủ quản) and the one-stop unit."""
    if unit is None:
        return {"parent": "", "name": ""}
    return {"parent": unit.parent.name if unit.parent_id else "", "name": unit.name}


def _limits(dossier: Dossier) -> dict[str, str]:
    applied = vn_limit(dossier.limit_value, dossier.limit_unit)
    legal = ""
    channel = "online" if dossier.channel == Channel.ONLINE else "direct"
    try:
        legal_limit, applied_limit = dossier.case.limits(channel)
    except (ValueError, TypeError):
        legal_limit = applied_limit = None
    if legal_limit is not None:
        legal = vn_limit(legal_limit.value, str(legal_limit.unit))
    if not applied and applied_limit is not None:
        applied = vn_limit(applied_limit.value, str(applied_limit.unit))
    return {"legal": legal, "applied": applied or legal}


def _return_place(dossier: Dossier, payload: dict[str, Any]) -> dict[str, str]:
    """Where and how the result is returned (Decree 118/2025 Art. 22(3): as written on the receipt)."""
    unit = dossier.receiving_unit
    at_unit = unit.name + (f", {unit.address}" if unit.address else "")
    methods = {
        Channel.DIRECT: ("Trực tiếp tại Bộ phận Một cửa", at_unit),
        Channel.ONLINE: (
            "Trực tuyến trên Cổng Dịch vụ công quốc gia (bản điện tử); bản giấy (nếu có) tại Bộ phận Một cửa",
            at_unit,
        ),
        Channel.POSTAL: ("Qua dịch vụ bưu chính công ích", dossier.address or ""),
        Channel.AT_HOME: ("Trả tận nhà", dossier.address or ""),
    }
    method, place = methods.get(dossier.channel, ("", at_unit))
    return {
        "method": str(payload.get("return_method") or method),
        "place": str(payload.get("return_place") or place),
    }


def _components(dossier: Dossier) -> list[dict[str, Any]]:
    return [
        {"name": c.name, "originals": c.originals, "copies": c.copies}
        for c in dossier.components.order_by("id")
    ]


def _ledger_number(dossier: Dossier) -> int | None:
    """Số thứ tự in the receiving unit's ledger: rank of the reception in that year."""
    if dossier.received_at is None:
        return None
    local = _local(dossier.received_at)
    start = dt.datetime(local.year, 1, 1, tzinfo=TZ)
    return (
        Dossier.objects.filter(
            receiving_unit_id=dossier.receiving_unit_id,
            received_at__gte=start,
            received_at__lte=dossier.received_at,
        )
        .exclude(received_at=dossier.received_at, pk__gt=dossier.pk)
        .count()
    )


def _common(dossier: Dossier, form: str, framework: str, when: dt.datetime | None) -> dict[str, Any]:
    number, title = TITLES[framework][form]
    return {
        "form": form,
        "framework": framework,
        "circular": CIRCULARS[framework],
        "form_number": number,
        "title": title,
        "issuer": _issuer(dossier.receiving_unit),
        "place": form_place(),
        "date_line": f"{form_place()}, {vn_date(when)}",
        "dossier": dossier,
        "code": dossier.code or dossier.temp_reference,
        "procedure_name": dossier.procedure_version.name,
        "field_name": getattr(dossier.procedure_version.field, "name", ""),
        "applicant": {
            "name": dossier.applicant_name,
            "address": dossier.address,
            "phone": dossier.phone,
            "email": dossier.email,
            "proxy": dossier.proxy_name,
        },
        "received": vn_moment(dossier.received_at) if dossier.received_at else "",
        "resolving_agency": dossier.resolving_agency.name,
    }


def _items(action: DossierAction) -> list[dict[str, str]]:
    """Numbered items with reasons from a supplement/refusal action's payload.

    ``payload["items"]``: strings, or objects with ``name`` (or ``item``/``content``) and
    ``reason``; without items, the action's reason is the only item.
    """
    items = []
    for raw in action.payload.get("items") or []:
        if isinstance(raw, dict):
            name = raw.get("name") or raw.get("item") or raw.get("content") or ""
            items.append({"name": str(name), "reason": str(raw.get("reason") or "")})
        elif str(raw).strip():
            items.append({"name": str(raw), "reason": ""})
    return items


def _reasons(action: DossierAction) -> list[str]:
    reasons = [str(r) for r in action.payload.get("reasons") or [] if str(r).strip()]
    if not reasons and action.reason.strip():
        reasons = [line.strip(" -•\t") for line in action.reason.splitlines() if line.strip(" -•\t")]
    return reasons


def _parse_moment(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and (parsed := parse_datetime(value)) is not None:
        return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=TZ)
    return None


@dataclass
class Handover:
    index: int
    giver: str
    receiver: str
    at: dt.datetime
    due: dt.datetime | None
    outcome: str
    note: str

    @property
    def moment(self) -> str:
        return vn_moment(self.at)

    @property
    def due_text(self) -> str:
        return short_moment(self.due)


def _outcome(at: dt.datetime, due: dt.datetime | None, calendar, hours) -> tuple[str, str]:
    """Early / on time / late of one hand-over against its step's due moment.

    Late = after the due moment; early = on a day before the due day; on time = on the due day,
    not after the moment (Circular 01/2018 Art. 13 Index 2 applies Index 1 to each agency's share;
    the date convention follows ``facts.legal_outcome``). The note gives the working time.
    """
    if due is None:
        return "", ""
    left = working_time_between(at, due, calendar, hours)
    if at > due and left < dt.timedelta(0):
        return "Quá hạn", f"trễ {vn_duration(left, hours.minutes_per_day)} làm việc"
    if _local(at).date() < _local(due).date():
        return "Trước hạn", f"sớm {vn_duration(left, hours.minutes_per_day)} làm việc"
    return "Đúng hạn", ""


@_vietnamese
def handovers(dossier: Dossier) -> list[Handover]:
    """One row per hand-over of the action log, for the control slip (Mẫu 06/2025, 05/2018)."""
    from motcua.catalog.models import WorkflowStep
    from motcua.worktime.selectors import get_calendar

    from .services import dossier_hours

    if dossier.received_at is None:
        return []
    calendar, hours = get_calendar(), dossier_hours(dossier)
    steps = {s.order: s for s in WorkflowStep.objects.filter(case=dossier.case).order_by("order")}
    one_stop = dossier.receiving_unit.name
    applicant = f"Tổ chức, cá nhân: {dossier.applicant_name}"

    def step_label(order: int) -> str:
        step = steps.get(order)
        if step is None:
            return dossier.resolving_agency.name
        return f"{step.name} ({step.get_role_display()})"

    # Due moment of each step: step 1 from reception, later steps from the forward that opened them.
    first = steps.get(1)
    step_due: dict[int, dt.datetime | None] = {
        1: add_time(dossier.received_at, first.budget_value, first.budget_unit, calendar, hours)
        if first
        else None
    }
    rows: list[Handover] = []
    waiting_since: dt.datetime | None = None
    step = 1
    holder = step_label(1)

    def add(giver: str, receiver: str, action: DossierAction, due, note: str = "") -> None:
        outcome, timing = _outcome(action.at, due, calendar, hours)
        actor = person(action.actor)
        giver_text = giver + (f" — {actor}" if actor else "")
        notes = "; ".join(x for x in (note, timing) if x)
        rows.append(Handover(len(rows) + 1, giver_text, receiver, action.at, due, outcome, notes))

    for action in _actions(dossier):
        if action.action not in _HANDOVER_ACTIONS:
            continue
        p = action.payload or {}
        if action.action == "forward":
            new_step = action.step or step + 1
            step_due[new_step] = _parse_moment(p.get("step_due_at"))
            receiver = step_label(new_step)
            add(holder, receiver, action, step_due.get(step), p.get("note", ""))
            step, holder = new_step, receiver
        elif action.action == "request_supplement":
            add(holder, applicant, action, None, f"Yêu cầu bổ sung: {action.reason}")
            waiting_since = action.at
        elif action.action == "supplement_received":
            add(applicant, holder, action, None, "Nộp bổ sung hồ sơ")
            # The applicant's time is not the step's: its due moment moves by the working time waited.
            if waiting_since is not None and step_due.get(step) is not None:
                waited = working_time_between(waiting_since, action.at, calendar, hours)
                minutes = max(0, int(waited.total_seconds() // 60))
                step_due[step] = add_time(
                    step_due[step], Decimal(minutes) / 60, "working_hours", calendar, hours
                )
            waiting_since = None
        elif action.action == "consult":
            add(holder, str(p.get("consulted") or "Cơ quan phối hợp"), action, None, "Lấy ý kiến")
        elif action.action == "consultation_received":
            add(str(p.get("consulted") or "Cơ quan phối hợp"), holder, action, None, "Có ý kiến")
        elif action.action in ("resolve", "reject_after_appraisal"):
            note = "Có kết quả giải quyết" if action.action == "resolve" else f"Từ chối: {action.reason}"
            add(holder, f"Bộ phận Một cửa: {one_stop}", action, step_due.get(step), note)
            holder = f"Bộ phận Một cửa: {one_stop}"
        elif action.action == "return_result":
            add(holder, applicant, action, dossier.due_at, "Trả kết quả")
        elif action.action in ("stop", "close_unanswered"):
            add(holder, applicant, action, None, f"Dừng giải quyết: {action.reason}".rstrip(": "))
        elif action.action in ("request_financial_obligation", "obligation_paid", "approve"):
            continue
    return rows


# ---------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------


def _qr_data_uri(url: str) -> str:
    import segno

    qr = segno.make(url, error="m", micro=False)
    return qr.png_data_uri(scale=QR_SCALE, border=QR_BORDER)


QR_SCALE = 8
QR_BORDER = 2


@lru_cache(maxsize=1)
def _font_faces() -> str:
    rules = []
    for (weight, style), filename in FONT_FILES.items():
        path = FONT_DIR / filename
        if not path.is_file():
            raise FileNotFoundError(f"Embedded font missing: {path}")
        rules.append(
            f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{path.as_uri()}"); '
            f"font-weight: {weight}; font-style: {style}; }}"
        )
    return "\n".join(rules)


@lru_cache(maxsize=1)
def _fetcher_class():
    from weasyprint.urls import URLFetcher

    roots = (FONT_DIR, Path(__file__).resolve().parent / "templates")

    class PackageFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("file:"):
                path = Path(unquote(urlsplit(url).path)).resolve()
                if not any(path.is_relative_to(root) for root in roots):
                    raise ValueError(f"Forbidden resource: {url}")
            return super().fetch(url, headers)

    return PackageFetcher


def _fetcher():
    """Only the package's own files and ``data:`` URIs; a failed fetch stops the rendering."""
    return _fetcher_class()(allowed_protocols={"file", "data"}, fail_on_errors=True)


_local_state = threading.local()


def _font_config():
    """One WeasyPrint FontConfiguration per thread: the @font-face files are loaded once, not
    at every rendering (it keeps them by rule; a configuration is not shared between threads)."""
    from weasyprint.text.fonts import FontConfiguration

    config = getattr(_local_state, "font_config", None)
    if config is None:
        config = _local_state.font_config = FontConfiguration()
    return config


@_vietnamese
def _pdf(template: str, context: dict[str, Any], paper: str) -> bytes:
    from weasyprint import HTML

    context = {**context, "font_faces": _font_faces(), "font_family": FONT_FAMILY, "paper": paper}
    html = render_to_string(template, context)
    base = Path(__file__).resolve().parent / "templates" / "dossiers" / "forms"
    document = HTML(string=html, base_url=str(base) + "/", url_fetcher=_fetcher())
    return document.write_pdf(font_config=_font_config())


@_vietnamese
def form_context(
    *, dossier: Dossier, form: str, framework: str | None = None, action: DossierAction | int | None = None
) -> dict[str, Any]:
    """The template context of ``form`` (also what tests and the UI read)."""
    if form not in FORMS:
        raise FormError(f"Unknown form {form!r}; expected one of {', '.join(FORMS)}")
    if form not in forms_available(dossier):
        raise FormError(f"Form {form} does not apply to dossier {dossier}")
    framework = framework or form_framework(dossier)
    if framework not in TITLES:
        raise FormError(f"Unknown framework {framework!r}; expected 2025 or 2018")
    if form not in TITLES[framework]:
        if framework == "2018" and form == "stop_notice":
            # No stop notice in the 2018 set; a stop under Decree 118 uses Mẫu 05/2025.
            framework = "2025"
        else:
            raise FormError(f"Form {form} is not in the {framework} form set")
    row = _form_action(dossier, form, action)
    receive = next((a for a in _actions(dossier) if a.action == "receive"), None)
    when = row.at if row is not None else dossier.received_at
    ctx = _common(dossier, form, framework, when)
    ctx["action"] = row
    if row is not None:
        ctx["actor"] = person(row.actor)
        ctx["reason"] = row.reason
        ctx["unit"] = row.unit.name if row.unit_id else ""
    if form == "receipt":
        url = lookup_url(dossier.code)
        payload = (receive.payload if receive else {}) or {}
        ctx.update(
            lookup_url=url,
            qr=_qr_data_uri(url),
            components=_components(dossier),
            sets=payload.get("sets", 1),
            limits=_limits(dossier),
            due=vn_moment(dossier.original_due_at or dossier.due_at),
            returning=_return_place(dossier, payload),
            ledger_book=payload.get("ledger_book") or str(_local(dossier.received_at).year),
            ledger_number=_ledger_number(dossier),
            officer=person(receive.actor) if receive else "",
        )
    elif form == "supplement_request":
        items = _items(row)
        ctx.update(
            items=items or [{"name": row.reason, "reason": ""}],
            reason=row.reason,
            reason_separate=bool(items and row.reason.strip()),
            at_reception=dossier.received_at is None or row.at < dossier.received_at,
            submitted=vn_moment(dossier.received_at or dossier.submitted_at),
            contact=row.payload.get("contact") or ctx["actor"],
            contact_phone=row.payload.get("contact_phone") or dossier.receiving_unit.phone,
        )
    elif form == "refusal":
        ctx.update(
            reasons=_reasons(row),
            after_appraisal=row.action == "reject_after_appraisal",
            submitted=vn_moment(dossier.received_at or dossier.submitted_at),
        )
    elif form == "apology_extension":
        previous = _parse_moment(row.payload.get("previous_due_at")) or dossier.original_due_at
        new = _parse_moment(row.payload.get("due_at")) or dossier.due_at
        ctx.update(previous_due=vn_moment(previous), new_due=vn_moment(new), reason=row.reason)
    elif form == "stop_notice":
        initiator = row.payload.get("initiator") or dossier.stop_initiator
        ctx.update(
            by_applicant=initiator == "applicant",
            reason=row.reason,
            stage=str(dict(Status.choices).get(row.from_status, row.from_status)),
            consequence=row.payload.get("consequence", ""),
            request_at=vn_moment(_parse_moment(row.payload.get("requested_at")) or row.at),
        )
    elif form == "control_slip":
        ctx.update(
            rows=handovers(dossier),
            due=vn_moment(dossier.due_at),
            original_due=vn_moment(dossier.original_due_at) if dossier.extended else "",
            limits=_limits(dossier),
        )
    return ctx


def render_form(
    *, dossier: Dossier, form: str, framework: str | None = None, action: DossierAction | int | None = None
) -> bytes:
    """The PDF of ``form`` for ``dossier`` (``framework`` "2025"/"2018" overrides the choice by
    reception date; ``action`` picks one of several supplement requests, default the last)."""
    ctx = form_context(dossier=dossier, form=form, framework=framework, action=action)
    return _pdf(f"dossiers/forms/{form}.html", ctx, paper_sizes()[form])


@_vietnamese
def ledger_context(*, unit: Agency, date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
    """Rows of the dossier ledger (Sổ theo dõi hồ sơ) of ``unit`` for receptions in the range."""
    if date_to < date_from:
        raise FormError("date_to is before date_from")
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=TZ)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=TZ)
    dossiers = list(
        Dossier.objects.filter(receiving_unit=unit, received_at__gte=start, received_at__lt=end)
        .select_related("procedure_version", "resolving_agency")
        .prefetch_related("actions")
        .order_by("received_at", "id")
    )
    # A range that reaches 15/9/2025 is printed on the newer form (Mẫu 07/2025).
    framework = "2025" if date_to >= FORMS_2025_FROM else "2018"
    status_labels = dict(Status.choices)
    rows = []
    for index, d in enumerate(dossiers, start=1):
        actions = sorted(d.actions.all(), key=lambda a: (a.at, a.id))
        receive = next((a for a in actions if a.action == "receive"), None)
        transfer = next((a for a in actions if a.action == "forward"), None)
        resolved = next((a for a in actions if a.action in ("resolve", "reject_after_appraisal")), None)
        notes = []
        if d.extended:
            notes.append(f"Gia hạn, hẹn ban đầu {short_date(d.original_due_at)}")
        if d.supplement_count:
            notes.append(f"Bổ sung {d.supplement_count} lần")
        if d.status not in (Status.RETURNED, Status.RESOLVED, Status.PROCESSING, Status.RECEIVED):
            notes.append(str(status_labels.get(d.status, d.status)))
        rows.append(
            {
                "index": index,
                "code": d.code,
                "procedure": d.procedure_version.name,
                "sets": (receive.payload.get("sets", 1) if receive else 1),
                "applicant": d.applicant_name,
                "contact": ", ".join(x for x in (d.address, d.phone) if x),
                "resolving_agency": d.resolving_agency.name,
                "received": short_moment(d.received_at),
                "due": short_moment(d.due_at),
                "transferred": short_moment(transfer.at) if transfer else "",
                "resolved": short_moment(resolved.at if resolved else None),
                "returned": short_moment(d.returned_at),
                "note": "; ".join(notes),
            }
        )
    number, title = TITLES[framework][LEDGER]
    return {
        "form": LEDGER,
        "framework": framework,
        "circular": CIRCULARS[framework],
        "form_number": number,
        "title": title,
        "issuer": _issuer(unit),
        "unit": unit,
        "date_from": date_from.strftime("%d/%m/%Y"),
        "date_to": date_to.strftime("%d/%m/%Y"),
        "date_line": f"{form_place()}, {vn_date(timezone.localdate())}",
        "rows": rows,
    }


def render_ledger(*, unit: Agency, date_from: dt.date, date_to: dt.date) -> bytes:
    """The PDF ledger (Mẫu 07/2025, 06/2018) of ``unit`` for dossiers received in the range."""
    ctx = ledger_context(unit=unit, date_from=date_from, date_to=date_to)
    return _pdf("dossiers/forms/ledger.html", ctx, paper_sizes()[LEDGER])


def qr_png(data_uri: str) -> bytes:
    """The PNG bytes of a ``data:image/png;base64,…`` URI (tests decode the QR from these)."""
    return base64.b64decode(data_uri.split(",", 1)[1])
