"""``motcua import dossiers FILE.jsonl [--dry-run]``: load historical dossiers from another system
(format: docs/import-format.md). All or nothing; re-importing the same file changes nothing."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Nhập hồ sơ lịch sử từ hệ thống khác (JSON Lines, xem docs/import-format.md); một dòng sai thì "
        "không nhập gì. Import historical dossiers from a JSON Lines file (all or nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["dossiers"], help="loại dữ liệu / what to import: dossiers")
        parser.add_argument("file", help="tệp .jsonl, mỗi dòng một hồ sơ / one JSON object per line")
        parser.add_argument(
            "--dry-run", action="store_true", help="chỉ kiểm tra, không ghi / check only, write nothing"
        )
        parser.add_argument("--max-errors", type=int, default=50, help="số lỗi tối đa liệt kê")

    def handle(self, *args, kind, file, dry_run, max_errors, **options):
        from motcua.indicators.importer import ImportFileError, import_file

        try:
            result = import_file(file, dry_run=dry_run, max_errors=max_errors)
        except FileNotFoundError as exc:
            raise CommandError(f"Không tìm thấy tệp {file}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"Tệp {file} không phải UTF-8: {exc}") from exc
        except ImportFileError as exc:
            for n, message in exc.errors:
                self.stderr.write(f"{file}:{n}: {message}")
            raise CommandError(
                f"Tệp bị từ chối, không nhập hồ sơ nào ({len(exc.errors)} lỗi) / file refused, nothing imported"
            ) from exc
        verb = "Sẽ nhập (chạy thử, chưa ghi)" if dry_run else "Đã nhập"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {result.lines} hồ sơ: {result.created} mới, {result.updated} cập nhật, "
                f"{result.unchanged} không đổi / {result.created} new, {result.updated} updated, "
                f"{result.unchanged} unchanged{' (dry run)' if dry_run else ''}."
            )
        )
