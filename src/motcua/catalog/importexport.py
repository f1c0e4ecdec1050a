"""Catalog import and export: one JSON document, or an Excel workbook with one sheet per table.

Both go through the same document (``{"format": "motcua-catalog", "version": 1, ...}``) and the
same atomic, idempotent import: natural keys are the field code, the decision number, the
procedure code + version start date, and the ``order`` of cases, components, fees and steps.
A bad record stops the import with a Vietnamese message naming where it is; nothing is loaded.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch

from motcua.org.models import Agency, StaffAssignment
from motcua.worktime.units import TimeUnit

from . import models as m
from .services import VERSION_FIELDS, _empty_stats, _save, describe, version_write

log = logging.getLogger(__name__)

FORMAT = "motcua-catalog"
FORMAT_VERSION = 1


class CatalogImportError(Exception):
    """A refused import; the message (Vietnamese) says where and why."""


@dataclass
class ImportResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def created_total(self) -> int:
        return sum(self.created.values())


# --- value helpers ----------------------------------------------------------------------------


def _fail(loc: str, message: str):
    raise CatalogImportError(f"{loc}: {message}")


def _date(value, loc: str, name: str, required: bool = False) -> dt.date | None:
    if value in (None, ""):
        if required:
            _fail(loc, f"thiếu “{name}”.")
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    _fail(loc, f"“{name}” không phải ngày hợp lệ: {text!r} (dùng YYYY-MM-DD hoặc DD/MM/YYYY).")


def _decimal(value, loc: str, name: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        _fail(loc, f"“{name}” không phải số: {value!r}.")


def _int(value, loc: str, name: str, default: int | None = None) -> int | None:
    if value in (None, ""):
        return default
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        number = None
    if number is None or number != number.to_integral_value():
        _fail(loc, f"“{name}” phải là số nguyên: {value!r}.")
    return int(number)


_TRUE = {"true", "1", "có", "x", "yes", "co"}
_FALSE = {"false", "0", "không", "no", "khong", ""}


def _bool(value, loc: str, name: str, default: bool = False) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    _fail(loc, f"“{name}” phải là Có/Không: {value!r}.")


def _choice(value, choices, loc: str, name: str, blank: bool = False) -> str:
    if value in (None, ""):
        if blank:
            return ""
        _fail(loc, f"thiếu “{name}”.")
    text = str(value).strip()
    for code, label in choices:
        if text == code or text.lower() == str(label).lower():
            return code
    allowed = ", ".join(f"{code} ({label})" for code, label in choices)
    _fail(loc, f"“{name}” không hợp lệ: {text!r}; dùng một trong: {allowed}.")


def _limit(raw, loc: str, name: str) -> tuple[Decimal | None, str]:
    if raw in (None, ""):
        return None, ""
    if not isinstance(raw, dict):
        _fail(loc, f"“{name}” phải có dạng {{value, unit}}.")
    unit = _choice(raw.get("unit"), TimeUnit.choices, loc, f"{name}.unit")
    value = _decimal(raw.get("value"), loc, f"{name}.value")
    if value is None and unit == TimeUnit.SAME_DAY:
        value = Decimal(1)
    if value is None:
        _fail(loc, f"thiếu giá trị của “{name}”.")
    return value, unit


def _number(value: Decimal | None):
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def _agency_ref(agency: Agency | None) -> dict | None:
    if agency is None:
        return None
    return {"ident_code": agency.ident_code, "short_name": agency.short_name, "name": agency.name}


class _Resolver:
    """Finds agencies by ident code, then short name, then name; remembers misses as warnings."""

    def __init__(self, warnings: list[str]):
        self.warnings = warnings
        self.cache: dict[str, Agency | None] = {}

    def __call__(self, ref, loc: str) -> Agency | None:
        if ref in (None, "", {}):
            return None
        if isinstance(ref, str):
            ref = {"ident_code": ref, "short_name": ref}
        key = f"{ref.get('ident_code')}|{ref.get('short_name')}|{ref.get('name')}"
        if key not in self.cache:
            qs = Agency.objects.filter(valid_to__isnull=True)
            found = None
            for attr in ("ident_code", "short_name", "name"):
                if ref.get(attr):
                    found = qs.filter(**{attr: ref[attr]}).order_by("ident_code").first()
                    if found:
                        break
            self.cache[key] = found
            if found is None:
                label = ref.get("short_name") or ref.get("ident_code") or ref.get("name")
                message = f"{loc}: không tìm thấy cơ quan “{label}”, bỏ qua liên kết."
                self.warnings.append(message)
                log.warning(message)
        return self.cache[key]


# --- export ------------------------------------------------------------------------------------


def catalog_export() -> dict:
    """The whole catalog (all versions, current and past) as one JSON-ready document."""
    cases = m.ProcedureCase.objects.order_by("order").prefetch_related(
        Prefetch("components", queryset=m.Component.objects.order_by("order")),
        Prefetch(
            "workflow_steps", queryset=m.WorkflowStep.objects.select_related("agency").order_by("order")
        ),
    )
    versions = (
        m.ProcedureVersion.objects.order_by("valid_from")
        .select_related("decision", "field")
        .prefetch_related(
            "agencies",
            Prefetch("cases", queryset=cases),
            Prefetch("fees", queryset=m.Fee.objects.select_related("case").order_by("order")),
        )
    )
    procedures = (
        m.Procedure.objects.order_by("code")
        .select_related("abolished_by")
        .prefetch_related(Prefetch("versions", queryset=versions))
    )
    doc: dict[str, Any] = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "fields": [{"code": f.code, "name": f.name} for f in m.Field.objects.order_by("code")],
        "decisions": [
            {
                "number": d.number,
                "signed_on": d.signed_on.isoformat(),
                "kind": d.kind,
                "issuer": _agency_ref(d.issuer),
                "basis_effective_on": d.basis_effective_on.isoformat() if d.basis_effective_on else None,
                "published_on": d.published_on.isoformat() if d.published_on else None,
                "note": d.note,
            }
            for d in m.PublicationDecision.objects.select_related("issuer").order_by("signed_on", "number")
        ],
        "procedures": [],
    }
    for procedure in procedures:
        doc["procedures"].append(
            {
                "code": procedure.code,
                "abolished_on": procedure.abolished_on.isoformat() if procedure.abolished_on else None,
                "abolished_by": procedure.abolished_by.number if procedure.abolished_by else None,
                "versions": [_export_version(v) for v in procedure.versions.all()],
            }
        )
    return doc


def _export_limit(value, unit):
    return {"value": _number(value), "unit": unit} if value is not None and unit else None


def _export_version(v: m.ProcedureVersion) -> dict:
    data = {
        "valid_from": v.valid_from.isoformat(),
        "valid_to": v.valid_to.isoformat() if v.valid_to else None,
        "decision": v.decision.number if v.decision else None,
        "field": v.field.code,
        **{name: getattr(v, name) for name in _VERSION_SCALARS},
        "agencies": [_agency_ref(a) for a in sorted(v.agencies.all(), key=lambda a: a.ident_code)],
        "cases": [],
        "fees": [],
    }
    for c in v.cases.all():
        data["cases"].append(
            {
                "order": c.order,
                "name": c.name,
                "legal_direct": _export_limit(c.legal_direct_value, c.legal_direct_unit),
                "applied_direct": _export_limit(c.applied_direct_value, c.applied_direct_unit),
                "legal_online": _export_limit(c.legal_online_value, c.legal_online_unit),
                "applied_online": _export_limit(c.applied_online_value, c.applied_online_unit),
                "limit_note": c.limit_note,
                "components": [
                    {"order": x.order, **{n: getattr(x, n) for n in _COMPONENT_SCALARS}}
                    for x in c.components.all()
                ],
                "workflow": [
                    {
                        "order": s.order,
                        "name": s.name,
                        "role": s.role,
                        "agency_kind": s.agency_kind,
                        "agency": _agency_ref(s.agency),
                        "budget": _export_limit(s.budget_value, s.budget_unit),
                    }
                    for s in c.workflow_steps.all()
                ],
            }
        )
    for f in v.fees.all():
        data["fees"].append(
            {
                "order": f.order,
                "case_order": f.case.order if f.case else None,
                "name": f.name,
                "amount_vnd": f.amount_vnd,
                "text": f.text,
                "note": f.note,
                "channels": list(f.channels),
            }
        )
    return data


_VERSION_SCALARS = VERSION_FIELDS
_VERSION_TEXTS = (
    "implementing_agency_text",
    "target_persons",
    "result_text",
    "result_codes",
    "legal_basis",
    "conditions",
    "steps_text",
    "note",
)
_COMPONENT_SCALARS = (
    "group",
    "name",
    "mandatory",
    "originals",
    "copies",
    "national_paper_code",
    "form_name",
    "form_url",
)


# --- import ------------------------------------------------------------------------------------


def _text(value) -> str:
    return "" if value is None else str(value)


@transaction.atomic
def catalog_import(document: dict) -> ImportResult:
    """Load ``document`` into the catalog, all or nothing. Running it twice changes nothing."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise CatalogImportError(f'Tệp không phải danh mục thủ tục motcua (cần "format": "{FORMAT}").')
    if document.get("version") != FORMAT_VERSION:
        raise CatalogImportError(
            f"Phiên bản định dạng không hỗ trợ: {document.get('version')!r} (cần {FORMAT_VERSION})."
        )
    stats = _empty_stats()
    resolve = _Resolver(stats["warnings"])

    def count(kind: str, created: bool, written: bool) -> None:
        bucket = "created" if created else "updated" if written else None
        if bucket:
            stats[bucket][kind] = stats[bucket].get(kind, 0) + 1

    for i, row in enumerate(document.get("fields") or [], start=1):
        loc = row.get("_loc") or f"Lĩnh vực thứ {i} ({row.get('code')})"
        code = _text(row.get("code")).strip()
        if not code:
            _fail(loc, "thiếu mã lĩnh vực.")
        obj = m.Field.objects.filter(code=code).first() or m.Field(code=code)
        created = obj.pk is None
        try:
            count("fields", created, _save(obj, name=_text(row.get("name")).strip()))
        except ValidationError as exc:
            _fail(loc, describe(exc))

    for i, row in enumerate(document.get("decisions") or [], start=1):
        number = _text(row.get("number")).strip()
        loc = row.get("_loc") or f"Quyết định công bố {number or f'thứ {i}'}"
        if not number:
            _fail(loc, "thiếu số quyết định.")
        obj = m.PublicationDecision.objects.filter(number=number).first() or m.PublicationDecision(
            number=number
        )
        created = obj.pk is None
        values = {
            "signed_on": _date(row.get("signed_on"), loc, "signed_on", required=True),
            "kind": _choice(row.get("kind") or "new", m.PublicationDecision.Kind.choices, loc, "kind"),
            "issuer": resolve(row.get("issuer"), loc),
            "basis_effective_on": _date(row.get("basis_effective_on"), loc, "basis_effective_on"),
            "published_on": _date(row.get("published_on"), loc, "published_on"),
            "note": _text(row.get("note")),
        }
        try:
            count("decisions", created, _save(obj, **values))
        except ValidationError as exc:
            _fail(loc, describe(exc))

    for row in document.get("procedures") or []:
        _import_procedure(row, stats, resolve, count)
    return ImportResult(created=stats["created"], updated=stats["updated"], warnings=stats["warnings"])


def _import_procedure(row: dict, stats: dict, resolve: _Resolver, count) -> None:
    code = _text(row.get("code")).strip()
    loc = row.get("_loc") or f"Thủ tục {code or '(không mã)'}"
    procedure = m.Procedure.objects.filter(code=code).first() or m.Procedure(code=code)
    created = procedure.pk is None
    try:
        count("procedures", created, _save(procedure))
    except ValidationError as exc:
        _fail(loc, describe(exc))
    versions = row.get("versions") or []
    if not versions:
        _fail(loc, "thủ tục phải có ít nhất một phiên bản.")
    parsed = []
    for vrow in versions:
        valid_from = _date(vrow.get("valid_from"), vrow.get("_loc") or loc, "valid_from", required=True)
        vloc = vrow.get("_loc") or f"Thủ tục {code}, phiên bản từ {valid_from:%d/%m/%Y}"
        parsed.append((valid_from, vloc, vrow))
    # Oldest first, so that closing an old version happens before the next one opens.
    parsed.sort(key=lambda item: item[0])
    # Close, first, versions the document ends, so a new current one never meets two.
    for valid_from, vloc, vrow in parsed:
        valid_to = _date(vrow.get("valid_to"), vloc, "valid_to")
        existing = procedure.versions.filter(valid_from=valid_from, valid_to__isnull=True).first()
        if existing and valid_to:
            existing.valid_to = valid_to
            try:
                existing.full_clean()
            except ValidationError as exc:
                _fail(vloc, describe(exc))
            existing.save(update_fields=["valid_to"])
    for valid_from, vloc, vrow in parsed:
        _import_version(procedure, valid_from, vloc, vrow, stats, resolve)
    abolished_on = _date(row.get("abolished_on"), loc, "abolished_on")
    abolished_by = None
    if row.get("abolished_by"):
        abolished_by = m.PublicationDecision.objects.filter(number=row["abolished_by"]).first()
        if abolished_by is None:
            _fail(loc, f"không có quyết định công bố “{row['abolished_by']}”.")
    try:
        count("procedures", False, _save(procedure, abolished_on=abolished_on, abolished_by=abolished_by))
    except ValidationError as exc:
        _fail(loc, describe(exc))


def _import_version(procedure, valid_from, vloc, vrow, stats, resolve) -> None:
    code = procedure.code
    decision = None
    if vrow.get("decision"):
        decision = m.PublicationDecision.objects.filter(number=vrow["decision"]).first()
        if decision is None:
            _fail(vloc, f"trường “decision”: không có quyết định công bố “{vrow['decision']}”.")
    field_obj = m.Field.objects.filter(code=_text(vrow.get("field")).strip()).first()
    if field_obj is None:
        _fail(vloc, f"trường “field” (lĩnh vực): không có lĩnh vực mã “{vrow.get('field')}”.")
    data: dict[str, Any] = {
        "name": _text(vrow.get("name")).strip(),
        "level": _choice(vrow.get("level"), m.ProcedureVersion.Level.choices, vloc, "level"),
        "online_level": _choice(
            vrow.get("online_level") or "none", m.ProcedureVersion.OnlineLevel.choices, vloc, "online_level"
        ),
        "competent_agency_kind": _choice(
            vrow.get("competent_agency_kind"),
            m.ProcedureVersion.CompetentKind.choices,
            vloc,
            "competent_agency_kind",
            True,
        ),
    }
    for name in ("competent_at_commune", "paper_result_required", "non_boundary", "fee_bearing"):
        data[name] = _bool(vrow.get(name), vloc, name)
    for name in _VERSION_TEXTS:
        data[name] = _text(vrow.get(name))
    agencies = [a for a in (resolve(ref, vloc) for ref in vrow.get("agencies") or []) if a is not None]
    cases = []
    raw_cases = vrow.get("cases") or []
    if not raw_cases:
        _fail(vloc, "phiên bản phải có ít nhất một trường hợp với thời hạn giải quyết.")
    for ci, crow in enumerate(raw_cases, start=1):
        order = _int(crow.get("order"), vloc, "order", ci)
        cloc = crow.get("_loc") or f"Thủ tục {code}, phiên bản từ {valid_from:%d/%m/%Y}, trường hợp {order}"
        case = {
            "order": order,
            "name": _text(crow.get("name")).strip(),
            "limit_note": _text(crow.get("limit_note")),
        }
        for prefix in ("legal_direct", "applied_direct", "legal_online", "applied_online"):
            case[f"{prefix}_value"], case[f"{prefix}_unit"] = _limit(crow.get(prefix), cloc, prefix)
        if case["legal_direct_value"] is None:
            _fail(cloc, "trường “legal_direct” (thời hạn luật định): thiếu thời hạn giải quyết.")
        case["_loc"] = cloc
        case["components"] = []
        for xi, xrow in enumerate(crow.get("components") or [], start=1):
            xorder = _int(xrow.get("order"), cloc, "order", xi)
            xloc = xrow.get("_loc") or f"{cloc}, thành phần {xorder}"
            case["components"].append(
                {
                    "order": xorder,
                    "_loc": xloc,
                    "group": _text(xrow.get("group")),
                    "name": _text(xrow.get("name")).strip(),
                    "mandatory": _bool(xrow.get("mandatory"), xloc, "mandatory", True),
                    "originals": _int(xrow.get("originals"), xloc, "originals", 0),
                    "copies": _int(xrow.get("copies"), xloc, "copies", 0),
                    "national_paper_code": _text(xrow.get("national_paper_code")),
                    "form_name": _text(xrow.get("form_name")),
                    "form_url": _text(xrow.get("form_url")),
                }
            )
        case["workflow"] = []
        for si, srow in enumerate(crow.get("workflow") or [], start=1):
            sorder = _int(srow.get("order"), cloc, "order", si)
            sloc = srow.get("_loc") or f"{cloc}, bước {sorder}"
            budget_value, budget_unit = _limit(srow.get("budget"), sloc, "budget")
            if budget_value is None:
                _fail(sloc, "trường “budget” (thời gian): thiếu thời gian của bước.")
            case["workflow"].append(
                {
                    "order": sorder,
                    "_loc": sloc,
                    "name": _text(srow.get("name")).strip(),
                    "role": _choice(srow.get("role"), StaffAssignment.Role.choices, sloc, "role"),
                    "agency_kind": _choice(
                        srow.get("agency_kind"), Agency.Kind.choices, sloc, "agency_kind", True
                    ),
                    "agency": resolve(srow.get("agency"), sloc),
                    "budget_value": budget_value,
                    "budget_unit": budget_unit,
                }
            )
        cases.append(case)
    fees = []
    for fi, frow in enumerate(vrow.get("fees") or [], start=1):
        forder = _int(frow.get("order"), vloc, "order", fi)
        floc = frow.get("_loc") or f"{vloc}, phí/lệ phí {forder}"
        channels = frow.get("channels") or []
        if isinstance(channels, str):
            channels = [c.strip() for c in channels.split(";") if c.strip()]
        amount = _int(frow.get("amount_vnd"), floc, "amount_vnd")
        fees.append(
            {
                "order": forder,
                "_loc": floc,
                "case_order": _int(frow.get("case_order"), floc, "case_order"),
                "name": _text(frow.get("name")).strip() or "Phí, lệ phí",
                "amount_vnd": amount,
                "text": _text(frow.get("text")),
                "note": _text(frow.get("note")),
                "channels": channels,
            }
        )
    valid_to = _date(vrow.get("valid_to"), vloc, "valid_to")
    try:
        version_write(
            procedure=procedure,
            valid_from=valid_from,
            valid_to=valid_to,
            decision=decision,
            field=field_obj,
            data=data,
            agencies=agencies,
            cases=cases,
            fees=fees,
            stats=stats,
        )
    except ValidationError as exc:
        if getattr(exc, "code", None) == "located":
            raise CatalogImportError(exc.messages[0]) from exc
        _fail(vloc, describe(exc))


# --- files ---------------------------------------------------------------------------------------


def export_file(path: str | Path) -> None:
    """Write the catalog to ``path``; the format follows the extension (.json or .xlsx)."""
    import json

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        path.write_text(json.dumps(catalog_export(), ensure_ascii=False, indent=1), encoding="utf-8")
    elif suffix == ".xlsx":
        from .excel import workbook_from_document

        workbook_from_document(catalog_export()).save(path)
    else:
        raise CatalogImportError(f"Không hỗ trợ định dạng “{suffix or path.name}”: dùng .json hoặc .xlsx.")


def load_document(path: str | Path) -> dict:
    """Read a catalog document from a .json or .xlsx file."""
    import json

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".xlsx"):
        raise CatalogImportError(f"Không hỗ trợ định dạng “{suffix or path.name}”: dùng .json hoặc .xlsx.")
    if not path.exists():
        raise CatalogImportError(f"Không tìm thấy tệp {path}.")
    if suffix == ".json":
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CatalogImportError(f"Tệp JSON không hợp lệ: {exc}.") from exc
    if suffix == ".xlsx":
        from .excel import document_from_workbook, open_workbook

        return document_from_workbook(open_workbook(path))
    raise CatalogImportError(f"Không hỗ trợ định dạng “{suffix or path.name}”: dùng .json hoặc .xlsx.")


def import_file(path: str | Path) -> ImportResult:
    return catalog_import(load_document(path))
