"""``motcua simulate --year 2025 --dossiers 1000000 [--seed N] [--replace]``: a realistic province
history for demos and benchmarks (motcua.indicators.simulate)."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError


def progress_bar(stream=None, width: int = 40):
    stream = stream or sys.stderr
    started = time.monotonic()

    def show(done: int, total: int) -> None:
        share = done / total if total else 1.0
        filled = int(width * share)
        rate = done / max(time.monotonic() - started, 1e-6)
        stream.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {share:6.1%} {done:>9}/{total} ({rate:,.0f}/s)"
        )
        if done >= total:
            stream.write("\n")
        stream.flush()

    return show


class Command(BaseCommand):
    help = (
        "Sinh lịch sử hồ sơ mô phỏng của một tỉnh trong một năm (mùa vụ, đỉnh thứ Hai, kênh nộp, bổ sung, "
        "trễ hạn, đánh giá) theo báo cáo Cà Mau 2023. Generate a simulated province-year of dossiers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--dossiers", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=2025, help="cùng seed, cùng dữ liệu / deterministic")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="xóa hồ sơ mô phỏng của năm này trước / replace that year's",
        )
        parser.add_argument("--no-rebuild", action="store_true", help="không dựng lại số liệu tổng hợp")

    def handle(self, *args, year, dossiers, seed, replace, no_rebuild, **options):
        from motcua.indicators.simulate import delete_simulated, simulate, simulated_count

        if dossiers <= 0:
            raise CommandError("--dossiers phải lớn hơn 0")
        existing = simulated_count(year)
        if existing and not replace:
            raise CommandError(
                f"Đã có {existing} hồ sơ mô phỏng năm {year}; dùng --replace để sinh lại / use --replace"
            )
        if existing:
            delete_simulated(year)
        started = time.monotonic()
        try:
            summary = simulate(
                year=year,
                dossiers=dossiers,
                seed=seed,
                progress=progress_bar(self.stderr),
                rebuild=not no_rebuild,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.monotonic() - started
        n = summary["dossiers"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã sinh {dossiers} hồ sơ mô phỏng ({summary['first']}..{summary['last']}) trong {elapsed:.1f} s: "
                f"{n} được tiếp nhận, trực tuyến {summary['online'] / max(n, 1):.1%}, "
                f"trễ hạn {summary['late'] / max(n, 1):.2%}, đang xử lý {summary['open']}."
            )
        )
