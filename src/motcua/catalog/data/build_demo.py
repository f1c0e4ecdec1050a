"""One-off: convert the shared reference procedures into the demo catalog document.

    .venv/bin/python src/motcua/catalog/data/build_demo.py \
        /work/shared/data/procedures-camau-sample.json src/motcua/catalog/data/demo_catalog.json

Runs without Django. Everything not in the source (limit units where the portal shows none,
decisions, cuts, workflows, online level, non-boundary flag, mandatory flags) is decided by
the rules below and documented in docs/catalog.md. Deterministic: same input, same output.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

FIELD_GROUP_NAMES = {
    "ho_tich": "Hộ tịch",
    "chung_thuc": "Chứng thực",
    "tu_phap": "Tư pháp (nuôi con nuôi, công chứng, luật sư, trợ giúp pháp lý)",
    "cu_tru_can_cuoc": "Cư trú, căn cước",
    "dat_dai": "Đất đai",
    "xay_dung": "Xây dựng, nhà ở",
    "dang_ky_kinh_doanh": "Đăng ký kinh doanh, hợp tác xã",
    "xa_hoi": "Giảm nghèo",
    "giao_thong": "Giao thông vận tải",
    "nong_nghiep": "Nông nghiệp, thủy sản, thú y",
    "tai_nguyen_moi_truong": "Môi trường, tài nguyên nước",
}

# (signed, basis effective, made public, kind). Some are deliberately late: signed fewer than
# 5 working days before the basis takes effect, or published more than 5 working days after.
DECISION_DATES = [
    ("2025-07-02", "2025-07-15", "2025-07-04", "new"),
    ("2025-07-03", "2025-07-15", "2025-07-08", "new"),
    ("2025-07-10", "2025-07-14", "2025-07-15", "amend"),  # signed late
    ("2025-07-21", "2025-08-01", "2025-07-23", "new"),
    ("2025-08-04", "2025-08-15", "2025-08-20", "amend"),  # published late
    ("2025-08-11", "2025-08-25", "2025-08-13", "new"),
    ("2025-08-18", "2025-09-01", "2025-08-20", "amend"),
    ("2025-09-08", "2025-09-22", "2025-09-10", "new"),
    ("2025-09-15", "2025-09-18", "2025-09-29", "amend"),  # both late
    ("2025-10-01", "2025-10-15", "2025-10-03", "new"),
    ("2025-10-06", "2025-10-20", "2025-10-08", "amend"),
]

PROVINCE_PC = {"ident_code": "000.00.00.H12", "short_name": "UBND tỉnh Cà Mau"}

# implementing_agency_type → province agencies (by short name; the PC by ident code).
PROVINCE_AGENCIES = {
    "UBND/Chủ tịch UBND cấp tỉnh": [PROVINCE_PC],
    "Sở Xây dựng": [{"short_name": "Sở Xây dựng"}],
    "Sở Tài chính": [{"short_name": "Sở Tài chính"}],
    "Sở Tư pháp": [{"short_name": "Sở Tư pháp"}],
    "Công an cấp tỉnh": [{"short_name": "Công an tỉnh"}],
    "Văn phòng đăng ký đất đai (và Chi nhánh)": [{"short_name": "Văn phòng đăng ký đất đai"}],
    "Trung tâm trợ giúp pháp lý nhà nước": [{"short_name": "Trung tâm Trợ giúp pháp lý nhà nước"}],
    "Cơ quan quản lý nhà nước về thủy sản cấp tỉnh": [{"short_name": "Chi cục Thủy sản"}],
    "Cơ quan quản lý chuyên ngành thú y cấp tỉnh": [{"short_name": "Chi cục Chăn nuôi và Thú y"}],
    "Cơ quan chức năng do Ủy ban nhân dân cấp tỉnh chỉ định": [
        {"short_name": "Sở Nông nghiệp và Môi trường"}
    ],
    "Ban Quản lý các Khu công nghiệp": [{"short_name": "Ban Quản lý Khu kinh tế"}],
    "Phòng Cảnh sát giao thông (Công an cấp tỉnh)": [{"short_name": "Phòng Cảnh sát giao thông"}],
}

# Limits the portal gives without a unit or not at all: (value, unit, reasoning).
SAME_DAY_HO_TICH = "Luật Hộ tịch 2014 (Điều 16, 18) và trình tự: giải quyết ngay trong ngày; sau 15 giờ thì trả trong ngày làm việc tiếp theo."
LIMIT_DECISIONS = {
    "1.001193": (1, "same_day", SAME_DAY_HO_TICH),
    "1.000894": (1, "same_day", "Luật Hộ tịch 2014 Điều 18: đăng ký ngay sau khi nhận đủ giấy tờ hợp lệ."),
    "1.000656": (1, "same_day", SAME_DAY_HO_TICH),
    "2.000528": (1, "same_day", SAME_DAY_HO_TICH),
    "2.000635": (
        1,
        "same_day",
        "Nghị định 123/2015/NĐ-CP Điều 64 và trình tự: cấp ngay trong ngày; sau 15 giờ thì ngày làm việc tiếp theo.",
    ),
    "1.004873": (3, "working_days", "Nguồn ghi “3”; trình tự nêu “03 ngày làm việc”."),
    "1.001022": (3, "working_days", "Nguồn ghi “3”; Luật Hộ tịch Điều 25: 03 ngày làm việc."),
    "1.000689": (3, "working_days", "Nguồn ghi “3”; Luật Hộ tịch Điều 25: 03 ngày làm việc."),
    "1.004884": (5, "working_days", "Nguồn ghi “5”; Nghị định 123/2015/NĐ-CP Điều 26: 05 ngày làm việc."),
    "1.004859": (
        1,
        "working_days",
        "Nguồn ghi “1”, không đơn vị; lấy ngày làm việc (đơn vị mặc định của hộ tịch có xác minh).",
    ),
    "2.000806": (5, "working_days", "Nguồn ghi “5”, không đơn vị; lấy ngày làm việc."),
    "2.000815": (
        1,
        "same_day",
        "Nguồn: “Không có thông tin”. Nghị định 23/2015/NĐ-CP Điều 7(1): trong ngày; sau 15 giờ thì ngày làm việc tiếp theo.",
    ),
    "2.000884": (
        1,
        "same_day",
        "Nguồn: “Không có thông tin”. Nghị định 23/2015/NĐ-CP Điều 7(1): trong ngày; sau 15 giờ thì ngày làm việc tiếp theo.",
    ),
    "2.000942": (
        1,
        "same_day",
        "Nguồn: “Không có thông tin”. Cấp bản sao giao dịch đã chứng thực: xử lý trong ngày như Nghị định 23/2015/NĐ-CP Điều 7(1).",
    ),
    "2.001035": (
        2,
        "working_days",
        "Nguồn: “Không có thông tin”. Nghị định 23/2015/NĐ-CP Điều 7(2): hợp đồng, giao dịch không quá 02 ngày làm việc.",
    ),
    "2.001019": (
        2,
        "working_days",
        "Nguồn: “Không có thông tin”. Nghị định 23/2015/NĐ-CP Điều 7(2): không quá 02 ngày làm việc.",
    ),
    "2.000913": (
        2,
        "working_days",
        "Nguồn: “Không có thông tin”. Nghị định 23/2015/NĐ-CP Điều 7(2): không quá 02 ngày làm việc.",
    ),
    "2.001406": (
        2,
        "working_days",
        "Nguồn: “Không có thông tin”. Nghị định 23/2015/NĐ-CP Điều 7(2): không quá 02 ngày làm việc.",
    ),
    "2.001263": (
        30,
        "days",
        "Nguồn: “Không có thông tin”. Luật Nuôi con nuôi 2010 Điều 19: 30 ngày kể từ ngày nhận đủ hồ sơ hợp lệ.",
    ),
    "1.003160": (
        50,
        "days",
        "Nguồn: “Không có thông tin”; mô tả kênh: Sở Tư pháp 20 ngày + thay đổi ý kiến 15 ngày + UBND tỉnh 15 ngày = 50 ngày.",
    ),
    "2.000829": (1, "working_days", "Nguồn ghi “1”, không đơn vị; thụ lý ngay, lấy 01 ngày làm việc."),
    "1.001612": (
        3,
        "working_days",
        "Nguồn: “Không có thông tin”; trình tự: 03 ngày làm việc kể từ ngày nhận hồ sơ.",
    ),
    "2.000720": (
        1,
        "working_days",
        "Nguồn ghi “1”, không đơn vị (trình tự nêu 03 ngày làm việc); giữ số của Cổng, đơn vị ngày làm việc.",
    ),
    "1.001570": (1, "working_days", "Nguồn ghi “1”; trình tự: 01 ngày làm việc."),
    "1.001266": (1, "working_days", "Nguồn ghi “1”, không đơn vị; lấy ngày làm việc."),
    "2.000575": (1, "working_days", "Nguồn ghi “1”; trình tự: 01 ngày làm việc."),
    "2.002029": (1, "working_days", "Nguồn ghi “1”, không đơn vị; lấy ngày làm việc."),
    "1.002338": (1, "working_days", "Nguồn ghi “1”; trình tự: 01 ngày làm việc kể từ ngày nhận hồ sơ."),
    "1.003650": (3, "working_days", "Nguồn ghi “3”; trình tự: 03 ngày làm việc."),
    "1.004359": (5, "working_days", "Nguồn ghi “5”; trình tự: 05 ngày làm việc."),
    "1.014801": (5, "working_days", "Nguồn: “Không có thông tin”; mô tả kênh: 05 ngày làm việc."),
}

PAPER_RESULT_WORDS = (
    "thẻ căn cước",
    "giấy phép lái xe",
    "chứng chỉ hành nghề",
    "thẻ công chứng viên",
    "giấy chứng nhận quyền sử dụng đất",
    "phù hiệu",
    "đăng ký tàu cá",
)
NON_BOUNDARY_FIELDS = {"Hộ tịch", "Chứng thực", "Đăng ký, quản lý cư trú"}
ILLUSTRATIVE = "Số QĐ, ngày tháng và thời hạn áp dụng (cắt giảm) là số liệu minh họa cho bản demo, không phải của tỉnh Cà Mau."


def fold(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return text.lower()


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:100]


def digest(code: str, salt: str = "") -> int:
    return int(hashlib.sha256(f"{salt}{code}".encode()).hexdigest()[:12], 16)


def number(value: Decimal):
    return int(value) if value == value.to_integral_value() else float(value)


def direct_limit(p: dict) -> tuple[Decimal, str, str]:
    if p["code"] in LIMIT_DECISIONS:
        value, unit, why = LIMIT_DECISIONS[p["code"]]
        return Decimal(value), unit, why
    tl = p["time_limit"]
    if tl["value"] is None or tl["unit"] is None:
        raise SystemExit(f"{p['code']}: no limit rule")
    return Decimal(str(tl["value"])), tl["unit"], f"Nguồn: “{tl['text']}” ({tl['channel']})."


def online_limit(p: dict, direct: tuple[Decimal, str, str]) -> tuple[Decimal, str] | None:
    if "Trực tuyến" not in (p.get("submission_channels") or []):
        return None
    rows = [r for r in p["time_limit_by_channel"] if r["channel"] == "Trực tuyến"]
    if not rows or rows[0]["value"] is None:
        return None
    row = rows[0]
    if row["unit"] is None or p["code"] in LIMIT_DECISIONS:
        # Same decision as the direct channel: the portal shows the same bare number.
        if Decimal(str(row["value"])) == direct[0]:
            return None
        return Decimal(str(row["value"])), direct[1]
    value, unit = Decimal(str(row["value"])), row["unit"]
    if (value, unit) == direct[:2]:
        return None
    return value, unit


def cut(code: str, value: Decimal, unit: str) -> tuple[Decimal | None, int]:
    """Illustrative cut: 9 in 10 of the procedures that can be cut, 10–80 %, whole units.

    Never for a limit of 1 unit or less, nor for same_day. When rounding to whole units would
    undo the cut, one unit is cut instead (the percentage is then recomputed).
    """
    h = digest(code, "cut")
    if unit == "same_day" or value <= 1 or h % 100 >= 90:
        return None, 0
    pct = 10 + (h // 100) % 71
    applied = (value * (100 - pct) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    applied = max(applied, Decimal(1))
    if applied >= value:
        applied = value - 1
    pct = int(((1 - applied / value) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return applied, pct


def workflow(value: Decimal, unit: str) -> list[dict]:
    """Receive → appraise → approve → return, budgets summing to the applied limit."""
    if unit == "same_day":
        parts, step_unit = [Decimal("1"), Decimal("5"), Decimal("1.5"), Decimal("0.5")], "working_hours"
    elif value < 3:
        total = value * (8 if unit == "working_days" else 24)
        step_unit = "working_hours" if unit == "working_days" else "hours"
        parts = [Decimal(1), total - Decimal(4), Decimal(2), Decimal(1)]
    else:
        step_unit = unit
        parts = [Decimal("0.5"), value - Decimal(2), Decimal(1), Decimal("0.5")]
    names = [
        ("Tiếp nhận, kiểm tra hồ sơ và chuyển xử lý", "receiving_officer", "one_stop"),
        ("Thẩm định hồ sơ, dự thảo kết quả", "specialist", ""),
        ("Xem xét, phê duyệt kết quả", "unit_leader", ""),
        ("Trả kết quả cho người yêu cầu", "receiving_officer", "one_stop"),
    ]
    return [
        {
            "order": i,
            "name": n,
            "role": r,
            "agency_kind": k,
            "agency": None,
            "budget": {"value": number(v), "unit": step_unit},
        }
        for i, ((n, r, k), v) in enumerate(zip(names, parts, strict=True), start=1)
    ]


def is_conditional(text: str | None) -> bool:
    t = re.sub(r"^[\s\-\*\+•\d\.\)\(]+", "", text or "").strip().lower()
    return t.startswith("trường hợp") or "(nếu có)" in t


def components(p: dict) -> list[dict]:
    out = []
    for i, c in enumerate(p.get("components") or [], start=1):
        out.append(
            {
                "order": i,
                "group": c.get("group") or "",
                "name": c["name"],
                "mandatory": not (is_conditional(c["name"]) or is_conditional(c.get("group"))),
                "originals": c.get("originals") or 0,
                "copies": c.get("copies") or 0,
                "national_paper_code": "",
                "form_name": (c.get("form_file") or "")[:300],
                "form_url": "",
            }
        )
    return out


def fees(p: dict) -> tuple[list[dict], bool]:
    out, bearing = [], False
    for i, f in enumerate(p.get("fees") or [], start=1):
        note = f.get("note") or ""
        if f.get("source_value_suspect"):
            note = (
                note + " " if note else ""
            ) + "[Giá trị trên Cổng nghi sai (trái với ghi chú); để trống số tiền.]"
        amount = f.get("amount_vnd")
        hdnd = "hội đồng nhân dân" in fold(note) or "hdnd" in fold(note)
        if (
            (amount or 0) > 0
            or hdnd
            or (amount is None and f.get("text") not in ("Miễn phí", "Không có thông tin"))
        ):
            bearing = True
        channels = list(dict.fromkeys(f.get("channels") or []))
        out.append(
            {
                "order": i,
                "case_order": None,
                "name": f.get("name") or "Phí, lệ phí",
                "amount_vnd": amount,
                "text": (f.get("text") or "")[:300],
                "note": note,
                "channels": channels,
            }
        )
    return out, bearing


def agencies_for(p: dict) -> tuple[list[dict], bool, str]:
    label = p.get("implementing_agency_type") or ""
    parts = [x.strip() for x in label.split(";") if x.strip()]
    refs: list[dict] = []
    if p["level"] == "xa":
        kind = "police" if parts and parts[0] == "Công an cấp xã" else "peoples_committee"
        for part in parts:
            refs += PROVINCE_AGENCIES.get(part, []) if part != "UBND/Chủ tịch UBND cấp tỉnh" else []
        return refs, True, kind
    for part in parts:
        refs += PROVINCE_AGENCIES.get(part, [])
    if not refs:
        refs = [PROVINCE_PC]
    return refs, False, ""


def build(source: dict) -> dict:
    procs = source["procedures"]
    groups = sorted({p["field_group"] for p in procs})
    decisions, decision_of = [], {}
    for i, group in enumerate(groups):
        signed, effective, published, kind = DECISION_DATES[i % len(DECISION_DATES)]
        number_ = f"{1501 + i * 37}/QĐ-UBND (minh họa)"
        decision_of[group] = (number_, effective)
        decisions.append(
            {
                "number": number_,
                "signed_on": signed,
                "kind": kind,
                "issuer": PROVINCE_PC,
                "basis_effective_on": effective,
                "published_on": published,
                "note": f"Quyết định công bố minh họa, nhóm “{FIELD_GROUP_NAMES.get(group, group)}”. {ILLUSTRATIVE}",
            }
        )
    fields = {}
    out = []
    for p in sorted(procs, key=lambda x: x["code"]):
        fields.setdefault(slug(p["field"]), p["field"])
        value, unit, why = direct_limit(p)
        online = online_limit(p, (value, unit, why))
        applied, pct = cut(p["code"], value, unit)
        case = {
            "order": 1,
            "name": "Trường hợp chung",
            "legal_direct": {"value": number(value), "unit": unit},
            "applied_direct": None,
            "legal_online": {"value": number(online[0]), "unit": online[1]} if online else None,
            "applied_online": None,
            "limit_note": why,
        }
        effective_limit = (value, unit)
        if applied is not None:
            case["applied_direct"] = {"value": number(applied), "unit": unit}
            case["limit_note"] += f" Thời hạn áp dụng: cắt giảm {pct}% (minh họa)."
            effective_limit = (applied, unit)
            if online:
                o_applied = (online[0] * (100 - pct) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
                if online[1] != "same_day" and online[0] > 1 and Decimal(1) <= o_applied < online[0]:
                    case["applied_online"] = {"value": number(o_applied), "unit": online[1]}
        case["components"] = components(p)
        case["workflow"] = workflow(*effective_limit)
        fee_rows, bearing = fees(p)
        refs, at_commune, kind = agencies_for(p)
        result = p.get("result") or ""
        channels = p.get("submission_channels") or []
        paper = any(w in result.lower() for w in PAPER_RESULT_WORDS)
        online_level = "none" if "Trực tuyến" not in channels else "partial" if paper else "full"
        mirror = p.get("source_mirror") or {}
        number_, effective = decision_of[p["field_group"]]
        note = (
            f"Nguồn: {p.get('source')} (bản lưu: {mirror.get('repo')}/{mirror.get('path')}@{mirror.get('commit')}). "
            f"QĐ công bố của Bộ: {p.get('publishing_decision') or 'không ghi'}. Loại thủ tục: {p.get('procedure_type') or 'không ghi'}. "
            f"Kênh nộp: {', '.join(channels) or 'không ghi'}. {ILLUSTRATIVE}"
        )
        version = {
            "valid_from": effective,
            "valid_to": None,
            "decision": number_,
            "field": slug(p["field"]),
            "name": p["name"],
            "level": "commune" if p["level"] == "xa" else "province",
            "implementing_agency_text": p.get("implementing_agency")
            or p.get("implementing_agency_type")
            or "",
            "agencies": refs,
            "competent_at_commune": at_commune,
            "competent_agency_kind": kind,
            "target_persons": p.get("target_subjects") or "",
            "result_text": result,
            "result_codes": "; ".join(
                r["result_code"] for r in p.get("result_items") or [] if r.get("result_code")
            )[:300],
            "paper_result_required": paper,
            "online_level": online_level,
            "non_boundary": p["level"] == "xa" and p["field"] in NON_BOUNDARY_FIELDS,
            "fee_bearing": bearing,
            "legal_basis": "\n".join(p.get("legal_basis") or []),
            "conditions": p.get("conditions") or "",
            "steps_text": "\n".join(p["time_limit"].get("context_from_steps") or []),
            "note": note,
            "cases": [case],
            "fees": fee_rows,
        }
        out.append({"code": p["code"], "abolished_on": None, "abolished_by": None, "versions": [version]})
    return {
        "format": "motcua-catalog",
        "version": 1,
        "source": source.get("source_note", "")[:500],
        "fields": [{"code": c, "name": n} for c, n in sorted(fields.items())],
        "decisions": decisions,
        "procedures": out,
    }


def main(argv: list[str]) -> None:
    src, dst = argv[1], argv[2]
    with open(src, encoding="utf-8") as fh:
        doc = build(json.load(fh))
    with open(dst, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    print(
        f"{len(doc['procedures'])} procedures, {len(doc['fields'])} fields, {len(doc['decisions'])} decisions → {dst}"
    )


if __name__ == "__main__":
    main(sys.argv)
