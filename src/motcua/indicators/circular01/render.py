"""Text output of the Circular 01/2018 evaluation and the ``motcua indicators --profile
circular01-2018`` command."""

from __future__ import annotations

import json

from ..periods import Period
from ..profiles import UNVERIFIED
from ..selectors import resolve_scope
from .counts import circular01_report, rank_units
from .params import PROFILE_CODE, PROFILE_NAME
from .scoring import compare_reports


def render_table(report: dict) -> str:
    """The evaluation as a Vietnamese text table (``motcua indicators --format table``)."""

    def num(x):
        if x is None:
            return "—"
        return f"{x:.2f}".rstrip("0").rstrip(".") if isinstance(x, float) else str(x)

    lines = [
        f"Đánh giá theo {PROFILE_NAME} — đơn vị {report['unit']} — kỳ {report['period']}",
        f"Tổng điểm: {num(report['total'])} / {num(report['max_total'])} (tối đa 18; "
        f"{report['not_computable']} chỉ số không tính được)",
        f"Xếp loại: {report['classification_name'] or '— (chưa đủ 9 chỉ số)'}; "
        f"tạm tính: {report['classification_prorated_name'] or '—'} "
        f"({num(report['prorated_total'])} / 18) {UNVERIFIED}",
        "",
        f"{'Chỉ số':<62} {'Tử số':>8} {'Mẫu số':>8} {'Tỷ lệ':>8} {'Điểm':>6} {'Tối đa':>6}",
    ]
    for i in report["indices"]:
        name = f"{i['code']} {i['name']}"
        if len(name) > 62:
            name = name[:61] + "…"
        lines.append(
            f"{name:<62} {num(i['numerator']):>8} {num(i['denominator']):>8} {num(i['ratio']):>8} "
            f"{num(i['score']):>6} {i['max_score']:>6}"
        )
    lines.append("")
    lines.append(
        "— : không tính được (chưa có nguồn dữ liệu hoặc mẫu số 0); quy tắc từng chỉ số: --format json"
    )
    return "\n".join(lines)


def render_comparison(cmp: dict) -> str:
    def num(x):
        return "—" if x is None else f"{x:g}"

    lines = [f"Cùng kỳ: {cmp['period']} so với {cmp['previous_period']}"]
    for i in cmp["indices"]:
        change = "—" if i["change"] is None else f"{i['change']:+.2f}"
        lines.append(f"{i['code']:<22} {num(i['score']):>6} {num(i['previous_score']):>6} {change:>7}")
    change = "—" if cmp["change"] is None else f"{cmp['change']:+.2f}"
    lines.append(f"{'Tổng':<22} {num(cmp['total']):>6} {num(cmp['previous_total']):>6} {change:>7}")
    if not cmp["comparable"]:
        lines.append("* hai kỳ không tính được cùng các chỉ số: thay đổi chỉ mang tính tham khảo")
    return "\n".join(lines)


def render_ranking(rows: list[dict], period: str) -> str:
    lines = [
        f"Xếp hạng theo TT 01/2018 — kỳ {period}",
        f"{'Hạng':>4} {'Đơn vị':<22} {'Tổng':>6} {'Tạm tính/18':>11} {'Xếp loại':<12}",
    ]
    for r in rows:
        cls = r["classification"] or (
            f"({r['classification_prorated']})" if r["classification_prorated"] else "—"
        )
        lines.append(
            f"{r['rank'] or '—':>4} {r['unit']:<22} {r['total'] if r['total'] is not None else '—':>6} "
            f"{r['prorated_total'] if r['prorated_total'] is not None else '—':>11} {cls:<12}"
        )
    return "\n".join(lines)


def run_command(
    stdout,
    *,
    units: str,
    period: Period,
    fmt: str,
    extension_due: str,
    procedure: str | None,
    compare: bool = False,
) -> None:
    """``motcua indicators --profile circular01-2018``: one unit's evaluation, or a ranking when
    ``--unit`` lists several codes separated by commas."""
    params = {"extension_due": extension_due}
    codes = [c.strip() for c in units.split(",") if c.strip()]
    scopes = [resolve_scope(c) for c in codes]
    if len(scopes) > 1:
        rows = rank_units(scopes, period, params)
        out = {"profile": PROFILE_CODE, "period": period.label, "ranking": rows}
        stdout.write(
            json.dumps(out, ensure_ascii=False, indent=2)
            if fmt == "json"
            else render_ranking(rows, period.label)
        )
        return
    report = circular01_report(scopes[0], period, params, procedure=procedure)
    if compare:
        previous = circular01_report(scopes[0], period.previous_year(), params, procedure=procedure)
        cmp = compare_reports(report, previous)
        if fmt == "json":
            stdout.write(json.dumps(cmp, ensure_ascii=False, indent=2))
        else:
            stdout.write(render_table(report) + "\n\n" + render_comparison(cmp))
        return
    stdout.write(json.dumps(report, ensure_ascii=False, indent=2) if fmt == "json" else render_table(report))
