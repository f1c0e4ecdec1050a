"""Reads of working-time data, turned into the pure engine's objects.

The calendar is cached in-process and checked against the database on every call by one
small query (the entries themselves, a few dozen rows a year). This "version check" is what
keeps every worker process right after an administrator edits an entry, and it also survives
transaction rollbacks, which signals would not. The expensive part (the holidays package over
2000–2040 and the working-day index) is rebuilt only when the entries actually changed.

Working hours are cached the same way, by value: :func:`working_hours_from_values` keeps the
engine object of each distinct set of profile times, so a caller that has read a profile's row
(in a statement of its own) never gets the hours of an older version of that row.
"""

from __future__ import annotations

import functools
import threading
from datetime import date, time

from motcua.worktime.engine import DEFAULT_HOURS, WorkCalendar, WorkingHours
from motcua.worktime.models import CalendarEntry, WorkingHoursProfile

_lock = threading.Lock()
_cache: dict[str, tuple[tuple, WorkCalendar]] = {}


def _country() -> str:
    from django.conf import settings

    return getattr(settings, "MOTCUA_HOLIDAY_COUNTRY", "VN")


def get_calendar() -> WorkCalendar:
    """The working calendar: the ``holidays`` package for ``MOTCUA_HOLIDAY_COUNTRY`` plus every
    CalendarEntry (entries win). One query; the calendar is rebuilt only when entries changed."""
    return calendar_from_entries(CalendarEntry.objects.order_by("date").values_list("date", "kind", "name"))


def calendar_from_entries(entries) -> WorkCalendar:
    """The calendar for these ``(date, kind, name)`` entries, in date order: the cached one when
    they are the entries it was built from (the version check), else a new one.

    For callers that read the entries together with other rows in one statement (the dossier
    reception does); :func:`get_calendar` reads them itself."""
    rows = tuple(tuple(r) for r in entries)
    country = _country()
    key = (country, rows)
    cached = _cache.get("calendar")
    if cached is not None and cached[0] == key:
        return cached[1]
    calendar = WorkCalendar(
        {d: kind for d, kind, _ in rows},
        country=country,
        names={d: name for d, _, name in rows},
    )
    with _lock:
        _cache["calendar"] = (key, calendar)
    return calendar


def clear_calendar_cache() -> None:
    """Forget the cached calendar (tests; the next ``get_calendar`` rebuilds it)."""
    with _lock:
        _cache.clear()


def working_hours_from_profile(profile: WorkingHoursProfile) -> WorkingHours:
    return working_hours_from_values(
        profile.morning_start,
        profile.morning_end,
        profile.afternoon_start,
        profile.afternoon_end,
        profile.cutoff,
    )


@functools.lru_cache(maxsize=64)
def working_hours_from_values(
    morning_start: time,
    morning_end: time,
    afternoon_start: time | None,
    afternoon_end: time | None,
    cutoff: time,
) -> WorkingHours:
    """:class:`WorkingHours` of a profile's column values, cached by those values: an edited
    profile has other values and so gets other hours; nothing needs invalidating."""
    return WorkingHours.from_times(
        morning_start=morning_start,
        morning_end=morning_end,
        afternoon_start=afternoon_start,
        afternoon_end=afternoon_end,
        cutoff=cutoff,
    )


def get_working_hours(profile: WorkingHoursProfile | str | None = None) -> WorkingHours:
    """Working hours of ``profile`` (an instance or its name), else of the default profile, else
    the built-in 07:00–11:30, 13:30–17:00, cut-off 15:00.

    Raises ``WorkingHoursProfile.DoesNotExist`` for an unknown name.
    """
    if isinstance(profile, str):
        profile = WorkingHoursProfile.objects.get(name=profile)
    if profile is None:
        profile = WorkingHoursProfile.objects.filter(is_default=True).first()
        if profile is None:
            return DEFAULT_HOURS
    return working_hours_from_profile(profile)


def calendar_year_exceptions(year: int) -> list[tuple[date, bool, str, str]]:
    """Dates of ``year`` that differ from the Mon–Fri rule: closed weekdays and worked weekend days,
    as ``(date, is_working, reason, origin)`` with origin ``entry`` or ``package``."""
    return get_calendar().exceptions(year)
