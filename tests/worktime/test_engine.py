"""Table tests of the deadline engine against legal and schedule examples (pure, no database)."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from motcua.worktime.engine import (
    DEFAULT_HOURS,
    TZ,
    SupplementPolicy,
    TimeLimit,
    WorkCalendar,
    WorkingHours,
    add_time,
    due_after_supplement,
    is_working_moment,
    working_time_between,
)
from motcua.worktime.units import TimeUnit

from .conftest import CALENDAR, PACKAGE_ONLY


def dt(y, mo, d, h=0, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=TZ)


# (start naive local, value, unit, expected local due, why)
CASES = [
    # Working days: N × 8 h of working time, keeping the time of day.
    ((2026, 3, 2, 9, 0), 3, "working_days", (2026, 3, 5, 9, 0), "Mon 09:00 + 3 wd → Thu 09:00"),
    (
        (2026, 3, 2, 7, 0),
        1,
        "working_days",
        (2026, 3, 2, 17, 0),
        "window end stays: Mon 07:00 + 1 wd → Mon 17:00",
    ),
    ((2026, 3, 2, 6, 0), 1, "working_days", (2026, 3, 2, 17, 0), "before hours counts from 07:00"),
    (
        (2026, 3, 2, 12, 0),
        1,
        "working_days",
        (2026, 3, 3, 11, 30),
        "lunch counts from 13:30; 8 h ends Tue 11:30",
    ),
    (
        (2026, 3, 2, 11, 30),
        1,
        "working_days",
        (2026, 3, 3, 11, 30),
        "exactly at a window end counts as that end",
    ),
    ((2026, 3, 2, 17, 0), 1, "working_days", (2026, 3, 3, 17, 0), "exactly 17:00 counts as Monday's end"),
    ((2026, 3, 2, 18, 0), 1, "working_days", (2026, 3, 3, 17, 0), "after hours counts from Tue 07:00"),
    ((2026, 3, 7, 10, 0), 1, "working_days", (2026, 3, 9, 17, 0), "Saturday counts from Monday 07:00"),
    ((2026, 3, 6, 16, 0), 1, "working_days", (2026, 3, 9, 16, 0), "Friday + 1 wd skips the weekend"),
    ((2026, 3, 2, 18, 0), 0, "working_days", (2026, 3, 3, 7, 0), "value 0 = the normalised start"),
    ((2026, 3, 2, 12, 0), 0, "working_days", (2026, 3, 2, 13, 30), "value 0 in lunch = 13:30"),
    # Tết Bính Ngọ 2026: Mon 16/2 – Fri 20/2 closed (Thông báo 9441/TB-BNV).
    (
        (2026, 2, 13, 15, 30),
        3,
        "working_days",
        (2026, 2, 25, 15, 30),
        "Tết 2026: Fri 13/2 15:30 + 3 wd → Wed 25/2",
    ),
    # Tết Ất Tỵ 2025: Mon 27/1 – Fri 31/1 closed.
    ((2025, 1, 24, 10, 0), 1, "working_days", (2025, 2, 3, 10, 0), "Tết 2025: Fri 24/1 + 1 wd → Mon 3/2"),
    # Quốc khánh 2025: Mon 1/9 and Tue 2/9 closed.
    ((2025, 8, 29, 10, 0), 1, "working_days", (2025, 9, 3, 10, 0), "2/9/2025: Fri 29/8 + 1 wd → Wed 3/9"),
    # 30/4–1/5/2025 with the swap: Fri 2/5 off, Sat 26/4 worked.
    ((2025, 4, 25, 10, 0), 1, "working_days", (2025, 4, 26, 10, 0), "Sat 26/4/2025 is worked"),
    ((2025, 4, 29, 10, 0), 1, "working_days", (2025, 5, 5, 10, 0), "30/4–2/5/2025 closed"),
    # New Year 2026 swap (Công văn 12729/VPCP-KGVX): Thu 1/1 and Fri 2/1 closed, Sat 10/1 worked.
    ((2025, 12, 31, 16, 0), 1, "working_days", (2026, 1, 5, 16, 0), "1–2/1/2026 closed"),
    ((2026, 1, 9, 10, 0), 1, "working_days", (2026, 1, 10, 10, 0), "Sat 10/1/2026 is worked"),
    (
        (2026, 1, 10, 9, 0),
        0,
        "working_days",
        (2026, 1, 10, 9, 0),
        "a reception on Sat 10/1/2026 counts at once",
    ),
    # Hùng Kings 2026 on Sunday 26/4 → compensatory Mon 27/4 (Labour Code Art. 111(3)).
    ((2026, 4, 24, 10, 0), 1, "working_days", (2026, 4, 28, 10, 0), "Mon 27/4/2026 compensatory"),
    # Quốc khánh 2026: Sat 22/8 worked, Mon 31/8 – Wed 2/9 closed.
    ((2026, 8, 21, 10, 0), 1, "working_days", (2026, 8, 22, 10, 0), "Sat 22/8/2026 is worked"),
    ((2026, 8, 28, 10, 0), 1, "working_days", (2026, 9, 3, 10, 0), "31/8–2/9/2026 closed"),
    # Ngày Văn hóa Việt Nam, Tue 24/11/2026.
    ((2026, 11, 23, 10, 0), 1, "working_days", (2026, 11, 25, 10, 0), "24/11/2026 closed"),
    # Working hours carry over lunch and nights (e.g. the 8 working hours of Decree 118 Art. 17(2)(c)).
    ((2026, 3, 2, 10, 0), 2, "working_hours", (2026, 3, 2, 14, 0), "over lunch"),
    ((2026, 3, 2, 10, 30), 1, "working_hours", (2026, 3, 2, 11, 30), "window end stays"),
    ((2026, 3, 2, 16, 0), 2, "working_hours", (2026, 3, 3, 8, 0), "over the night"),
    ((2026, 3, 6, 16, 30), 8, "working_hours", (2026, 3, 9, 16, 30), "over the weekend"),
    # Calendar days and hours: a calendar duration, rolled forward to working time.
    ((2026, 3, 2, 9, 0), 7, "days", (2026, 3, 9, 9, 0), "7 days"),
    ((2026, 3, 2, 9, 0), 5, "days", (2026, 3, 9, 7, 0), "lands on Saturday → Monday 07:00"),
    ((2026, 2, 10, 10, 0), 7, "days", (2026, 2, 23, 7, 0), "lands in Tết → Mon 23/2"),
    ((2026, 3, 7, 10, 0), 1, "days", (2026, 3, 10, 7, 0), "counted from the normalised start Mon 07:00"),
    ((2026, 3, 2, 10, 0), 2, "hours", (2026, 3, 2, 13, 30), "lands in lunch → 13:30"),
    ((2026, 3, 2, 16, 0), 2, "hours", (2026, 3, 3, 7, 0), "lands after hours → next morning"),
    ((2026, 3, 6, 16, 0), 2, "hours", (2026, 3, 9, 7, 0), "Friday evening → Monday 07:00"),
    # Months (relativedelta), rolled forward.
    ((2026, 3, 16, 9, 0), 1, "months", (2026, 4, 16, 9, 0), "one month"),
    ((2026, 1, 14, 9, 0), 1, "months", (2026, 2, 23, 7, 0), "Sat 14/2/2026 in Tết → Mon 23/2"),
    ((2026, 1, 30, 10, 0), 1, "months", (2026, 3, 2, 7, 0), "no 30/2: end of 28/2 (Saturday) → Mon 2/3"),
    ((2025, 3, 31, 10, 0), 1, "months", (2025, 5, 5, 7, 0), "no 31/4: end of 30/4 (holiday) → Mon 5/5"),
    # 31/4 does not exist: due at the end of 30/4 (holiday), then 1/5 and the weekend → Mon 4/5.
    ((2026, 3, 31, 10, 0), 1, "months", (2026, 5, 4, 7, 0), "no 31/4/2026: end of 30/4 (holiday) → Mon 4/5"),
    ((2025, 7, 31, 10, 0), 2, "months", (2025, 9, 30, 17, 0), "no 31/9: end of Tue 30/9/2025"),
    # Same day: cut-off 15:00 (Decree 118/2025 Art. 18(2); chứng thực practice).
    ((2026, 3, 2, 14, 59), 0, "same_day", (2026, 3, 2, 17, 0), "before the cut-off"),
    ((2026, 3, 2, 15, 0), 0, "same_day", (2026, 3, 3, 17, 0), "at the cut-off → next working day"),
    ((2026, 3, 2, 16, 0), 0, "same_day", (2026, 3, 3, 17, 0), "after the cut-off"),
    ((2026, 3, 2, 6, 30), 0, "same_day", (2026, 3, 2, 17, 0), "before hours: the day it starts on"),
    ((2026, 3, 2, 12, 0), 0, "same_day", (2026, 3, 2, 17, 0), "lunch: the day it starts on"),
    ((2026, 3, 2, 18, 0), 0, "same_day", (2026, 3, 3, 17, 0), "evening: starts the next day, due its end"),
    ((2026, 3, 7, 10, 0), 5, "same_day", (2026, 3, 9, 17, 0), "Saturday → Monday's end; value ignored"),
    ((2026, 2, 13, 15, 30), 0, "same_day", (2026, 2, 23, 17, 0), "Fri before Tết after 15:00 → Mon 23/2"),
]


@pytest.mark.parametrize(("start", "value", "unit", "expected", "why"), CASES, ids=[c[4] for c in CASES])
def test_legal_examples(start, value, unit, expected, why):
    due = add_time(datetime(*start), value, unit, CALENDAR, DEFAULT_HOURS)
    assert due == dt(*expected), why
    assert due.utcoffset() == timedelta(hours=7)
    assert due.isoformat().endswith("+07:00")


def test_aware_input_in_another_zone_is_converted():
    start = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội / Cà Mau
    assert add_time(start, 3, TimeUnit.WORKING_DAYS, CALENDAR) == dt(2026, 3, 5, 9, 0)


def test_seconds_are_dropped():
    assert add_time(datetime(2026, 3, 2, 9, 0, 59), 0, "working_days", CALENDAR) == dt(2026, 3, 2, 9, 0)


def test_package_alone_misses_the_2026_new_year_swap():
    """Why the shipped entries are mandatory (tthc-2025-update §3.2, "Library gap")."""
    assert add_time(datetime(2025, 12, 31, 16), 1, "working_days", PACKAGE_ONLY) == dt(2026, 1, 2, 16)
    assert not PACKAGE_ONLY.is_working_day(date(2026, 1, 10))
    assert CALENDAR.is_working_day(date(2026, 1, 10))
    assert not CALENDAR.is_working_day(date(2026, 1, 2))


def test_entries_win_over_package_and_weekly_rule():
    cal = WorkCalendar(
        {date(2026, 2, 16): "working_day", date(2026, 3, 4): "day_off", date(2026, 3, 7): "working_day"}
    )
    assert cal.is_working_day(date(2026, 2, 16))  # a package holiday, opened
    assert not cal.is_working_day(date(2026, 3, 4))  # a Wednesday, closed
    assert cal.is_working_day(date(2026, 3, 7))  # a Saturday, opened
    assert not cal.is_working_day(date(2026, 3, 8))


def test_package_weekend_workdays_are_opened():
    assert PACKAGE_ONLY.is_working_day(date(2025, 4, 26))
    assert PACKAGE_ONLY.is_working_day(date(2026, 8, 22))


def test_saturday_is_closed_without_an_entry():
    assert not CALENDAR.is_working_day(date(2026, 3, 7))


def test_calendar_without_package_is_monday_to_friday():
    cal = WorkCalendar(country=None)
    assert cal.is_working_day(date(2026, 9, 2))
    assert cal.working_days_between(date(2026, 3, 2), date(2026, 3, 9)) == 5


def test_calendar_widens_forward_lazily():
    cal = WorkCalendar(last_year=2026)
    assert add_time(datetime(2026, 12, 30, 9), 40, "working_days", cal).year == 2027
    assert cal.is_working_day(date(2060, 3, 1))  # a Monday


def test_exceptions_list_closed_weekdays_and_worked_weekends():
    rows = {d: (working, origin) for d, working, _, origin in CALENDAR.exceptions(2026)}
    assert rows[date(2026, 1, 2)] == (False, "entry")
    assert rows[date(2026, 1, 10)] == (True, "entry")
    assert rows[date(2026, 11, 24)] == (False, "entry")
    assert date(2026, 1, 3) not in rows  # an ordinary Saturday


@pytest.mark.parametrize(
    ("value", "unit", "error"),
    [
        (-1, "working_days", ValueError),
        (1, "weeks", ValueError),
        (1.5, "months", ValueError),
        (float("nan"), "days", ValueError),
        (float("inf"), "working_days", ValueError),
        ("3", "days", TypeError),
        (True, "days", TypeError),
    ],
)
def test_invalid_limits_are_rejected(value, unit, error):
    with pytest.raises(error):
        add_time(datetime(2026, 3, 2, 9), value, unit, CALENDAR)


def test_dates_before_the_calendar_are_rejected():
    with pytest.raises(ValueError):
        add_time(datetime(1999, 3, 2, 9), 1, "working_days", CALENDAR)


def test_fractional_values():
    assert add_time(datetime(2026, 3, 2, 9), 1.5, "working_hours", CALENDAR) == dt(2026, 3, 2, 10, 30)
    assert add_time(datetime(2026, 3, 2, 9), 0.5, "working_days", CALENDAR) == dt(
        2026, 3, 2, 15, 0
    )  # 2.5 h + 1.5 h after lunch


def test_single_window_profile_and_custom_cutoff():
    hours = WorkingHours(windows=((time(8), time(12)),), cutoff=time(11))
    assert hours.minutes_per_day == 240
    assert add_time(datetime(2026, 3, 2, 9), 1, "working_days", CALENDAR, hours) == dt(2026, 3, 3, 9)
    assert add_time(datetime(2026, 3, 2, 13), 1, "working_hours", CALENDAR, hours) == dt(2026, 3, 3, 9)
    assert add_time(datetime(2026, 3, 2, 11), 0, "same_day", CALENDAR, hours) == dt(2026, 3, 3, 12)
    assert add_time(datetime(2026, 3, 2, 10), 0, "same_day", CALENDAR, hours) == dt(2026, 3, 2, 12)


def test_invalid_working_hours():
    with pytest.raises(ValueError):
        WorkingHours(windows=((time(12), time(8)),))
    with pytest.raises(ValueError):
        WorkingHours(windows=((time(7), time(12)), (time(11), time(17))))
    with pytest.raises(ValueError):
        WorkingHours(windows=())


def test_working_hours_from_times():
    hours = WorkingHours.from_times(morning_start=time(7), morning_end=time(11, 30))
    assert hours.minutes_per_day == 270
    assert DEFAULT_HOURS.minutes_per_day == 480


# --- working time between ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "minutes"),
    [
        ((2026, 3, 2, 9), (2026, 3, 5, 9), 3 * 480),
        ((2026, 3, 5, 9), (2026, 3, 2, 9), -3 * 480),
        ((2026, 3, 2, 11), (2026, 3, 2, 14), 60),
        ((2026, 3, 6, 16), (2026, 3, 9, 8), 120),
        ((2026, 3, 7, 9), (2026, 3, 8, 20), 0),
        ((2026, 2, 13, 15, 30), (2026, 2, 25, 15, 30), 3 * 480),
        ((2026, 3, 2, 7), (2026, 3, 2, 17), 480),
    ],
)
def test_working_time_between(a, b, minutes):
    assert working_time_between(datetime(*a), datetime(*b), CALENDAR) == timedelta(minutes=minutes)


def test_is_working_moment():
    assert is_working_moment(datetime(2026, 3, 2, 17, 0), CALENDAR)
    assert not is_working_moment(datetime(2026, 3, 2, 12, 0), CALENDAR)
    assert not is_working_moment(datetime(2026, 3, 7, 9, 0), CALENDAR)
    assert not is_working_moment(datetime(2026, 2, 17, 9, 0), CALENDAR)


# --- supplement clock --------------------------------------------------------------------------

LIMIT = TimeLimit(5, "working_days")
START = dt(2026, 3, 2, 9)  # Monday
DUE = dt(2026, 3, 9, 9)  # Monday + 5 working days
REQUESTED = dt(2026, 3, 4, 9)  # Wednesday: 3 working days left
COMPLETED = dt(2026, 3, 9, 10)  # next Monday


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        # Decree 118/2025 Art. 19(5): the full 5 working days again from the completion.
        (SupplementPolicy.RESTART, dt(2026, 3, 16, 10)),
        # DVCQG 766: the 3 working days left run from the completion.
        (SupplementPolicy.PAUSE, dt(2026, 3, 12, 10)),
        # Production: + 5 days 1 hour of calendar time = Sat 14/3 10:00 → Mon 16/3 07:00.
        (SupplementPolicy.EXTEND, dt(2026, 3, 16, 7)),
    ],
)
def test_supplement_policies(policy, expected):
    assert add_time(START, LIMIT.value, LIMIT.unit, CALENDAR) == DUE
    got = due_after_supplement(
        policy,
        limit=LIMIT,
        original_start=START,
        current_due=DUE,
        requested_at=REQUESTED,
        completed_at=COMPLETED,
        calendar=CALENDAR,
    )
    assert got == expected


def test_restart_is_the_default_policy_value():
    assert SupplementPolicy("restart") is SupplementPolicy.RESTART
    assert list(SupplementPolicy)[0] is SupplementPolicy.RESTART


def test_pause_over_a_weekend_adds_nothing():
    got = due_after_supplement(
        "pause",
        limit=LIMIT,
        original_start=START,
        current_due=DUE,
        requested_at=dt(2026, 3, 6, 17, 30),
        completed_at=dt(2026, 3, 8, 10),
        calendar=CALENDAR,
    )
    assert got == DUE


def test_supplement_rejects_disordered_moments():
    with pytest.raises(ValueError):
        due_after_supplement(
            "restart",
            limit=LIMIT,
            original_start=START,
            current_due=DUE,
            requested_at=COMPLETED,
            completed_at=REQUESTED,
            calendar=CALENDAR,
        )


def test_time_limit_validates():
    with pytest.raises(ValueError):
        TimeLimit(-1, "days")
    assert TimeLimit(3, TimeUnit.WORKING_DAYS).unit == "working_days"


def test_engine_does_not_import_the_orm():
    import subprocess
    import sys

    code = (
        "import sys, motcua.worktime.engine as e; "
        "bad = [m for m in sys.modules if m.startswith('django')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("unit", "value"), [("working_days", 100_000), ("days", 100_000), ("months", 4_000)])
def test_a_deadline_beyond_the_supported_range_is_refused(unit, value):
    """A limit centuries long is a data error: refused, never a runaway calendar."""
    calendar = WorkCalendar({})  # its own calendar: widening must not leak into the shared one
    with pytest.raises(OverflowError):
        add_time(datetime(2026, 2, 13, 15, 30, tzinfo=TZ), value, unit, calendar, DEFAULT_HOURS)
