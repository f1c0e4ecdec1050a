"""Benchmark of the pure deadline engine (motcua.worktime.engine).

10,000 random cases (fixed seed) over all six units, computed against a prebuilt calendar;
prints the best of several runs in computations per second. No Django, no database.

    .venv/bin/python bench/bench_deadline.py [--cases 10000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from motcua.worktime.engine import (  # noqa: E402
    DEFAULT_HOURS,
    TZ,
    UNITS,
    WorkCalendar,
    add_time,
    is_working_moment,
)

# The 2026 New-Year swap that the holidays package misses (Công văn 12729/VPCP-KGVX).
ENTRIES = {date(2026, 1, 2): "day_off", date(2026, 1, 10): "working_day"}
LIMITS = {
    "working_days": (1, 60),
    "days": (1, 90),
    "working_hours": (1, 40),
    "hours": (1, 72),
    "months": (1, 12),
    "same_day": (0, 0),
}


def make_cases(n: int, seed: int = 20260101) -> list[tuple[datetime, int, str]]:
    rng = random.Random(seed)
    origin = datetime(2025, 1, 1, tzinfo=TZ)
    cases = []
    for _ in range(n):
        start = origin + timedelta(minutes=rng.randrange(0, 2 * 365 * 1440))
        unit = rng.choice(UNITS)
        low, high = LIMITS[unit]
        cases.append((start, rng.randint(low, high), unit))
    return cases


def run(cases, calendar) -> float:
    t0 = time.perf_counter()
    for start, value, unit in cases:
        add_time(start, value, unit, calendar, DEFAULT_HOURS)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    t0 = time.perf_counter()
    calendar = WorkCalendar(ENTRIES)
    build = time.perf_counter() - t0
    cases = make_cases(args.cases)
    # Sanity check outside the timing: every due moment is a working moment.
    assert all(is_working_moment(add_time(s, v, u, calendar), calendar) for s, v, u in cases)
    run(cases, calendar)  # warm-up
    best = min(run(cases, calendar) for _ in range(args.repeat))
    rate = args.cases / best
    print(f"calendar build: {build * 1000:.0f} ms (2000–2040, holidays package + entries)")
    print(f"{args.cases} cases, best of {args.repeat}: {best * 1000:.1f} ms → {rate:,.0f} computations/s")
    for unit in UNITS:
        subset = [c for c in cases if c[2] == unit]
        t = min(run(subset, calendar) for _ in range(args.repeat))
        print(f"  {unit:<14} {len(subset) / t:>12,.0f} /s")
    print(f"python {platform.python_version()} on {platform.machine()}, {platform.processor() or 'cpu'}")


if __name__ == "__main__":
    main()
