"""``motcua rollups rebuild``: recompute the indicator rollups from the dossier facts."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from .simulate import progress_bar


class Command(BaseCommand):
    help = (
        "Dựng lại số liệu tổng hợp chỉ số 766 từ dữ liệu hồ sơ (sau khi nạp dữ liệu ngoài hệ thống). "
        "Rebuild the 766 indicator rollups from the dossier facts."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild"])

    def handle(self, *args, action, **options):
        from motcua.indicators.rollups import rollup_rebuild

        started = time.monotonic()
        result = rollup_rebuild(progress=progress_bar(self.stderr))
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã dựng lại số liệu tổng hợp: {result['dossiers']} hồ sơ, {result['rollup_rows']} dòng "
                f"trong {time.monotonic() - started:.1f} s / rollups rebuilt."
            )
        )
