"""``/worktime``: deadline arithmetic with the database calendar. Public (it only computes).

The parsing rules are those of ``motcua deadline`` (its ``parse_start``/``parse_limit`` are
reused), so the endpoint and the command give the same answer for the same arguments.
"""

from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import CommandError
from ninja import Query, Router, Schema
from pydantic import Field

from motcua.api.errors import ErrorOut, Unprocessable
from motcua.api.schemas import DueOut, Text
from motcua.cli.management.commands.deadline import parse_limit, parse_start
from motcua.worktime.engine import add_time
from motcua.worktime.models import WorkingHoursProfile
from motcua.worktime.selectors import get_calendar, get_working_hours
from motcua.worktime.units import TimeUnit

router = Router(tags=["worktime"], auth=None)

# The engine widens its precomputed calendar to whatever year it is asked about, so a public
# endpoint bounds its input: about ten years from a start no later than 2100. Real limits are
# far shorter (the longest in the catalog are counted in months). ``motcua deadline`` has no cap.
LAST_START_YEAR = 2100
MAX_LIMIT = {
    TimeUnit.WORKING_DAYS: 1000,
    TimeUnit.WORKING_HOURS: 8000,
    TimeUnit.DAYS: 3650,
    TimeUnit.HOURS: 87600,
    TimeUnit.MONTHS: 120,
    TimeUnit.SAME_DAY: 1000,
}


class DueQuery(Schema):
    start: Text = Field(
        max_length=64,
        description="Reception moment, ISO 8601; without an offset it is Vietnam time (2026-02-13T15:30)",
    )
    limit: Text | None = Field(
        None, max_length=32, description="Non-negative number (decimals allowed); not needed for same_day"
    )
    unit: TimeUnit
    profile: Text | None = Field(
        None, max_length=100, description="Working-hours profile name (default profile)"
    )


@router.get(
    "/due",
    response={200: DueOut, 422: ErrorOut},
    summary="Due moment of a time limit",
    description="The same answer as `motcua deadline --start … --limit … --unit … [--profile …]`.",
)
def due(request, query: Query[DueQuery]):
    try:
        moment = parse_start(query.start)
    except CommandError:
        raise Unprocessable(
            f"Invalid start {query.start!r}: expected ISO 8601, e.g. 2026-02-13T15:30.",
            f"Thời điểm bắt đầu không hợp lệ: {query.start!r} (ví dụ 2026-02-13T15:30).",
            field="start",
        ) from None
    if moment.year > LAST_START_YEAR:
        raise Unprocessable(
            f"The start must be before {LAST_START_YEAR + 1}.",
            f"Thời điểm bắt đầu phải trước năm {LAST_START_YEAR + 1}.",
            field="start",
        )
    unit = TimeUnit(query.unit)
    if query.limit is None:
        if unit != TimeUnit.SAME_DAY:
            raise Unprocessable(
                "limit is required for this unit.", "Thiếu thời hạn (limit).", field="limit", code="required"
            )
        value: int | Decimal = 0
    else:
        try:
            value = parse_limit(query.limit)
        except CommandError:
            raise Unprocessable(
                f"Invalid limit {query.limit!r}: expected a non-negative number.",
                f"Thời hạn không hợp lệ: {query.limit!r} (cần một số không âm).",
                field="limit",
            ) from None
    if value > MAX_LIMIT[unit]:
        raise Unprocessable(
            f"The limit may be at most {MAX_LIMIT[unit]} {unit.value}.",
            f"Thời hạn tối đa là {MAX_LIMIT[unit]} {unit.label}.",
            field="limit",
        )
    if unit == TimeUnit.MONTHS and not isinstance(value, int):
        raise Unprocessable(
            "A limit in months must be a whole number.",
            "Thời hạn tính bằng tháng phải là số nguyên.",
            field="limit",
        )
    try:
        hours = get_working_hours(query.profile)
    except WorkingHoursProfile.DoesNotExist:
        raise Unprocessable(
            f"No working-hours profile named {query.profile!r}.",
            f"Không có khung giờ làm việc {query.profile!r}.",
            field="profile",
            code="not_found",
        ) from None
    try:
        due_at = add_time(moment, value, unit.value, get_calendar(), hours)
    except OverflowError as exc:
        raise Unprocessable(
            f"Cannot compute the deadline: {exc}", f"Không tính được thời hạn: {exc}", field="limit"
        ) from None
    except ValueError as exc:
        # The arguments are checked above; what is left is a start before the calendar's range.
        raise Unprocessable(
            f"Cannot compute the deadline: {exc}", f"Không tính được thời hạn: {exc}", field="start"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(settings.MOTCUA_TIME_ZONE))
    return {
        "due": due_at.isoformat(),
        "start": moment.isoformat(),
        "limit": value if isinstance(value, int) else float(value),
        "unit": unit.value,
        "profile": query.profile,
    }
