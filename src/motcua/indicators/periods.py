"""Report periods: month ``2025-09``, quarter ``2025-Q3``, year ``2025`` or a date range
``2025-07-01..2025-09-30`` (both ends included), in local dates (Asia/Ho_Chi_Minh)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Ho_Chi_Minh")

MONTH, QUARTER, YEAR, RANGE = "month", "quarter", "year", "range"

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    """``[first, last]`` local dates; ``start``/``end`` are the aware moments ``[start, end)``."""

    kind: str
    first: dt.date
    last: dt.date
    label: str

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time(), tzinfo=TZ)

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(), tzinfo=TZ)

    def previous_year(self) -> Period:
        """The same period one year earlier (cùng kỳ năm trước)."""
        if self.kind == RANGE:
            return Period(RANGE, _minus_year(self.first), _minus_year(self.last), "")._labelled()
        return parse_period(_shift_label(self.label))

    def _labelled(self) -> Period:
        return Period(self.kind, self.first, self.last, f"{self.first.isoformat()}..{self.last.isoformat()}")


def _minus_year(d: dt.date) -> dt.date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def _shift_label(label: str) -> str:
    return f"{int(label[:4]) - 1:04d}{label[4:]}"


def parse_period(text: str) -> Period:
    """Parse a period label; :class:`PeriodError` (a ValueError) with a Vietnamese message if bad."""
    text = (text or "").strip()
    if m := _MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise PeriodError(f"Tháng không hợp lệ: {text}")
        first = dt.date(year, month, 1)
        nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
        return Period(MONTH, first, nxt - dt.timedelta(days=1), f"{year:04d}-{month:02d}")
    if m := _QUARTER.match(text):
        year, q = int(m[1]), int(m[2])
        first = dt.date(year, 3 * q - 2, 1)
        nxt = dt.date(year + (q == 4), (3 * q) % 12 + 1, 1)
        return Period(QUARTER, first, nxt - dt.timedelta(days=1), f"{year:04d}-Q{q}")
    if m := _YEAR.match(text):
        year = int(m[1])
        return Period(YEAR, dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year:04d}")
    if m := _RANGE.match(text):
        try:
            first, last = dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])
        except ValueError as exc:
            raise PeriodError(f"Ngày không hợp lệ: {text}") from exc
        if last < first:
            raise PeriodError(f"Ngày cuối trước ngày đầu: {text}")
        return Period(RANGE, first, last, "")._labelled()
    raise PeriodError(f"Kỳ không hợp lệ: {text!r} (dạng 2025-09, 2025-Q3, 2025 hoặc 2025-07-01..2025-09-30)")
