"""A dashboard view as an Excel workbook (openpyxl), from :func:`dashboard.dashboard_data`.

Sheets: ``Báo cáo`` (total, groups and sub-indicators with numerator, denominator, ratio, score,
rule), ``Cùng kỳ`` (same-period comparison), ``Xếp hạng`` (units ranked), ``Thủ tục trễ hạn``
(worst procedures), ``Cải cách TTHC`` (cut time limits and publication decisions) and
``Hồ sơ`` (the drill-down list of the view). A figure that cannot be computed is the text
"không tính được", never 0; ratios are numbers with a percentage format.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .periods import TZ

NOT_COMPUTABLE = "không tính được"
PERCENT = "0.00%"
BOLD = Font(bold=True)


def _v(value):
    """A cell value: ``None`` → "không tính được"; aware moments → local naive (Excel has no
    time zones)."""
    if value is None:
        return NOT_COMPUTABLE
    if isinstance(value, dt.datetime):
        return value.astimezone(TZ).replace(tzinfo=None) if value.tzinfo else value
    return value


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list], *, percent_cols=(), widths=None):
    ws = wb.create_sheet(title)
    ws.append(header)
    for cell in ws[1]:
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        ws.append([_v(x) for x in row])
    for col in percent_cols:
        letter = get_column_letter(col)
        for cell in ws[letter][1:]:
            if isinstance(cell.value, (int, float)):
                cell.number_format = PERCENT
    for i, w in enumerate(widths or [], start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    return ws


def dashboard_workbook(data: dict, *, scope_name: str, drill: dict | None = None) -> bytes:
    """The workbook of one dashboard view; ``drill``: ``{indicator, part, label, rows, total}``."""
    report, cmp = data["report"], data["comparison"]
    wb = Workbook()
    ws = wb.active
    ws.title = "Báo cáo"
    title = f"Bộ chỉ số 766 — {scope_name} ({report['unit']}) — kỳ {report['period']} — {report['profile']}"
    if data.get("procedure"):
        title += f" — thủ tục {data['procedure']}"
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(["Tổng điểm", _v(report["total"]), "Tối đa tính được", report["max_total"]])
    ws.append(
        [
            "Tối đa danh nghĩa",
            report["nominal_max_total"],
            "Số chỉ số không tính được",
            report["not_computable"],
        ]
    )
    ws.append(
        [
            "Cùng kỳ " + (cmp["previous_period"] or ""),
            _v(cmp["previous_total"]),
            "Thay đổi (điểm)",
            _v(cmp["change"]),
        ]
    )
    ws.append([])
    header = [
        "Nhóm",
        "Mã chỉ số",
        "Tên chỉ số",
        "Tử số",
        "Mẫu số",
        "Tỷ lệ",
        "Điểm",
        "Điểm tối đa",
        "Cách tính",
    ]
    ws.append(header)
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = BOLD
    for g in report["groups"]:
        ws.append([g["name"], g["code"], "Cộng nhóm", "", "", "", _v(g["score"]), g["max_score"], ""])
        for cell in ws[ws.max_row]:
            cell.font = BOLD
        for i in g["indicators"]:
            ws.append(
                [
                    g["name"],
                    i["code"],
                    i["name"],
                    _v(i["numerator"]),
                    _v(i["denominator"]),
                    _v(i["ratio"]),
                    _v(i["score"]),
                    i["max_score"],
                    i["rule"],
                ]
            )
            cell = ws.cell(ws.max_row, 6)
            if isinstance(cell.value, float | int):
                cell.number_format = PERCENT
    for col, width in zip("ABCDEFGHI", (28, 34, 48, 10, 10, 10, 10, 10, 80), strict=True):
        ws.column_dimensions[col].width = width

    _sheet(
        wb,
        "Cùng kỳ",
        [
            "Nhóm",
            f"Kỳ này ({cmp['period']})",
            f"Cùng kỳ ({cmp['previous_period']})",
            "Thay đổi (điểm)",
            "So sánh được",
        ],
        [
            [g["name"], g["score"], g["previous_score"], g["change"], "có" if g["comparable"] else "không"]
            for g in cmp["groups"]
        ]
        + [
            [
                "Tổng",
                cmp["total"],
                cmp["previous_total"],
                cmp["change"],
                "có" if cmp["comparable"] else "không",
            ]
        ],
        widths=[34, 16, 18, 16, 14],
    )
    _sheet(
        wb,
        "Xếp hạng",
        [
            "Hạng",
            "Mã đơn vị",
            "Đơn vị",
            "Điểm",
            "Tối đa tính được",
            "Tỷ lệ điểm",
            "Số chỉ số không tính được",
        ],
        [
            [
                r["rank"] if r["rank"] is not None else "—",
                r["unit"],
                r["name"],
                r["total"],
                r["max_total"],
                r["share"],
                r["not_computable"],
            ]
            for r in data["ranking"]
        ],
        percent_cols=(6,),
        widths=[8, 20, 44, 10, 14, 12, 14],
    )
    _sheet(
        wb,
        "Thủ tục trễ hạn",
        ["Mã thủ tục", "Tên thủ tục", "Đúng hạn", "Tổng", "Trễ hạn", "Tỷ lệ đúng hạn"],
        [
            [p["procedure"], p["name"], p["numerator"], p["denominator"], p["rest"], p["ratio"]]
            for p in data["worst"]
        ],
        percent_cols=(6,),
        widths=[14, 60, 10, 10, 10, 14],
    )
    reform = data["reform"]
    cuts, pub = reform["cuts"], reform["publication"]
    ws = _sheet(
        wb,
        "Cải cách TTHC",
        ["Chỉ tiêu", "Giá trị"],
        [
            [f"Thủ tục đang áp dụng (ngày {cuts['on']})", cuts["tthc"]],
            ["Thủ tục được cắt giảm thời hạn", cuts["cut"]],
            ["Tỷ lệ thủ tục được cắt giảm", cuts["share"]],
            ["Cắt giảm từ 20% đến 80%", cuts["cut_20_80"]],
            ["Không so sánh được (khác đơn vị thời hạn)", cuts["not_comparable"]],
            *[[f"Mức cắt giảm: {b['label']}", b["count"]] for b in cuts["bands"]],
            [f"Quyết định công bố trong kỳ {pub['period']}", pub["decisions"]],
            ["Thủ tục được công bố", pub["tthc"]],
            ["Ban hành đúng hạn / xét được", f"{pub['signed_in_time']} / {pub['signed_judged']}"],
            ["Công khai đúng hạn / xét được", f"{pub['published_in_time']} / {pub['published_judged']}"],
            ["Công bố đúng hạn (cả hai) / xét được", f"{pub['on_time']} / {pub['on_time_judged']}"],
            ["Tỷ lệ công bố đúng hạn", pub["on_time_rate"]],
            ["Chưa công khai", pub["not_yet_published"]],
        ],
        widths=[52, 18],
    )
    for row in (4, 16):  # the two shares
        cell = ws.cell(row, 2)
        if isinstance(cell.value, float | int):
            cell.number_format = PERCENT
    ws.append([])
    ws.append(["Mã thủ tục", "Tên thủ tục", "Cấp", "Mức cắt giảm (%)", "Trường hợp", "Luật định", "Áp dụng"])
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    for r in reform["cut_rows"]:
        if r["cut_percent"] is not None:
            ws.append(
                [
                    r["procedure"],
                    r["name"],
                    r["level"],
                    float(r["cut_percent"]),
                    r["case"],
                    r["legal"],
                    r["applied"],
                ]
            )

    if drill is not None:
        rows = drill["rows"]
        ws = _sheet(
            wb,
            "Hồ sơ",
            [
                "Mã hồ sơ",
                "Mã thủ tục",
                "Tên thủ tục",
                "Nơi tiếp nhận",
                "Cơ quan giải quyết",
                "Kênh",
                "Tiếp nhận",
                "Hẹn trả",
                "Kết thúc xử lý",
                "Trạng thái",
                "Số lần bổ sung",
                "Đã gia hạn",
            ],
            [
                [
                    r["code"],
                    r["procedure"],
                    r["procedure_name"],
                    r["receiving_unit"],
                    r["resolving_agency"],
                    r["channel"],
                    r["received_at"],
                    r["due_at"],
                    r["finished_at"] or "",
                    r["status"],
                    r["supplement_count"],
                    "có" if r["extended"] else "",
                ]
                for r in rows
            ],
            widths=[30, 12, 40, 30, 30, 12, 17, 17, 17, 24, 10, 10],
        )
        for col in ("G", "H", "I"):
            for cell in ws[col][1:]:
                if isinstance(cell.value, dt.datetime):
                    cell.number_format = "dd/mm/yyyy hh:mm"
        ws.insert_rows(1)
        ws["A1"] = f"{drill['indicator']} — {drill['label']}: {drill['total']} hồ sơ" + (
            f" (tệp này có {len(rows)} hồ sơ đầu tiên)" if drill["total"] > len(rows) else ""
        )
        ws["A1"].font = BOLD
        ws.freeze_panes = "A3"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
