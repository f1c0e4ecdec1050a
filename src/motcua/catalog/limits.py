"""Time limits (thời hạn giải quyết) as (value, unit) pairs and how to compare them.

Comparable groups: working days and working hours (1 working day = 8 working hours, the
default profile of spec §2.6; "trong ngày" counts as one working day); calendar days and hours
(1 day = 24 hours); months only with months. Limits in different groups are not compared: a
rule that needs a calendar (the deadline engine) would be required, and the catalog does not
pretend to know one.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from motcua.worktime.units import TimeUnit

WORKING_HOURS_PER_DAY = Decimal(8)

_SCALE: dict[str, tuple[str, Decimal]] = {
    TimeUnit.WORKING_DAYS: ("work", WORKING_HOURS_PER_DAY),
    TimeUnit.WORKING_HOURS: ("work", Decimal(1)),
    TimeUnit.SAME_DAY: ("work", WORKING_HOURS_PER_DAY),
    TimeUnit.DAYS: ("calendar", Decimal(24)),
    TimeUnit.HOURS: ("calendar", Decimal(1)),
    TimeUnit.MONTHS: ("months", Decimal(1)),
}


class Limit(NamedTuple):
    """A time limit: ``value`` in ``unit`` (for ``same_day`` the value is conventionally 1)."""

    value: Decimal
    unit: str

    def __str__(self) -> str:
        if self.unit == TimeUnit.SAME_DAY:
            return TimeUnit.SAME_DAY.label
        value = self.value.normalize() if isinstance(self.value, Decimal) else self.value
        return (
            f"{value:f} {TimeUnit(self.unit).label}" if isinstance(value, Decimal) else f"{value} {self.unit}"
        )


def measure(limit: Limit) -> tuple[str, Decimal]:
    """Return (group, amount in the group's base unit)."""
    group, factor = _SCALE[limit.unit]
    value = Decimal(1) if limit.unit == TimeUnit.SAME_DAY else Decimal(limit.value)
    return group, value * factor


def comparable(a: Limit, b: Limit) -> bool:
    return _SCALE[a.unit][0] == _SCALE[b.unit][0]


def cut_percent(legal: Limit, applied: Limit) -> Decimal | None:
    """1 − applied/legal as a percentage with one decimal, or None when not comparable."""
    if not comparable(legal, applied):
        return None
    _, lv = measure(legal)
    _, av = measure(applied)
    if lv <= 0:
        return None
    return ((1 - av / lv) * 100).quantize(Decimal("0.1"))
