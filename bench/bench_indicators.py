"""Benchmark of the 766 report: rollups and facts on PostgreSQL, Parquet + DuckDB at national scale.

Set-up (once, on a database whose name contains "bench"): ``migrate``, ``demo --no-history``
and ``simulate`` (a province-year of 1.5M dossiers; see docs/benchmarks.md). Measured in one run:

1. the province-year report (``indicator_report(province, YEAR)``), cold — a new connection
   and empty process caches — from the rollups and, for reference, from the dossier facts;
   against the floor, a hand-written SQL aggregation of the same counts over the rollup table
   and over the dossier table;
2. a dashboard-like query: ``compare_same_period`` (this period and the same period a year
   earlier) for a random unit (province, one-stop unit, commune, department) and a random month
   or quarter, closed loop, p50/p95;
3. ``--dashboard`` (alone): the whole ``dashboard_data(...)`` as the dashboard view calls it (a
   province leader's access; the ranking, trend, comparison, worst procedures and reform
   statistics) for the province and for a random unit, with a random month, quarter or the year,
   p50/p95/p99; and, for comparison, the same with one report per unit and per month (the path
   before :mod:`motcua.indicators.grouped`), ``--old-iterations`` times;
4. ``export_parquet`` of the facts (partitioned by province and month), then DuckDB replicates
   them into ~100M rows (one copy per synthetic province), and the same report is computed by
   :func:`motcua.indicators.duckdb_report.duckdb_counts` over all of them with
   ``SET memory_limit='4GB'``, against a hand-written DuckDB aggregation (the floor).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench_h6 \\
        .venv/bin/python bench/bench_indicators.py [--year 2025] [--rows 100000000]
        [--dir /tmp/motcua-bench] [--iterations 200] [--skip-duckdb] [--dashboard [--old-iterations 20]]

Generated data stays in ``--dir`` (outside the repository). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import platform
import random
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")


def fresh_connection() -> None:
    """Cold start: a new database connection and empty process caches."""
    from django.db import connection

    from motcua.indicators.rollups import clear_version_cache
    from motcua.worktime.selectors import clear_calendar_cache

    connection.close()
    clear_calendar_cache()
    clear_version_cache()
    connection.ensure_connection()


def timed(fn, *args, **kwargs):
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t, out


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, math.ceil(q * len(values)) - 1)]


FLOOR_SQL_FACTS = """
        SELECT count(*) FILTER (WHERE received_at >= %(s)s AND received_at < %(e)s),
               count(*) FILTER (WHERE received_at >= %(s)s AND received_at < %(e)s AND synced),
               count(*) FILTER (WHERE received_at >= %(s)s AND received_at < %(e)s AND channel = 'online'),
               count(*) FILTER (WHERE received_at >= %(s)s AND received_at < %(e)s AND digitized),
               count(*) FILTER (WHERE received_at >= %(s)s AND received_at < %(e)s AND paid_online),
               count(*) FILTER (WHERE finished_at >= %(s)s AND finished_at < %(e)s AND received_at IS NOT NULL),
               count(*) FILTER (WHERE finished_at >= %(s)s AND finished_at < %(e)s AND outcome_portal = 'on_time'),
               count(*) FILTER (WHERE received_at < %(e)s AND (finished_at IS NULL OR finished_at >= %(e)s)),
               count(*) FILTER (WHERE finished_at >= %(s)s AND finished_at < %(e)s AND e_result)
    FROM dossiers_dossier"""


FLOOR_SQL_ROLLUPS = """
    SELECT sum(received) FILTER (WHERE grain = 'M' AND day >= %(s)s AND day < %(e)s),
           sum(synced) FILTER (WHERE grain = 'M' AND day >= %(s)s AND day < %(e)s),
           sum(online) FILTER (WHERE grain = 'M' AND day >= %(s)s AND day < %(e)s),
           sum(digitized_e_ok) FILTER (WHERE grain = 'M' AND day >= %(s)s AND day < %(e)s),
           sum(paid) FILTER (WHERE grain = 'M' AND day >= %(s)s AND day < %(e)s),
           sum(finished) FILTER (WHERE grain = 'M' AND day >= %(s)s AND day < %(e)s),
           sum(fin_on_time) FILTER (WHERE grain = 'M' AND day >= %(s)s AND day < %(e)s),
           sum(received - open_stop) FILTER (WHERE grain = 'M' AND day < %(e)s),
           sum(oot_start - oot_stop) FILTER (WHERE grain = 'M' AND day < %(e)s)
    FROM indicators_rollup WHERE grain = 'M'"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--rows", type=int, default=100_000_000, help="rows of the national Parquet set")
    parser.add_argument("--dir", default="/tmp/motcua-bench")
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--skip-duckdb", action="store_true")
    parser.add_argument("--only-duckdb", action="store_true", help="skip the PostgreSQL measurements")
    parser.add_argument("--reuse-parquet", action="store_true", help="keep an existing national set")
    parser.add_argument("--dashboard", action="store_true", help="only the whole dashboard_data, new and old")
    parser.add_argument("--old-iterations", type=int, default=20, help="--dashboard: runs of the old path")
    args = parser.parse_args()

    import django

    django.setup()
    import datetime as dt

    from django.db import connection

    from motcua.worktime.engine import TZ

    name = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or "bench" not in name:
        sys.exit("Chỉ chạy trên cơ sở dữ liệu PostgreSQL có tên chứa 'bench'.")
    with connection.cursor() as cur:
        cur.execute("SELECT count(*), count(received_at) FROM dossiers_dossier")
        total, received = cur.fetchone()
        cur.execute("SELECT count(*) FROM indicators_rollup")
        rollup_rows = cur.fetchone()[0]
        cur.execute("SELECT version()")
        pg_version = cur.fetchone()[0].split(",")[0]
        cur.execute("ANALYZE indicators_rollup")
    print(
        f"# bench_indicators — {platform.node()} {platform.processor() or platform.machine()}, {os.cpu_count()} CPU"
    )
    print(f"{pg_version}; {total:,} dossiers ({received:,} received); {rollup_rows:,} rollup rows\n")
    year = str(args.year)
    start = dt.datetime(args.year, 1, 1, tzinfo=TZ)
    end = dt.datetime(args.year + 1, 1, 1, tzinfo=TZ)

    if args.dashboard:
        bench_dashboard(args, year)
        return
    if not args.only_duckdb:
        bench_postgresql(args, year, start, end)
    if not args.skip_duckdb:
        bench_duckdb(args, year)


def bench_postgresql(args, year: str, start, end) -> None:
    import datetime as dt

    from django.db import connection

    from motcua.indicators.periods import parse_period
    from motcua.indicators.rollups import use_source
    from motcua.indicators.selectors import (
        PROVINCE_SCOPE,
        compare_same_period,
        indicator_report,
        resolve_scope,
    )
    from motcua.org.models import Agency

    # 1. Cold province-year report.
    rows = []
    for label, source in (("report from rollups", "rollups"), ("report from facts", "facts")):
        times = []
        for _ in range(args.cold_runs):
            fresh_connection()
            with use_source(source):
                t, report = timed(indicator_report, PROVINCE_SCOPE, year)
            times.append(t)
        rows.append((label, times, report["total"]))
    for label, sql, params in (
        (
            "floor: SQL over rollups",
            FLOOR_SQL_ROLLUPS,
            {"s": dt.date(args.year, 1, 1), "e": dt.date(args.year + 1, 1, 1)},
        ),
        ("floor: SQL over dossiers", FLOOR_SQL_FACTS, {"s": start, "e": end}),
    ):
        times = []
        for _ in range(args.cold_runs):
            fresh_connection()
            with connection.cursor() as cur:
                t0 = time.perf_counter()
                cur.execute(sql, params)
                cur.fetchall()
                times.append(time.perf_counter() - t0)
        rows.append((label, times, None))
    print(f"## Province-year report {year}, cold (new connection, empty caches), {args.cold_runs} runs\n")
    print("| what | first (s) | min (s) | max (s) | total points |")
    print("|---|---:|---:|---:|---:|")
    for label, times, tot in rows:
        print(
            f"| {label} | {times[0]:.3f} | {min(times):.3f} | {max(times):.3f} | {'' if tot is None else tot} |"
        )

    # 2. Dashboard-like: same-period comparison for a random unit and month/quarter.
    rng = random.Random(766)
    codes = ["province"]
    codes += list(
        Agency.objects.filter(kind=Agency.Kind.ONE_STOP, valid_to__isnull=True).values_list(
            "ident_code", flat=True
        )[:20]
    )
    codes += list(
        Agency.objects.filter(
            kind=Agency.Kind.PEOPLES_COMMITTEE, valid_to__isnull=True, admin_unit__level=3
        ).values_list("ident_code", flat=True)[:20]
    )
    codes += list(
        Agency.objects.filter(kind=Agency.Kind.DEPARTMENT, valid_to__isnull=True).values_list(
            "ident_code", flat=True
        )[:10]
    )
    scopes = [PROVINCE_SCOPE if c == "province" else resolve_scope(c) for c in codes]
    periods = [f"{year}-{m:02d}" for m in range(1, 13)] + [f"{year}-Q{q}" for q in range(1, 5)]
    fresh_connection()
    compare_same_period(PROVINCE_SCOPE, periods[0])  # warm the connection like a running server
    lat = []
    t_all = time.perf_counter()
    for _ in range(args.iterations):
        scope, period = rng.choice(scopes), rng.choice(periods)
        t, _ = timed(compare_same_period, scope, parse_period(period))
        lat.append(t)
    wall = time.perf_counter() - t_all
    print(
        f"\n## Dashboard-like query: compare_same_period(random unit of {len(scopes)}, random month/quarter)\n"
    )
    print("| iterations | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | throughput (/s) |")
    print("|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {len(lat)} | {statistics.median(lat) * 1000:.1f} | {pct(lat, 0.95) * 1000:.1f} | "
        f"{pct(lat, 0.99) * 1000:.1f} | {max(lat) * 1000:.1f} | {len(lat) / wall:.1f} |"
    )


def bench_dashboard(args, year: str) -> None:
    """The whole dashboard view's data, grouped (today) and one report per unit / month (before)."""
    from unittest import mock

    from motcua.indicators import dashboard
    from motcua.indicators.access import IndicatorAccess, resolve_scope_for, scope_agencies
    from motcua.indicators.periods import parse_period
    from motcua.indicators.profiles import get_profile
    from motcua.indicators.selectors import PROVINCE_SCOPE, indicator_report

    access = IndicatorAccess(province=True)  # a province leader: any unit, its whole ranking
    scopes = [PROVINCE_SCOPE] + [resolve_scope_for(a) for a in scope_agencies(access)]
    periods = [f"{year}-{m:02d}" for m in range(1, 13)] + [f"{year}-Q{q}" for q in range(1, 5)] + [year]
    profiles = [get_profile("dvcqg-2026"), get_profile("qd766-2022")]

    def per_unit_reports(wanted, profile):
        return [indicator_report(s, period, profile) for s, period in wanted]

    def per_month_trend(scope, months, profile, *, procedure=None):
        return [indicator_report(scope, m, profile, procedure=procedure) for m in months]

    def run(n: int, seed: int, units: list) -> tuple[list[float], int]:
        rng = random.Random(seed)
        fresh_connection()
        dashboard.dashboard_data(PROVINCE_SCOPE, parse_period(year), profiles[0], access)  # warm up
        lat, ranked = [], 0
        for _ in range(n):
            scope, period, profile = rng.choice(units), rng.choice(periods), rng.choice(profiles)
            t, data = timed(dashboard.dashboard_data, scope, parse_period(period), profile, access)
            lat.append(t)
            ranked += len(data["ranking"])
        return lat, ranked

    print(f"## dashboard_data(scope, random month/quarter/year, both profiles), {len(scopes) - 1} units\n")
    print("| path | scope | iterations | units ranked (mean) | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    rows = []
    for label, n, patches in (
        ("grouped (today)", args.iterations, ()),
        (
            "one report per unit / month (before)",
            args.old_iterations,
            (
                mock.patch.object(dashboard, "grouped_reports", per_unit_reports),
                mock.patch.object(dashboard, "trend_reports", per_month_trend),
            ),
        ),
    ):
        if not n:
            continue
        with contextlib.ExitStack() as stack:
            for patch in patches:
                stack.enter_context(patch)
            for which, units in (("province", [PROVINCE_SCOPE]), ("random unit", scopes[1:])):
                lat, ranked = run(n, 766, units)
                rows.append((label, which, lat, ranked))
    for label, which, lat, ranked in rows:
        print(
            f"| {label} | {which} | {len(lat)} | {ranked / len(lat):.0f} | {statistics.median(lat) * 1000:.1f} | "
            f"{pct(lat, 0.95) * 1000:.1f} | {pct(lat, 0.99) * 1000:.1f} | {max(lat) * 1000:.1f} |"
        )


def bench_duckdb(args, year: str) -> None:
    # 4. Parquet export and DuckDB at national scale.
    import duckdb

    from motcua.indicators.duckdb_report import duckdb_counts, source_sql
    from motcua.indicators.facts_export import export_parquet
    from motcua.indicators.selectors import PROVINCE_SCOPE

    base = Path(args.dir) / "facts-province"
    national = Path(args.dir) / "facts-national"
    shutil.rmtree(base, ignore_errors=True)
    t, exported = timed(export_parquet, base)
    print(f"\n## Parquet export and DuckDB over {args.rows:,} rows (memory_limit 4GB)\n")
    print("| what | time (s) | notes |")
    print("|---|---:|---|")
    print(
        f"| export_parquet (PostgreSQL COPY → CSV → DuckDB → Parquet by province/month) | {t:.1f} | "
        f"{exported['rows']:,} rows, {exported['files']} files, {exported['bytes'] / 1e6:.0f} MB |"
    )
    copies = max(1, math.ceil(args.rows / max(exported["rows"], 1)))
    con = duckdb.connect()
    con.execute("SET memory_limit='4GB'")
    con.execute(f"SET temp_directory='{Path(args.dir) / 'duckdb-tmp'}'")
    if not (args.reuse_parquet and national.exists()):
        shutil.rmtree(national, ignore_errors=True)
        national.mkdir(parents=True)
        t0 = time.perf_counter()
        # One COPY per synthetic province (each partitioned by month): bounded memory.
        for k in range(copies):
            prov = f"{k + 1:02d}"
            con.execute(
                f"""COPY (
                    SELECT * EXCLUDE (province) REPLACE (dossier_id + {k * 100_000_000}::BIGINT AS dossier_id)
                    FROM {source_sql(base)}
                ) TO '{national / f"province={prov}"}' (FORMAT PARQUET, PARTITION_BY (month), OVERWRITE_OR_IGNORE true)"""
            )
        gen = time.perf_counter() - t0
    else:
        gen = 0.0
    n_rows = con.execute(f"SELECT count(*) FROM {source_sql(national)}").fetchone()[0]
    size = sum(f.stat().st_size for f in national.rglob("*.parquet"))
    print(
        f"| generate the national set with DuckDB ({copies} provinces) | {gen:.1f} | {n_rows:,} rows, {size / 1e9:.2f} GB |"
    )
    con.close()

    def duck_report():
        c = duckdb.connect()
        c.execute("SET memory_limit='4GB'")
        try:
            return duckdb_counts(PROVINCE_SCOPE, year, path=national, con=c)
        finally:
            c.close()

    def duck_floor():
        c = duckdb.connect()
        c.execute("SET memory_limit='4GB'")
        try:
            return c.execute(
                f"""SELECT count(*) FILTER (WHERE received_day >= DATE '{year}-01-01' AND received_day < DATE '{args.year + 1}-01-01'),
                           count(*) FILTER (WHERE finished_day >= DATE '{year}-01-01' AND finished_day < DATE '{args.year + 1}-01-01'),
                           sum(flags & 1), sum(flags & 2)
                    FROM {source_sql(national)}"""  # noqa: S608 - constants only
            ).fetchall()
        finally:
            c.close()

    for label, fn in (
        ("DuckDB report (duckdb_counts, national, one year)", duck_report),
        ("floor: hand-written DuckDB aggregation", duck_floor),
    ):
        times = []
        for _ in range(3):
            t, out = timed(fn)
            times.append(t)
        note = ""
        if isinstance(out, dict):
            note = f"ON_TIME {out['ON_TIME']['numerator']:,}/{out['ON_TIME']['denominator']:,}"
        print(f"| {label} | {times[0]:.2f} (min {min(times):.2f}) | {note} |")
    t, _ = timed(lambda: duckdb_counts(PROVINCE_SCOPE, year, path=national, province="01"))
    print(f"| DuckDB report, one province of the national set (partition pruning) | {t:.2f} | |")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nPeak resident memory of the benchmark process: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
