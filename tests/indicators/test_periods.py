import datetime as dt

import pytest

from motcua.indicators.periods import TZ, PeriodError, parse_period


@pytest.mark.parametrize(
    ("text", "first", "last", "label"),
    [
        ("2025-09", dt.date(2025, 9, 1), dt.date(2025, 9, 30), "2025-09"),
        ("2025-12", dt.date(2025, 12, 1), dt.date(2025, 12, 31), "2025-12"),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29), "2024-02"),
        ("2025-Q3", dt.date(2025, 7, 1), dt.date(2025, 9, 30), "2025-Q3"),
        ("2025-q4", dt.date(2025, 10, 1), dt.date(2025, 12, 31), "2025-Q4"),
        ("2025-Q1", dt.date(2025, 1, 1), dt.date(2025, 3, 31), "2025-Q1"),
        ("2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31), "2025"),
        ("2025-07-15..2025-08-14", dt.date(2025, 7, 15), dt.date(2025, 8, 14), "2025-07-15..2025-08-14"),
    ],
)
def test_parse(text, first, last, label):
    p = parse_period(text)
    assert (p.first, p.last, p.label) == (first, last, label)


def test_moments_are_local_midnights_end_exclusive():
    p = parse_period("2025-Q3")
    assert p.start == dt.datetime(2025, 7, 1, tzinfo=TZ)
    assert p.end == dt.datetime(2025, 10, 1, tzinfo=TZ)
    assert p.start.utcoffset() == dt.timedelta(hours=7)


@pytest.mark.parametrize(
    "text", ["", "2025-13", "2025-Q5", "25", "2025-09-31..2025-10-01", "2025-10-01..2025-09-01", "Q3"]
)
def test_bad_periods(text):
    with pytest.raises(PeriodError):
        parse_period(text)


def test_previous_year():
    assert parse_period("2025-Q3").previous_year().label == "2024-Q3"
    assert parse_period("2025-09").previous_year().label == "2024-09"
    assert parse_period("2025").previous_year().label == "2024"
    p = parse_period("2024-02-29..2024-03-31").previous_year()
    assert (p.first, p.last) == (dt.date(2023, 2, 28), dt.date(2023, 3, 31))
