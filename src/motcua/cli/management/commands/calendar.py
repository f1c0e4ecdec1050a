"""``motcua calendar``: load calendar entries from CSV, show a year's effective calendar."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from motcua.worktime.selectors import calendar_year_exceptions
from motcua.worktime.services import CalendarImportError, calendar_load_csv

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class Command(BaseCommand):
    help = (
        "Lịch làm việc / working calendar: "
        "'calendar load FILE.csv' (date,kind,name[,source]); 'calendar show --year 2026'."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Nạp CSV date,kind,name (upsert, tất cả hoặc không)")
        load.add_argument("file")
        show = sub.add_parser("show", help="Ngày thường được nghỉ và ngày cuối tuần làm việc của một năm")
        show.add_argument("--year", type=int, default=timezone.localdate().year)

    def handle(self, *args, action: str, **options):
        if action == "load":
            self._load(options["file"])
        else:
            self._show(options["year"])

    def _load(self, path: str) -> None:
        try:
            count = calendar_load_csv(path_or_file=path)
        except FileNotFoundError:
            raise CommandError(f"Không tìm thấy tệp / file not found: {path}") from None
        except CalendarImportError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Đã nạp {count} dòng / loaded {count} rows")

    def _show(self, year: int) -> None:
        if not 2000 <= year <= 9000:
            raise CommandError(f"Năm không hợp lệ / invalid year: {year}")
        rows = calendar_year_exceptions(year)
        self.stdout.write(f"# {year}: ngày thường được nghỉ / closed weekdays")
        for d, working, reason, origin in rows:
            if not working:
                self.stdout.write(f"{d.isoformat()} {WEEKDAYS[d.weekday()]}  closed   {reason} [{origin}]")
        self.stdout.write(f"# {year}: ngày cuối tuần làm việc / worked weekend days")
        for d, working, reason, origin in rows:
            if working:
                self.stdout.write(f"{d.isoformat()} {WEEKDAYS[d.weekday()]}  working  {reason} [{origin}]")
