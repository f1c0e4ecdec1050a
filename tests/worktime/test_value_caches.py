"""The value-keyed caches that the dossier reception reads its rules through (one statement,
``motcua.dossiers.services.reception_rules``): what was built from the same rows is reused, an
edited row gets a new object."""

from datetime import date, time

import pytest

from motcua.worktime.models import CalendarEntry
from motcua.worktime.selectors import (
    calendar_from_entries,
    clear_calendar_cache,
    get_calendar,
    working_hours_from_values,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh():
    clear_calendar_cache()
    yield
    clear_calendar_cache()


def test_calendar_from_the_same_entries_is_the_cached_calendar():
    cal = get_calendar()
    rows = list(CalendarEntry.objects.order_by("date").values_list("date", "kind", "name"))
    assert calendar_from_entries(rows) is cal
    assert calendar_from_entries(tuple(rows)) is cal  # lists or tuples alike


def test_calendar_from_changed_entries_is_rebuilt_and_replaces_the_cache():
    cal = get_calendar()
    rows = list(CalendarEntry.objects.order_by("date").values_list("date", "kind", "name"))
    changed = calendar_from_entries([*rows, (date(2026, 3, 4), "day_off", "Bão")])
    assert changed is not cal and not changed.is_working_day(date(2026, 3, 4))
    # The database did not change: the next check goes back to what it holds.
    again = get_calendar()
    assert again is not changed and again.is_working_day(date(2026, 3, 4))


def test_working_hours_are_shared_per_distinct_values():
    a = working_hours_from_values(time(7), time(11, 30), time(13, 30), time(17), time(15))
    b = working_hours_from_values(time(7), time(11, 30), time(13, 30), time(17), time(15))
    c = working_hours_from_values(time(7, 30), time(11, 30), time(13, 30), time(17), time(15))
    single = working_hours_from_values(time(8), time(12), None, None, time(11))
    assert a is b and c is not a
    assert (a.minutes_per_day, c.minutes_per_day, single.minutes_per_day) == (480, 450, 240)
