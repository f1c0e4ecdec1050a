"""``motcua indicators``: the Decision 766 report of a unit and period, as JSON or a table."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from motcua.indicators import circular01
from motcua.indicators.periods import PeriodError, parse_period
from motcua.indicators.profiles import DEFAULT_PARAMS, PROFILES, get_profile
from motcua.indicators.selectors import ScopeError, compare_same_period, indicator_report, resolve_scope


def _num(x, digits=2) -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{x:.0f}"
    return str(x)


def _pct(x) -> str:
    return "—" if x is None else f"{x * 100:.2f}%"


def render_table(report: dict) -> str:
    lines = [
        f"Bộ chỉ số 766 — {report['profile']} — đơn vị {report['unit']} — kỳ {report['period']}",
        f"Tổng điểm: {_num(report['total'])} / {_num(report['max_total'])} "
        f"(tối đa danh nghĩa {_num(report['nominal_max_total'])}; "
        f"{report['not_computable']} chỉ số không tính được)",
        "",
    ]
    width = 58
    header = f"{'Chỉ số':<{width}} {'Tử số':>9} {'Mẫu số':>9} {'Tỷ lệ':>9} {'Điểm':>7} {'Tối đa':>6}"
    for g in report["groups"]:
        lines.append(
            f"■ {g['name']}: {_num(g['score'])} / {_num(g['max_score'])} "
            f"(danh nghĩa {_num(g['nominal_max_score'])}, {g['not_computable']} không tính được)"
        )
        lines.append(header)
        for i in g["indicators"]:
            name = f"{i['code']} {i['name']}"
            if len(name) > width:
                name = name[: width - 1] + "…"
            lines.append(
                f"{name:<{width}} {_num(i['numerator']):>9} {_num(i['denominator']):>9} "
                f"{_pct(i['ratio']):>9} {_num(i['score']):>7} {_num(float(i['max_score'])):>6}"
            )
        lines.append("")
    lines.append(
        "— : không tính được (mẫu số 0, chưa có nguồn dữ liệu hoặc không áp dụng); xem --format json"
    )
    return "\n".join(lines)


def render_comparison(cmp: dict) -> str:
    lines = [f"Cùng kỳ: {cmp['period']} so với {cmp['previous_period']}"]
    lines.append(f"{'Nhóm':<40} {'Kỳ này':>8} {'Cùng kỳ':>8} {'Thay đổi':>9}")
    for g in cmp["groups"]:
        change = "—" if g["change"] is None else f"{g['change']:+.2f}" + ("" if g["comparable"] else "*")
        lines.append(f"{g['name']:<40} {_num(g['score']):>8} {_num(g['previous_score']):>8} {change:>9}")
    change = "—" if cmp["change"] is None else f"{cmp['change']:+.2f}"
    lines.append(f"{'Tổng':<40} {_num(cmp['total']):>8} {_num(cmp['previous_total']):>8} {change:>9}")
    if not cmp["comparable"]:
        lines.append("* hai kỳ không tính được cùng các chỉ số: thay đổi chỉ mang tính tham khảo")
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "Bộ chỉ số 766 / Decision 766 index: "
        "'indicators --unit CODE|province --period 2025-Q3 [--profile dvcqg-2026] --format json|table'."
    )

    def add_arguments(self, parser):
        parser.add_argument("--unit", default="province", help="Mã định danh cơ quan hoặc 'province'")
        parser.add_argument(
            "--period", required=True, help="2025-09, 2025-Q3, 2025 hoặc 2025-07-01..2025-09-30"
        )
        parser.add_argument(
            "--profile",
            default="dvcqg-2026",
            # circular01-2018: Circular 01/2018 Art. 13–15 evaluation (indicators/circular01/).
            choices=sorted([*PROFILES, circular01.PROFILE_CODE]),
        )
        parser.add_argument("--format", default="table", choices=["json", "table"])
        parser.add_argument(
            "--extension-due",
            default=DEFAULT_PARAMS["extension_due"],
            choices=["current", "original"],
            help="Hồ sơ gia hạn đo theo hạn hiện hành hay ban đầu (chưa xác minh)",
        )
        parser.add_argument("--procedure", help="Chỉ một thủ tục (mã TTHC)")
        parser.add_argument("--compare", action="store_true", help="So sánh cùng kỳ năm trước")

    def handle(self, *args, **options):
        if options["profile"] == circular01.PROFILE_CODE:
            # --unit may list several codes (comma-separated): they are then ranked.
            try:
                circular01.run_command(
                    self.stdout,
                    units=options["unit"],
                    period=parse_period(options["period"]),
                    fmt=options["format"],
                    extension_due=options["extension_due"],
                    procedure=options.get("procedure"),
                    compare=options["compare"],
                )
            except (PeriodError, ScopeError) as exc:
                raise CommandError(str(exc)) from None
            return
        try:
            period = parse_period(options["period"])
            scope = resolve_scope(options["unit"])
        except (PeriodError, ScopeError) as exc:
            raise CommandError(str(exc)) from None
        profile = get_profile(options["profile"], extension_due=options["extension_due"])
        procedure = options.get("procedure")
        if options["compare"]:
            cmp = compare_same_period(scope, period, profile, procedure=procedure)
            if options["format"] == "json":
                self.stdout.write(json.dumps(cmp, ensure_ascii=False, indent=2))
            else:
                self.stdout.write(render_table(cmp["current"]) + "\n\n" + render_comparison(cmp))
            return
        report = indicator_report(scope, period, profile, procedure=procedure)
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(render_table(report))
