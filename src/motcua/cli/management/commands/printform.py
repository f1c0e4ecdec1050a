"""``motcua printform``: print a dossier's form or a unit's dossier ledger as PDF.

motcua printform CODE FORM -o out.pdf [--framework 2018|2025] [--list]
motcua printform --ledger UNIT_IDENT_CODE --from 2026-03-01 --to 2026-03-31 -o out.pdf
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from motcua.dossiers.printing import FORMS, FormError, forms_available, render_form, render_ledger


def _date(raw: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise CommandError(
            f"Ngày không hợp lệ: {raw!r} (ví dụ 2026-03-31) / invalid {option} {raw!r}: expected YYYY-MM-DD"
        ) from None


class Command(BaseCommand):
    help = (
        "In biểu mẫu của hồ sơ hoặc Sổ theo dõi hồ sơ ra PDF / print a dossier form or the ledger as PDF, "
        "e.g. motcua printform 000.02.12.H12-260302-0001 receipt -o giay-tiep-nhan.pdf"
    )

    def add_arguments(self, parser):
        parser.add_argument("code", nargs="?", help="Mã hồ sơ (hoặc mã tạm của hồ sơ chưa tiếp nhận)")
        parser.add_argument("form", nargs="?", choices=FORMS, help="Biểu mẫu")
        parser.add_argument("-o", "--output", help="Tệp PDF đầu ra ('-': stdout)")
        parser.add_argument(
            "--framework", choices=["2025", "2018"], help="Bộ biểu mẫu (mặc định: theo ngày tiếp nhận)"
        )
        parser.add_argument("--list", action="store_true", help="Liệt kê các biểu mẫu áp dụng cho hồ sơ")
        parser.add_argument("--ledger", metavar="UNIT_IDENT_CODE", help="Mã định danh của Bộ phận Một cửa")
        parser.add_argument("--from", dest="date_from", help="Từ ngày tiếp nhận (YYYY-MM-DD)")
        parser.add_argument("--to", dest="date_to", help="Đến ngày tiếp nhận (YYYY-MM-DD)")

    def handle(self, *args, code, form, output, framework, list, ledger, date_from, date_to, **options):
        started = time.perf_counter()
        if ledger:
            if not (date_from and date_to):
                raise CommandError("--ledger cần --from và --to / --ledger needs --from and --to")
            pdf = self._ledger(ledger, _date(date_from, "--from"), _date(date_to, "--to"))
        else:
            if not code:
                raise CommandError("Cần mã hồ sơ / a dossier CODE (or --ledger) is required")
            dossier = self._dossier(code)
            if list:
                self.stdout.write("\n".join(forms_available(dossier)))
                return
            if not form:
                raise CommandError(f"Cần tên biểu mẫu / a FORM is required: {', '.join(FORMS)}")
            try:
                pdf = render_form(dossier=dossier, form=form, framework=framework)
            except FormError as exc:
                available = ", ".join(forms_available(dossier)) or "(không có)"
                raise CommandError(f"{exc}. Biểu mẫu áp dụng / available: {available}") from None
        if not output:
            raise CommandError("Cần -o tệp đầu ra / -o OUTPUT is required")
        if output == "-":
            sys.stdout.buffer.write(pdf)
            return
        Path(output).write_bytes(pdf)
        self.stdout.write(f"{output}: {len(pdf)} bytes, {(time.perf_counter() - started) * 1000:.0f} ms")

    def _dossier(self, code: str):
        from django.db.models import Q

        from motcua.dossiers.models import Dossier

        dossier = (
            Dossier.objects.select_related("procedure_version", "case", "receiving_unit", "resolving_agency")
            .filter(Q(code=code) | Q(temp_reference=code))
            .first()
        )
        if dossier is None:
            raise CommandError(f"Không tìm thấy hồ sơ {code} / dossier not found")
        return dossier

    def _ledger(self, ident_code: str, date_from: dt.date, date_to: dt.date) -> bytes:
        from motcua.org.models import Agency

        units = Agency.objects.filter(ident_code=ident_code)
        unit = units.current().order_by("-valid_from").first() or units.order_by("-valid_from").first()
        if unit is None:
            raise CommandError(f"Không tìm thấy đơn vị {ident_code} / unit not found")
        try:
            return render_ledger(unit=unit, date_from=date_from, date_to=date_to)
        except FormError as exc:
            raise CommandError(str(exc)) from None
