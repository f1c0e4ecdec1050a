"""``motcua demo``: load the Cà Mau demonstration data. Idempotent: run it again on any database."""

from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Nạp dữ liệu minh họa tỉnh Cà Mau (đơn vị hành chính, cơ quan, cán bộ, lịch làm việc, "
        "danh mục thủ tục); chạy lại không tạo trùng. Load the Cà Mau demo; safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-history",
            action="store_true",
            help="không sinh lịch sử hồ sơ mô phỏng / skip the simulated dossier history",
        )

    def handle(self, *args, **options):
        from motcua.catalog.demo import catalog_load_demo
        from motcua.catalog.models import ProcedureVersion
        from motcua.indicators.simulate import demo_history
        from motcua.org.demo import org_load_camau_demo
        from motcua.org.models import AdministrativeUnit, Agency, StaffAssignment
        from motcua.worktime.services import worktime_load_defaults

        with transaction.atomic():
            worktime_load_defaults()
            staff = org_load_camau_demo()
            result = catalog_load_demo()
        # A year of simulated history (last year and this year to date) for the 766 dashboard.
        history = {} if options["no_history"] else demo_history()

        units = AdministrativeUnit.objects.filter(valid_to__isnull=True)
        current = ProcedureVersion.objects.filter(valid_to__isnull=True)
        w = self.stdout.write
        w(self.style.SUCCESS("Đã nạp dữ liệu minh họa Cà Mau / Cà Mau demo loaded."))
        w(f"  Đơn vị hành chính cấp xã hiện hành / current communes: {units.filter(level=3).count()}")
        w(
            f"  Đơn vị hành chính lịch sử / historical units: {AdministrativeUnit.objects.exclude(valid_to=None).count()}"
        )
        w(f"  Bộ phận Một cửa / one-stop units: {Agency.objects.filter(kind=Agency.Kind.ONE_STOP).count()}")
        w(f"  Cơ quan, đơn vị / agencies: {Agency.objects.count()}")
        w(
            f"  Thủ tục đang hiệu lực / current procedures: {current.count()} "
            f"(cấp tỉnh {current.filter(level='province').count()}, cấp xã {current.filter(level='commune').count()}); "
            f"mới tạo / newly created: {result.created.get('procedures', 0)}"
        )
        for year, n in history.items():
            w(f"  Hồ sơ mô phỏng năm {year} / simulated dossiers {year}: {n}")
        w("  Tài khoản cán bộ / staff accounts (mật khẩu / password: MotCua@2026):")
        labels = dict(StaffAssignment.Role.choices)
        for username, role, agency in staff:
            w(f"    {username:<22} {labels.get(role, role):<26} {agency}")
