"""Excel (.xlsx) form of the catalog document: one sheet per table, Vietnamese headers.

Rows are tied together by natural keys: procedure code + "Hiệu lực từ" (version), the case
number (STT trường hợp) and row numbers (STT). Enumerations are written as their Vietnamese
labels and read back as label or code; yes/no as "Có"/"Không".
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook, load_workbook

from motcua.org.models import Agency, StaffAssignment
from motcua.worktime.units import TimeUnit

from . import models as m
from .importexport import FORMAT, FORMAT_VERSION, CatalogImportError

S_FIELDS = "Lĩnh vực"
S_DECISIONS = "QĐ công bố"
S_VERSIONS = "Thủ tục"
S_CASES = "Trường hợp"
S_COMPONENTS = "Thành phần"
S_FEES = "Phí, lệ phí"
S_WORKFLOW = "Quy trình"

LIMITS = (
    ("legal_direct", "luật định – trực tiếp"),
    ("applied_direct", "áp dụng – trực tiếp"),
    ("legal_online", "luật định – trực tuyến"),
    ("applied_online", "áp dụng – trực tuyến"),
)

COLUMNS: dict[str, list[tuple[str, str]]] = {
    S_FIELDS: [("code", "Mã lĩnh vực"), ("name", "Tên lĩnh vực")],
    S_DECISIONS: [
        ("number", "Số quyết định"),
        ("signed_on", "Ngày ký"),
        ("kind", "Loại công bố"),
        ("issuer", "Cơ quan ban hành"),
        ("basis_effective_on", "Ngày văn bản quy định có hiệu lực"),
        ("published_on", "Ngày công khai"),
        ("note", "Ghi chú"),
    ],
    S_VERSIONS: [
        ("code", "Mã thủ tục"),
        ("valid_from", "Hiệu lực từ"),
        ("valid_to", "Hết hiệu lực từ"),
        ("decision", "Số QĐ công bố"),
        ("name", "Tên thủ tục"),
        ("level", "Cấp thực hiện"),
        ("field", "Mã lĩnh vực"),
        ("implementing_agency_text", "Cơ quan thực hiện (nguyên văn)"),
        ("agencies", "Cơ quan có thẩm quyền"),
        ("competent_at_commune", "Cơ quan cấp xã nơi có hồ sơ"),
        ("competent_agency_kind", "Loại cơ quan cấp xã"),
        ("target_persons", "Đối tượng thực hiện"),
        ("result_text", "Kết quả"),
        ("result_codes", "Mã kết quả"),
        ("paper_result_required", "Bắt buộc kết quả bản giấy"),
        ("online_level", "Mức độ DVCTT"),
        ("non_boundary", "Phi địa giới"),
        ("fee_bearing", "Có phí, lệ phí"),
        ("legal_basis", "Căn cứ pháp lý"),
        ("conditions", "Yêu cầu, điều kiện"),
        ("steps_text", "Trình tự thực hiện"),
        ("note", "Ghi chú"),
        ("abolished_on", "Ngày bãi bỏ"),
        ("abolished_by", "QĐ bãi bỏ"),
    ],
    S_CASES: [
        ("code", "Mã thủ tục"),
        ("valid_from", "Hiệu lực từ"),
        ("order", "STT trường hợp"),
        ("name", "Tên trường hợp"),
        *[
            col
            for key, label in LIMITS
            for col in ((f"{key}.value", f"Thời hạn {label}"), (f"{key}.unit", f"Đơn vị ({label})"))
        ],
        ("limit_note", "Ghi chú thời hạn"),
    ],
    S_COMPONENTS: [
        ("code", "Mã thủ tục"),
        ("valid_from", "Hiệu lực từ"),
        ("case_order", "STT trường hợp"),
        ("order", "STT"),
        ("group", "Nhóm"),
        ("name", "Tên giấy tờ"),
        ("mandatory", "Bắt buộc"),
        ("originals", "Số bản chính"),
        ("copies", "Số bản sao"),
        ("national_paper_code", "Mã giấy tờ"),
        ("form_name", "Mẫu đơn, tờ khai"),
        ("form_url", "Đường dẫn mẫu"),
    ],
    S_FEES: [
        ("code", "Mã thủ tục"),
        ("valid_from", "Hiệu lực từ"),
        ("case_order", "STT trường hợp (để trống: mọi trường hợp)"),
        ("order", "STT"),
        ("name", "Tên khoản thu"),
        ("amount_vnd", "Số tiền (đồng)"),
        ("text", "Mức thu (nguyên văn)"),
        ("note", "Ghi chú"),
        ("channels", "Kênh áp dụng"),
    ],
    S_WORKFLOW: [
        ("code", "Mã thủ tục"),
        ("valid_from", "Hiệu lực từ"),
        ("case_order", "STT trường hợp"),
        ("order", "STT bước"),
        ("name", "Tên bước"),
        ("role", "Vai trò"),
        ("agency_kind", "Loại cơ quan"),
        ("agency", "Cơ quan"),
        ("budget.value", "Thời gian"),
        ("budget.unit", "Đơn vị"),
    ],
}

_LABELS = {
    "kind": dict(m.PublicationDecision.Kind.choices),
    "level": dict(m.ProcedureVersion.Level.choices),
    "online_level": dict(m.ProcedureVersion.OnlineLevel.choices),
    "competent_agency_kind": dict(m.ProcedureVersion.CompetentKind.choices),
    "role": dict(StaffAssignment.Role.choices),
    "agency_kind": dict(Agency.Kind.choices),
    "unit": dict(TimeUnit.choices),
}
_BOOLS = {"competent_at_commune", "paper_result_required", "non_boundary", "fee_bearing", "mandatory"}
_DATES = {"signed_on", "basis_effective_on", "published_on", "valid_from", "valid_to", "abolished_on"}


def _agency_cell(ref) -> str:
    if not ref:
        return ""
    return ref.get("ident_code") or ref.get("short_name") or ref.get("name") or ""


def _cell(key: str, value):
    """Document value → cell value."""
    if value is None:
        return None
    leaf = key.rsplit(".", 1)[-1]
    if leaf in _LABELS and value != "":
        return str(_LABELS[leaf].get(value, value))
    if key in _BOOLS:
        return "Có" if value else "Không"
    if key in _DATES:
        return dt.date.fromisoformat(value)
    if key in ("issuer", "agency"):
        return _agency_cell(value)
    if key == "agencies":
        return "; ".join(_agency_cell(a) for a in value)
    if key == "channels":
        return "; ".join(value)
    return value


def workbook_from_document(doc: dict) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    sheets = {name: wb.create_sheet(name) for name in COLUMNS}
    for name, ws in sheets.items():
        ws.append([label for _, label in COLUMNS[name]])
        ws.freeze_panes = "A2"

    def put(sheet: str, record: dict) -> None:
        sheets[sheet].append([_cell(key, record.get(key)) for key, _ in COLUMNS[sheet]])

    for row in doc.get("fields", []):
        put(S_FIELDS, row)
    for row in doc.get("decisions", []):
        put(S_DECISIONS, row)
    for proc in doc.get("procedures", []):
        for v in proc["versions"]:
            key = {"code": proc["code"], "valid_from": v["valid_from"]}
            put(
                S_VERSIONS,
                {
                    **v,
                    **key,
                    "abolished_on": proc.get("abolished_on"),
                    "abolished_by": proc.get("abolished_by"),
                },
            )
            for c in v["cases"]:
                flat = {**key, "order": c["order"], "name": c["name"], "limit_note": c.get("limit_note")}
                for lkey, _ in LIMITS:
                    limit = c.get(lkey) or {}
                    flat[f"{lkey}.value"], flat[f"{lkey}.unit"] = limit.get("value"), limit.get("unit")
                put(S_CASES, flat)
                for x in c.get("components", []):
                    put(S_COMPONENTS, {**x, **key, "case_order": c["order"]})
                for s in c.get("workflow", []):
                    budget = s.get("budget") or {}
                    put(
                        S_WORKFLOW,
                        {
                            **s,
                            **key,
                            "case_order": c["order"],
                            "budget.value": budget.get("value"),
                            "budget.unit": budget.get("unit"),
                        },
                    )
            for f in v.get("fees", []):
                put(S_FEES, {**f, **key})
    return wb


def open_workbook(path: str | Path):
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise CatalogImportError(f"Không đọc được tệp Excel {Path(path).name}: {exc}.") from exc


def _rows(wb, sheet: str, required: bool = True):
    """Yield (loc, record) for each non-empty row, keyed by the document keys."""
    if sheet not in wb.sheetnames:
        if required:
            raise CatalogImportError(f"Tệp Excel thiếu trang “{sheet}”.")
        return
    ws = wb[sheet]
    rows = ws.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, [])]
    by_label = {label: key for key, label in COLUMNS[sheet]}
    missing = [label for label in by_label if label not in header]
    if missing:
        raise CatalogImportError(f"Trang “{sheet}”: thiếu cột {', '.join(f'“{x}”' for x in missing)}.")
    for number, values in enumerate(rows, start=2):
        if values is None or all(v in (None, "") for v in values):
            continue
        record = {}
        for label, value in zip(header, values, strict=False):
            if label in by_label:
                record[by_label[label]] = value.strip() if isinstance(value, str) else value
        yield f"Trang “{sheet}”, dòng {number}", record


def _label_to_code(key: str, value):
    leaf = key.rsplit(".", 1)[-1]
    if leaf in _LABELS and isinstance(value, str):
        for code, label in _LABELS[leaf].items():
            if value.lower() == str(label).lower():
                return code
    return value


def _date_text(value):
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _norm(record: dict) -> dict:
    out = {}
    for key, value in record.items():
        value = _label_to_code(key, value)
        if key in _DATES:
            value = _date_text(value)
        out[key] = value
    return out


def _version_key(loc: str, record: dict) -> tuple[str, str]:
    code = str(record.get("code") or "").strip()
    valid_from = _date_text(record.get("valid_from"))
    if not code or not valid_from:
        raise CatalogImportError(f"{loc}: thiếu “Mã thủ tục” hoặc “Hiệu lực từ”.")
    if isinstance(valid_from, str) and "/" in valid_from:
        try:
            valid_from = dt.datetime.strptime(valid_from, "%d/%m/%Y").date().isoformat()
        except ValueError:
            pass
    return code, str(valid_from)


def document_from_workbook(wb) -> dict:
    doc = {"format": FORMAT, "version": FORMAT_VERSION, "fields": [], "decisions": [], "procedures": []}
    for loc, r in _rows(wb, S_FIELDS, required=False) or []:
        doc["fields"].append({**_norm(r), "_loc": loc})
    for loc, r in _rows(wb, S_DECISIONS):
        doc["decisions"].append({**_norm(r), "_loc": loc})
    procedures: dict[str, dict] = {}
    versions: dict[tuple[str, str], dict] = {}
    for loc, r in _rows(wb, S_VERSIONS):
        code, valid_from = _version_key(loc, r)
        r = _norm(r)
        proc = procedures.setdefault(code, {"code": code, "versions": [], "_loc": loc})
        for key in ("abolished_on", "abolished_by"):
            if r.get(key):
                proc[key] = r[key]
        agencies = [a.strip() for a in str(r.get("agencies") or "").split(";") if a.strip()]
        version = {
            **{k: v for k, v in r.items() if k not in ("code", "abolished_on", "abolished_by")},
            "valid_from": valid_from,
            "agencies": agencies,
            "cases": [],
            "fees": [],
            "_loc": loc,
        }
        if (code, valid_from) in versions:
            raise CatalogImportError(f"{loc}: phiên bản {code} từ {valid_from} bị lặp.")
        versions[(code, valid_from)] = version
        proc["versions"].append(version)

    def owner(loc, r):
        key = _version_key(loc, r)
        if key not in versions:
            raise CatalogImportError(
                f"{loc}: không có thủ tục {key[0]} hiệu lực từ {key[1]} trên trang “{S_VERSIONS}”."
            )
        return versions[key]

    cases: dict[tuple[str, str, int], dict] = {}
    for loc, r in _rows(wb, S_CASES):
        version = owner(loc, r)
        r = _norm(r)
        case = {
            "order": r.get("order"),
            "name": r.get("name"),
            "limit_note": r.get("limit_note"),
            "_loc": loc,
        }
        for lkey, _ in LIMITS:
            value, unit = r.get(f"{lkey}.value"), r.get(f"{lkey}.unit")
            case[lkey] = {"value": value, "unit": unit} if (value not in (None, "") or unit) else None
        case["components"], case["workflow"] = [], []
        version["cases"].append(case)
        cases[(*_version_key(loc, r), _case_no(loc, r.get("order")))] = case

    def case_of(loc, r):
        owner(loc, r)
        key = (*_version_key(loc, r), _case_no(loc, r.get("case_order")))
        if key not in cases:
            raise CatalogImportError(
                f"{loc}: không có trường hợp số {key[2]} của thủ tục {key[0]} trên trang “{S_CASES}”."
            )
        return cases[key]

    for loc, r in _rows(wb, S_COMPONENTS):
        case = case_of(loc, r)
        r = _norm(r)
        case["components"].append(
            {k: v for k, v in r.items() if k not in ("code", "valid_from", "case_order")} | {"_loc": loc}
        )
    for loc, r in _rows(wb, S_WORKFLOW):
        case = case_of(loc, r)
        r = _norm(r)
        step = {
            k: v
            for k, v in r.items()
            if k not in ("code", "valid_from", "case_order", "budget.value", "budget.unit")
        }
        step["budget"] = {"value": r.get("budget.value"), "unit": r.get("budget.unit")}
        case["workflow"].append(step | {"_loc": loc})
    for loc, r in _rows(wb, S_FEES):
        version = owner(loc, r)
        r = _norm(r)
        version["fees"].append(
            {k: v for k, v in r.items() if k not in ("code", "valid_from")} | {"_loc": loc}
        )
    doc["procedures"] = list(procedures.values())
    return doc


def _case_no(loc: str, value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise CatalogImportError(f"{loc}: “STT trường hợp” phải là số nguyên: {value!r}.") from None
