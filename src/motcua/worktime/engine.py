"""The deadline engine (tính thời hạn giải quyết): pure functions over a prebuilt calendar.

No Django ORM, no database, no clock: everything it needs is passed in. The Django side
(``motcua.worktime.selectors``) loads administrator entries into a :class:`WorkCalendar` and a
:class:`WorkingHours` once and caches them.

Rules implemented
-----------------
* **Working week**: Monday–Friday, Saturday and Sunday off (40-hour week, Decision
  188/1999/QĐ-TTg Art. 1).
* **Holidays**: Vietnam public holidays from the ``holidays`` package (Labour Code 2019 Art. 112,
  with its compensatory days of Art. 111(3) and the Prime Minister's swapped days), and the
  package's ``weekend_workdays`` (weekend days worked in exchange) are opened.
* **Administrator entries win** over both: ``holiday``/``day_off`` closes a date,
  ``working_day`` opens one. The package misses e.g. the 2026 New-Year swap (Fri 2/1/2026 off,
  Sat 10/1/2026 worked, Công văn 12729/VPCP-KGVX), so entries are mandatory, not optional.
* **Working hours**: one or two windows per day (default 07:00–11:30 and 13:30–17:00 = 8 h)
  and a cut-off (default 15:00; Decree 61/2018 Art. 20, Decree 118/2025 Art. 18(2)).
* **Start of the clock** (Decree 118/2025 Art. 17(3): the limit runs from official reception):
  a moment inside working hours counts from that minute (seconds are dropped); before the morning
  window → its start; in the lunch break → the afternoon start; after hours or on a closed day →
  the start of the next working day. A moment exactly at a window end counts as that end.
* **Working units** (``working_days``, ``working_hours``): N × 480 (or N × 60) minutes of
  working time are added, carrying over lunch, nights, weekends and holidays. The time of day is
  kept (Mon 09:00 + 3 working days → Thu 09:00). A result exactly at a window's end stays at that
  end (Mon 07:00 + 1 working day → Mon 17:00, not Tue 07:00; Mon 13:30 + 1 → Tue 11:30).
* **Calendar units** (``days``, ``hours``, ``months``): a calendar duration from the normalised
  start; months by ``dateutil.relativedelta`` (31/1 + 1 month → 28 or 29/2). When the target
  month has no such day the due moment is the *end* of that month's last working window, by
  analogy with Civil Code 2015 Art. 147 (recalled, not verified against the text); this also keeps
  the result monotonic. A result outside working time moves forward to the next working moment
  (the production rule "never on a weekend or holiday, roll forward", spec §2.6).
* **Same day** (``same_day``, "trong ngày; nếu tiếp nhận sau 15 giờ thì trả trong ngày làm việc
  tiếp theo"): the start is normalised first; if the normalised start is before the cut-off the
  due moment is the end of that working day, otherwise the end of the next working day. So a
  dossier received at/after 15:00 is due at the end of the next working day, and one received
  outside working time is due at the end of the working day it starts on.
* **Supplement clock** (:class:`SupplementPolicy`): ``restart`` is the legal rule and the default
  (Decree 61/2018 Art. 19(4); Decree 118/2025 Art. 19(5): "Thời hạn giải quyết được tính lại từ
  đầu sau khi nhận đủ hồ sơ"); ``pause`` is the DVCQG 766 measurement (working time left at the
  request is added from the completion); ``extend`` is the production practice (the appointment
  moves by the calendar length of the pause, then forward to working time).
* **Elapsed working time** between two moments (:func:`working_time_between`), for early / on
  time / late (Circular 01/2018 Art. 13) and per-step budgets.

Rules NOT implemented (callers decide)
--------------------------------------
* Saturday counter openings are **not** working days for deadlines unless an administrator adds a
  ``working_day`` entry (tthc-2025-update §3.1: no national rule found [U]).
* No per-procedure choice to skip or count holidays for calendar ``days`` (the production
  ``TinhNgayHenTraLoaiThoiGianNgayBoQuaNgayLe`` option): calendar days always count holidays and
  only the result rolls forward.
* The 2-hour staff alert and the 8-working-hour acceptance SLA of Decree 118/2025 Art. 17(2)
  are ordinary ``hours``/``working_hours`` calls; which timestamp starts them is the caller's job.
* The one-time extension (gia hạn, Art. 19(6)), the 15-day auto-close (Art. 19(5)) and the
  "overdue if supplement requested more than once" 766 rule are dossier rules, not engine rules.
* Seconds are truncated; there is no daylight saving in Asia/Ho_Chi_Minh (+07:00 since 1975), so
  local minute arithmetic is exact.

Performance: the calendar precomputes, for a range of years (default 2000–2040),
the sorted working-day ordinals and an ordinal → index table, so "add N working days" is O(1).
The range (default 2000–2040) widens forward lazily; earlier dates raise ``ValueError``.
Working time is handled as integer *working minutes* ``W = index × minutes_per_day + offset``.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

__all__ = [
    "DEFAULT_HOURS",
    "TZ",
    "UNITS",
    "SupplementPolicy",
    "TimeLimit",
    "WorkCalendar",
    "WorkingHours",
    "add_time",
    "due_after_supplement",
    "is_working_moment",
    "working_time_between",
]

TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# The unit values of motcua.worktime.units.TimeUnit, as plain strings so that this module never
# imports Django (TimeUnit members compare and hash equal to these).
WORKING_DAYS = "working_days"
DAYS = "days"
WORKING_HOURS = "working_hours"
HOURS = "hours"
MONTHS = "months"
SAME_DAY = "same_day"
UNITS = (WORKING_DAYS, DAYS, WORKING_HOURS, HOURS, MONTHS, SAME_DAY)

# Kinds of administrator entries (CalendarEntry.Kind values).
HOLIDAY = "holiday"
DAY_OFF = "day_off"
WORKING_DAY = "working_day"
_CLOSING_KINDS = frozenset({HOLIDAY, DAY_OFF})
_KINDS = frozenset({HOLIDAY, DAY_OFF, WORKING_DAY})

_MIN_PER_DAY = 1440
_INFINITY = float("inf")


# --------------------------------------------------------------------------------------------
# Working hours
# --------------------------------------------------------------------------------------------


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


@dataclass(frozen=True, slots=True)
class WorkingHours:
    """Daily working windows (giờ làm việc) and the cut-off (Decree 118/2025 Art. 18(2)).

    ``windows`` is one or two ``(start, end)`` pairs in order, e.g. the default
    ``((07:00, 11:30), (13:30, 17:00))`` = 480 working minutes a day.
    """

    windows: tuple[tuple[time, time], ...] = ((time(7, 0), time(11, 30)), (time(13, 30), time(17, 0)))
    cutoff: time = time(15, 0)
    # Precomputed: ((start_min, end_min, working minutes before this window), ...).
    _spans: tuple[tuple[int, int, int], ...] = field(init=False, repr=False, compare=False)
    minutes_per_day: int = field(init=False, compare=False)

    def __post_init__(self) -> None:
        if not 1 <= len(self.windows) <= 2:
            raise ValueError("WorkingHours needs one or two windows")
        spans = []
        before = 0
        previous_end = -1
        for start, end in self.windows:
            s, e = _minutes(start), _minutes(end)
            if not previous_end < s < e:
                raise ValueError(
                    f"Invalid working window {start}–{end}: windows must be ordered and non-empty"
                )
            spans.append((s, e, before))
            before += e - s
            previous_end = e
        object.__setattr__(self, "_spans", tuple(spans))
        object.__setattr__(self, "minutes_per_day", before)

    @classmethod
    def from_times(
        cls,
        *,
        morning_start: time,
        morning_end: time,
        afternoon_start: time | None = None,
        afternoon_end: time | None = None,
        cutoff: time = time(15, 0),
    ) -> WorkingHours:
        windows: list[tuple[time, time]] = [(morning_start, morning_end)]
        if afternoon_start is not None and afternoon_end is not None:
            windows.append((afternoon_start, afternoon_end))
        return cls(windows=tuple(windows), cutoff=cutoff)

    @property
    def day_start(self) -> int:
        return self._spans[0][0]

    @property
    def day_end(self) -> int:
        return self._spans[-1][1]

    def offset_of(self, minute: int) -> int:
        """Working minutes since the day's start at clock ``minute`` (which must be in a window)."""
        for s, e, before in self._spans:
            if minute <= e:
                return before + minute - s
        raise AssertionError("minute after the working day")  # pragma: no cover

    def minute_of(self, offset: int) -> int:
        """Clock minute of a working offset in ``(0, minutes_per_day]``; a window end stays an end."""
        for s, e, before in self._spans:
            if offset <= before + e - s:
                return s + offset - before
        raise AssertionError("offset after the working day")  # pragma: no cover


DEFAULT_HOURS = WorkingHours()


# --------------------------------------------------------------------------------------------
# Calendar
# --------------------------------------------------------------------------------------------


MAX_YEAR = 2200  # the calendar never widens past this year


@lru_cache(maxsize=8)
def _package_days(country: str, first_year: int, last_year: int) -> tuple[dict[date, str], dict[date, str]]:
    """(closed dates → name, weekend dates worked in exchange → name) from the ``holidays`` package."""
    import holidays  # imported lazily: only calendar construction needs it

    h = holidays.country_holidays(country, years=range(first_year, last_year + 1))
    closed = {d: str(name) for d, name in h.items()}
    opened = {d: "Ngày làm bù (holidays package)" for d in getattr(h, "weekend_workdays", ())}
    return closed, opened


class _Table:
    """Precomputed working-day index for ``[first_year, last_year]``."""

    __slots__ = ("base", "days", "dates", "next_index", "first_year", "last_year")

    def __init__(self, first_year: int, last_year: int, is_open) -> None:
        self.first_year = first_year
        self.last_year = last_year
        self.base = base = date(first_year, 1, 1).toordinal()
        end = date(last_year, 12, 31).toordinal()
        days: list[int] = []
        dates: list[tuple[int, int, int]] = []
        next_index: list[int] = []
        for o in range(base, end + 1):
            next_index.append(len(days))
            d = date.fromordinal(o)
            if is_open(d):
                days.append(o)
                dates.append((d.year, d.month, d.day))
        self.days = tuple(days)
        self.dates = tuple(dates)
        self.next_index = tuple(next_index)


class WorkCalendar:
    """Which dates are working days (ngày làm việc). Logically immutable.

    Built from the ``holidays`` package for ``country`` and administrator ``entries``
    (date → ``holiday`` | ``day_off`` | ``working_day``), which win over the package and the
    weekly rule. The precomputed index covers ``first_year..last_year`` and is widened lazily
    (a cache; the answers never change).
    """

    __slots__ = ("_entries", "_names", "_country", "_use_package", "_table", "_lock")

    def __init__(
        self,
        entries: Mapping[date, str] | Iterable[tuple[date, str]] = (),
        *,
        country: str | None = "VN",
        first_year: int = 2000,
        last_year: int = 2040,
        names: Mapping[date, str] | None = None,
    ) -> None:
        items = dict(entries.items() if isinstance(entries, Mapping) else entries)
        for d, kind in items.items():
            if kind not in _KINDS:
                raise ValueError(f"Unknown calendar entry kind {kind!r} for {d}")
        if items:
            first_year = min(first_year, min(items).year)
            last_year = max(last_year, max(items).year)
        self._entries: Mapping[date, str] = items
        self._names: dict[date, str] = dict(names or {})
        self._country = country
        self._use_package = country is not None
        self._lock = threading.Lock()
        self._table = self._build(first_year, last_year)

    # -- construction ------------------------------------------------------------------------

    def _package(self, first_year: int, last_year: int) -> tuple[dict[date, str], dict[date, str]]:
        if not self._use_package:
            return {}, {}
        return _package_days(self._country, first_year, last_year)

    def _build(self, first_year: int, last_year: int) -> _Table:
        closed, opened = self._package(first_year, last_year)
        entries = self._entries

        def is_open(d: date) -> bool:
            kind = entries.get(d)
            if kind is not None:
                return kind == WORKING_DAY
            if d in closed:
                return False
            if d in opened:
                return True
            return d.weekday() < 5

        return _Table(first_year, last_year, is_open)

    def _widen(self, ordinal: int) -> None:
        # Only forward: appending years keeps every working-day index stable, so positions
        # computed before a widening stay valid (a concurrent caller may hold the old table).
        with self._lock:
            t = self._table
            year = date.fromordinal(min(ordinal, date.max.toordinal())).year
            if year > MAX_YEAR:
                # A deadline centuries ahead is a data error, and widening that far would build a
                # table of millions of days; refuse instead.
                raise OverflowError(f"{year} is after the last supported year {MAX_YEAR}")
            # One spare year after the target so "the next working day" always exists.
            last = max(t.last_year, year + 2)
            if last != t.last_year:
                self._table = self._build(t.first_year, last)

    def _locate(self, ordinal: int) -> tuple[_Table, int]:
        """(table, index of the first working day on or after ``ordinal``)."""
        t = self._table
        k = ordinal - t.base
        if 0 <= k < len(t.next_index):
            i = t.next_index[k]
            if i < len(t.days):
                return t, i
        if k < 0:
            raise ValueError(
                f"{date.fromordinal(ordinal)} is before this calendar's first year {t.first_year}"
            )
        self._widen(ordinal)
        t = self._table
        k = ordinal - t.base
        if k >= len(t.next_index) or t.next_index[k] >= len(t.days):
            raise OverflowError(f"{date.fromordinal(ordinal)} is outside the supported calendar range")
        return t, t.next_index[k]

    def _day(self, index: int) -> tuple[_Table, int]:
        """(table, ordinal) of working day ``index``, widening forward if needed."""
        t = self._table
        while index >= len(t.days):
            self._widen(t.days[-1] + 400)
            t = self._table
        return t, t.days[index]

    # -- queries -------------------------------------------------------------------------------

    @property
    def entries(self) -> Mapping[date, str]:
        return dict(self._entries)

    def is_working_day(self, d: date) -> bool:
        t, i = self._locate(d.toordinal())
        return t.days[i] == d.toordinal()

    def next_working_day(self, d: date) -> date:
        """The first working day on or after ``d``."""
        t, i = self._locate(d.toordinal())
        return date.fromordinal(t.days[i])

    def working_days_between(self, a: date, b: date) -> int:
        """Number of working days in ``[a, b)`` (negative when ``b < a``)."""
        _, i = self._locate(a.toordinal())
        _, j = self._locate(b.toordinal())
        return j - i

    def exceptions(self, year: int) -> list[tuple[date, bool, str, str]]:
        """Dates of ``year`` whose status differs from the Mon–Fri rule.

        Returns ``(date, is_working, reason, origin)`` with origin ``entry`` or ``package``.
        """
        closed, opened = self._package(year, year)
        out = []
        d = date(year, 1, 1)
        while d.year == year:
            working = self.is_working_day(d)
            if working != (d.weekday() < 5):
                if d in self._entries:
                    origin, reason = "entry", self._names.get(d, self._entries[d])
                else:
                    origin, reason = "package", closed.get(d) or opened.get(d, "")
                out.append((d, working, reason, origin))
            d += timedelta(days=1)
        return out


# --------------------------------------------------------------------------------------------
# Positions: (working-day index, clock minute) and working minutes W
# --------------------------------------------------------------------------------------------


def _local(moment: datetime) -> tuple[int, int]:
    """(date ordinal, minute of day) in Asia/Ho_Chi_Minh; naive = local time already."""
    if not isinstance(moment, datetime):
        raise TypeError(f"expected a datetime, got {type(moment).__name__}")
    tz = moment.tzinfo
    if tz is not None and tz is not TZ:
        moment = moment.astimezone(TZ)
    return moment.toordinal(), moment.hour * 60 + moment.minute


def _normalise(cal: WorkCalendar, hours: WorkingHours, ordinal: int, minute: int) -> tuple[int, int]:
    """The first working moment at or after (ordinal, minute), as (working-day index, minute)."""
    t, i = cal._locate(ordinal)
    if t.days[i] != ordinal:
        return i, hours._spans[0][0]
    for s, e, _ in hours._spans:
        if minute < s:
            return i, s
        if minute <= e:  # a moment exactly at a window end counts as that end
            return i, minute
    return i + 1, hours._spans[0][0]


def _w(hours: WorkingHours, index: int, minute: int) -> int:
    """Working minutes since the calendar's first working day, of a normalised position."""
    for s, e, before in hours._spans:
        if minute <= e:
            return index * hours.minutes_per_day + before + minute - s
    raise AssertionError("not normalised")  # pragma: no cover


def _from_w(hours: WorkingHours, w: int) -> tuple[int, int]:
    """Position of working minute ``w`` > 0 where a window end stays an end."""
    per_day = hours.minutes_per_day
    index, offset = divmod(w - 1, per_day)
    offset += 1
    for s, e, before in hours._spans:
        if offset <= before + e - s:
            return index, s + offset - before
    raise AssertionError("offset after the working day")  # pragma: no cover


def _to_datetime(cal: WorkCalendar, index: int, minute: int) -> datetime:
    t, _ = cal._day(index)
    y, m, d = t.dates[index]
    return datetime(y, m, d, minute // 60, minute % 60, tzinfo=TZ)


def _position(cal: WorkCalendar, hours: WorkingHours, moment: datetime) -> tuple[int, int]:
    ordinal, minute = _local(moment)
    return _normalise(cal, hours, ordinal, minute)


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimeLimit:
    """A time limit as published (thời hạn giải quyết, Decree 63/2010 Art. 8(2)(đ))."""

    value: int | float | Decimal
    unit: str

    def __post_init__(self) -> None:
        _check(self.value, str(self.unit))


def _check(value: int | float | Decimal, unit: str) -> None:
    if unit not in UNITS:
        raise ValueError(f"Unknown time unit {unit!r}; expected one of {', '.join(UNITS)}")
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError(f"time limit must be a number, got {value!r}")
    if not 0 <= value < _INFINITY:  # also rejects NaN and infinity
        raise ValueError(f"time limit must be a finite non-negative number, got {value}")
    if unit == MONTHS and value != int(value):
        raise ValueError("a limit in months must be a whole number")


def add_time(
    start: datetime,
    value: int | float | Decimal,
    unit: str,
    calendar: WorkCalendar,
    hours: WorkingHours = DEFAULT_HOURS,
) -> datetime:
    """The due moment of a limit of ``value`` ``unit`` counted from ``start``.

    ``start`` may be aware (any zone) or naive (= Asia/Ho_Chi_Minh local time). The result is
    aware in Asia/Ho_Chi_Minh (+07:00) and always a working moment. ``value`` 0 gives the
    normalised start; ``same_day`` ignores ``value``. See the module docstring for the rules.
    """
    _check(value, unit)
    ordinal, minute = _local(start)
    index, minute = _normalise(calendar, hours, ordinal, minute)

    if unit == WORKING_DAYS or unit == WORKING_HOURS:
        per = hours.minutes_per_day if unit == WORKING_DAYS else 60
        add = value * per if isinstance(value, int) else int(round(value * per))
        if add:
            index, minute = _from_w(hours, _w(hours, index, minute) + add)
    elif unit == DAYS or unit == HOURS:
        per = _MIN_PER_DAY if unit == DAYS else 60
        add = value * per if isinstance(value, int) else int(round(value * per))
        if add:
            _, o = calendar._day(index)
            ordinal, minute = divmod(o * _MIN_PER_DAY + minute + add, _MIN_PER_DAY)
            index, minute = _normalise(calendar, hours, ordinal, minute)
    elif unit == MONTHS:
        months = int(value)
        if months:
            t, o = calendar._day(index)
            y, m, d = t.dates[index]
            target = date(y, m, d) + relativedelta(months=months)
            if target.day != d:
                # No corresponding day in the target month: due at the end of its last day.
                minute = hours.day_end
            index, minute = _normalise(calendar, hours, target.toordinal(), minute)
    else:  # SAME_DAY
        if minute >= _minutes(hours.cutoff):
            index += 1
        minute = hours.day_end
    return _to_datetime(calendar, index, minute)


def working_time_between(
    a: datetime, b: datetime, calendar: WorkCalendar, hours: WorkingHours = DEFAULT_HOURS
) -> timedelta:
    """Working time from ``a`` to ``b`` (negative when ``b < a``); both are normalised forward."""
    wa = _w(hours, *_position(calendar, hours, a))
    wb = _w(hours, *_position(calendar, hours, b))
    return timedelta(minutes=wb - wa)


def is_working_moment(moment: datetime, calendar: WorkCalendar, hours: WorkingHours = DEFAULT_HOURS) -> bool:
    """Whether ``moment`` is on a working day inside a window (window ends included)."""
    ordinal, minute = _local(moment)
    if not calendar.is_working_day(date.fromordinal(ordinal)):
        return False
    return any(s <= minute <= e for s, e, _ in hours._spans)


class SupplementPolicy(enum.StrEnum):
    """What a supplement request (yêu cầu bổ sung, hoàn thiện hồ sơ) does to the clock."""

    #: Legal rule, default: the full limit runs again from the complete dossier
    #: (Decree 61/2018 Art. 19(4); Decree 118/2025 Art. 19(5)).
    RESTART = "restart"
    #: DVCQG 766 measurement: the working time left at the request runs from the completion.
    PAUSE = "pause"
    #: Production practice: the appointment moves by the calendar length of the pause.
    EXTEND = "extend"


def due_after_supplement(
    policy: SupplementPolicy | str,
    *,
    limit: TimeLimit,
    original_start: datetime,
    current_due: datetime,
    requested_at: datetime,
    completed_at: datetime,
    calendar: WorkCalendar,
    hours: WorkingHours = DEFAULT_HOURS,
) -> datetime:
    """The due moment once the applicant completes the dossier after a supplement request.

    ``original_start`` ≤ ``requested_at`` ≤ ``completed_at`` is required. ``current_due`` is the
    appointment in force when the request was made. For ``restart`` the result is
    ``add_time(completed_at, limit)``, which is never earlier than ``add_time(original_start,
    limit)`` because the engine is monotonic; ``pause`` and ``extend`` never move ``current_due``
    earlier.
    """
    policy = SupplementPolicy(policy)
    if not original_start <= requested_at <= completed_at:
        raise ValueError("expected original_start <= requested_at <= completed_at")
    if policy is SupplementPolicy.RESTART:
        return add_time(completed_at, limit.value, limit.unit, calendar, hours)
    if policy is SupplementPolicy.PAUSE:
        due_index, due_minute = _position(calendar, hours, current_due)
        w_due = _w(hours, due_index, due_minute)
        paused = _w(hours, *_position(calendar, hours, completed_at)) - _w(
            hours, *_position(calendar, hours, requested_at)
        )
        if paused <= 0:
            return _to_datetime(calendar, due_index, due_minute)
        return _to_datetime(calendar, *_from_w(hours, w_due + paused))
    # EXTEND
    ordinal, minute = _local(current_due)
    pause_minutes = int((completed_at - requested_at).total_seconds() // 60)
    ordinal, minute = divmod(ordinal * _MIN_PER_DAY + minute + pause_minutes, _MIN_PER_DAY)
    return _to_datetime(calendar, *_normalise(calendar, hours, ordinal, minute))
