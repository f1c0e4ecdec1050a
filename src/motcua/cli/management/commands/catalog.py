from django.core.management.base import BaseCommand, CommandError

from motcua.catalog.importexport import CatalogImportError, export_file, import_file


class Command(BaseCommand):
    help = "Nhập/xuất danh mục thủ tục hành chính: catalog export|import FILE.json|FILE.xlsx"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("export", help="Xuất danh mục ra tệp .json hoặc .xlsx").add_argument("file")
        sub.add_parser("import", help="Nhập danh mục từ tệp .json hoặc .xlsx").add_argument("file")
        sub.add_parser("demo", help="Nạp danh mục minh họa Cà Mau (77 thủ tục)")

    def handle(self, *args, action, file=None, **options):
        try:
            if action == "export":
                export_file(file)
                self.stdout.write(f"Đã xuất danh mục ra {file}.")
                return
            if action == "demo":
                from motcua.catalog.demo import catalog_load_demo

                result = catalog_load_demo()
            else:
                result = import_file(file)
        except CatalogImportError as exc:
            raise CommandError(str(exc)) from exc
        for warning in result.warnings:
            self.stderr.write(f"Cảnh báo: {warning}")
        created = ", ".join(f"{k}: {v}" for k, v in sorted(result.created.items())) or "không có"
        updated = ", ".join(f"{k}: {v}" for k, v in sorted(result.updated.items())) or "không có"
        self.stdout.write(f"Đã nhập danh mục. Tạo mới: {created}. Cập nhật: {updated}.")
