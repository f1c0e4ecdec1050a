"""Invariants of the deadline engine (hypothesis).

The calendar is the shipped 2025–2026 schedule plus the holidays package; starts range over
2024–2027 to the minute, so holidays, swaps, weekends, lunch and nights are all hit.
"""

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.worktime.engine import (
    DEFAULT_HOURS,
    UNITS,
    SupplementPolicy,
    TimeLimit,
    add_time,
    due_after_supplement,
    is_working_moment,
    working_time_between,
)

from .conftest import CALENDAR

FAST = settings(max_examples=150, deadline=None)

starts = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31, 23, 59)).map(
    lambda d: d.replace(second=0, microsecond=0)
)
units = st.sampled_from(UNITS)
values = st.integers(min_value=0, max_value=60)
policies = st.sampled_from(list(SupplementPolicy))
gaps = st.integers(min_value=0, max_value=60 * 24 * 40).map(lambda m: timedelta(minutes=m))


@FAST
@given(start=starts, value=values, unit=units)
def test_a_due_moment_is_always_working_time(start, value, unit):
    due = add_time(start, value, unit, CALENDAR)
    assert is_working_moment(due, CALENDAR)
    assert due.utcoffset() == timedelta(hours=7)


@FAST
@given(start=starts, n=values, m=values, unit=st.sampled_from(["working_days", "working_hours"]))
def test_adding_n_then_m_equals_adding_n_plus_m(start, n, m, unit):
    """For any start and integers n, m ≥ 0: add(add(s, n), m) == add(s, n + m).

    Exact, including the window-end rule: a result at a window's end is re-read as that end
    (not as the next window's start), so no working minute is lost or counted twice.
    """
    once = add_time(start, n + m, unit, CALENDAR)
    twice = add_time(add_time(start, n, unit, CALENDAR), m, unit, CALENDAR)
    assert twice == once


@FAST
@given(start=starts, n=values)
def test_working_days_are_eight_working_hours_each(start, n):
    due = add_time(start, n, "working_days", CALENDAR)
    assert working_time_between(start, due, CALENDAR) == timedelta(hours=8 * n)
    assert due == add_time(start, 8 * n, "working_hours", CALENDAR)


@FAST
@given(start=starts, gap=gaps, value=values, unit=units)
def test_a_later_start_never_gives_an_earlier_due_moment(start, gap, value, unit):
    assert add_time(start, value, unit, CALENDAR) <= add_time(start + gap, value, unit, CALENDAR)


@FAST
@given(start=starts, value=values, unit=units)
def test_a_longer_limit_never_gives_an_earlier_due_moment(start, value, unit):
    assert add_time(start, value, unit, CALENDAR) <= add_time(start, value + 1, unit, CALENDAR)


@FAST
@given(
    start=starts,
    value=st.integers(min_value=1, max_value=30),
    unit=units,
    to_request=gaps,
    pause=gaps,
    policy=policies,
)
def test_a_supplement_never_makes_the_due_moment_earlier(start, value, unit, to_request, pause, policy):
    limit = TimeLimit(value, unit)
    original = add_time(start, value, unit, CALENDAR)
    requested = start + to_request
    completed = requested + pause
    due = due_after_supplement(
        policy,
        limit=limit,
        original_start=start,
        current_due=original,
        requested_at=requested,
        completed_at=completed,
        calendar=CALENDAR,
        hours=DEFAULT_HOURS,
    )
    assert due >= original
    assert is_working_moment(due, CALENDAR)


@FAST
@given(a=starts, b=starts)
def test_working_time_between_is_antisymmetric(a, b):
    assert working_time_between(a, b, CALENDAR) == -working_time_between(b, a, CALENDAR)
    if a <= b:
        assert working_time_between(a, b, CALENDAR) >= timedelta(0)
