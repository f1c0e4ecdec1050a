"""``motcua deadline``: print the due moment of a time limit, with the database calendar."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from motcua.worktime.engine import UNITS, add_time
from motcua.worktime.models import WorkingHoursProfile
from motcua.worktime.selectors import get_calendar, get_working_hours


def parse_limit(raw: str) -> int | Decimal:
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise CommandError(
            f"Thời hạn không hợp lệ: {raw!r} (cần một số không âm) / invalid --limit {raw!r}: expected a non-negative number"
        ) from None
    if not value.is_finite() or value < 0:
        raise CommandError(
            f"Thời hạn không hợp lệ: {raw!r} (cần một số không âm) / invalid --limit {raw!r}: expected a non-negative number"
        )
    return int(value) if value == value.to_integral_value() else value


def parse_start(raw: str) -> datetime:
    try:
        return datetime.fromisoformat(raw.strip())
    except ValueError:
        raise CommandError(
            f"Thời điểm bắt đầu không hợp lệ: {raw!r} (ví dụ 2026-02-13T15:30) / "
            f"invalid --start {raw!r}: expected ISO 8601, e.g. 2026-02-13T15:30"
        ) from None


class Command(BaseCommand):
    help = (
        "In thời điểm hết hạn (ISO 8601, +07:00) / print the due moment, e.g. "
        "motcua deadline --start 2026-02-13T15:30 --limit 3 --unit working_days"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--start", required=True, help="Thời điểm tiếp nhận, ISO 8601 (không có múi giờ = giờ Việt Nam)"
        )
        parser.add_argument("--limit", help="Thời hạn (số không âm); không cần với same_day")
        parser.add_argument("--unit", required=True, help=f"Đơn vị: {', '.join(UNITS)}")
        parser.add_argument("--profile", help="Tên khung giờ làm việc (mặc định: khung mặc định)")

    def handle(self, *args, start: str, limit: str | None, unit: str, profile: str | None, **options):
        unit = unit.strip()
        if unit not in UNITS:
            raise CommandError(
                f"Đơn vị không hợp lệ: {unit!r} (chọn một trong {', '.join(UNITS)}) / "
                f"unknown --unit {unit!r}: expected one of {', '.join(UNITS)}"
            )
        moment = parse_start(start)
        if limit is None:
            if unit != "same_day":
                raise CommandError("Thiếu --limit / --limit is required for this unit")
            value: int | Decimal = 0
        else:
            value = parse_limit(limit)
        if unit == "months" and not isinstance(value, int):
            raise CommandError(
                "Thời hạn tính bằng tháng phải là số nguyên / a limit in months must be a whole number"
            )
        try:
            hours = get_working_hours(profile)
        except WorkingHoursProfile.DoesNotExist:
            raise CommandError(
                f"Không có khung giờ làm việc {profile!r} / no working-hours profile named {profile!r}"
            ) from None
        except DatabaseError:
            raise CommandError(
                "Cơ sở dữ liệu chưa được khởi tạo: chạy `motcua migrate` / "
                "the database is not set up: run `motcua migrate`"
            ) from None
        try:
            due = add_time(moment, value, unit, get_calendar(), hours)
        except (ValueError, OverflowError) as exc:
            raise CommandError(f"Không tính được thời hạn / cannot compute the deadline: {exc}") from None
        self.stdout.write(due.isoformat())
