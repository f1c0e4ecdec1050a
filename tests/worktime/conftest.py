import pytest

from motcua.worktime.defaults import CALENDAR_2025_2026
from motcua.worktime.engine import WorkCalendar

# The official 2025–2026 schedule as entries, the way the shipped data migration loads it.
OFFICIAL_ENTRIES = {day: kind for day, kind, _, _ in CALENDAR_2025_2026}
CALENDAR = WorkCalendar(OFFICIAL_ENTRIES)
PACKAGE_ONLY = WorkCalendar()


@pytest.fixture
def calendar() -> WorkCalendar:
    return CALENDAR


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    from motcua.worktime.selectors import clear_calendar_cache

    clear_calendar_cache()
    yield
    clear_calendar_cache()
