"""``motcua facts export --out DIR`` (Parquet partitioned by province and month) and
``motcua facts report --path DIR --unit CODE --period P`` (the 766 report computed by DuckDB)."""

from __future__ import annotations

import json
import time

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Xuất dữ liệu chỉ số của hồ sơ ra Parquet (phân vùng theo tỉnh, tháng) và tính báo cáo 766 bằng "
        "DuckDB. Export the dossier facts to Parquet; compute the 766 report with DuckDB."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="xuất Parquet / export Parquet")
        export.add_argument("--out", required=True, help="thư mục đích (ngoài kho mã) / output directory")
        export.add_argument("--memory-limit", default="4GB")
        report = sub.add_parser("report", help="báo cáo 766 bằng DuckDB / the report with DuckDB")
        report.add_argument("--path", required=True, help="thư mục Parquet đã xuất")
        report.add_argument("--unit", default="province")
        report.add_argument("--period", required=True)
        report.add_argument("--profile", default="dvcqg-2026")
        report.add_argument("--province", default=None, help="một tỉnh của bộ dữ liệu toàn quốc")
        report.add_argument("--memory-limit", default="4GB")

    def handle(self, *args, action, **o):
        started = time.monotonic()
        if action == "export":
            from motcua.indicators.facts_export import export_parquet

            r = export_parquet(o["out"], memory_limit=o["memory_limit"])
            self.stdout.write(
                self.style.SUCCESS(
                    f"Đã xuất {r['rows']} hồ sơ vào {r['files']} tệp Parquet ({r['bytes'] / 1e6:.1f} MB) "
                    f"trong {time.monotonic() - started:.1f} s / exported."
                )
            )
            return
        import duckdb

        from motcua.indicators.duckdb_report import duckdb_report
        from motcua.indicators.periods import PeriodError
        from motcua.indicators.profiles import get_profile
        from motcua.indicators.selectors import ScopeError, resolve_scope

        try:
            scope = resolve_scope(o["unit"])
            con = duckdb.connect()
            con.execute(f"SET memory_limit='{o['memory_limit']}'")
            report = duckdb_report(
                scope, o["period"], get_profile(o["profile"]), path=o["path"], con=con, province=o["province"]
            )
        except (ScopeError, PeriodError, KeyError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
