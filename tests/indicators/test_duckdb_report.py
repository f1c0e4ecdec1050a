"""Facts exported to Parquet (partitioned by province and month) and the 766 counts computed by
DuckDB equal the selectors' counts for the same data (issue 6 point 5)."""

import datetime as dt

import pytest
from django.core.management import call_command

from motcua.indicators.duckdb_report import duckdb_counts, duckdb_report
from motcua.indicators.facts_export import export_parquet
from motcua.indicators.periods import parse_period
from motcua.indicators.profiles import get_profile
from motcua.indicators.selectors import PROVINCE_SCOPE, indicator_counts, indicator_report, resolve_scope
from motcua.indicators.simulate import simulate

from .conftest import TZ

PERIODS = ("2025", "2025-Q3", "2025-08", "2025-07-15..2025-09-10")


@pytest.fixture
def data(world, tmp_path):
    simulate(year=2025, dossiers=1500, seed=3, now=dt.datetime(2025, 9, 20, tzinfo=TZ))
    # Hand-made cases on top: extended, two supplements, waiting, with the new facts.
    world.dossier(received="2025-08-04", due="2025-08-07", finished="2025-08-11", extended=True)
    world.dossier(received="2025-08-05", due="2025-08-20", supplement_count=2, reused_components=1)
    world.dossier(
        received="2025-09-18",
        due="2025-09-25",
        status="supplement_requested",
        supplement_count=1,
        supplement_requested_at=dt.datetime(2025, 9, 19, 9, tzinfo=TZ),
        vneid_verified=True,
    )
    out = tmp_path / "facts"
    result = export_parquet(out)
    return out, result


def test_export_is_partitioned_by_province_and_month(data):
    out, result = data
    assert result["rows"] > 1400 and result["files"] >= 9
    provinces = {p.name for p in out.iterdir()}
    assert provinces == {"province=96"}
    months = {p.name for p in (out / "province=96").iterdir()}
    assert {"month=2025-01", "month=2025-09"} <= months


@pytest.mark.parametrize("period", PERIODS)
def test_duckdb_counts_equal_the_selectors(data, period):
    out, _ = data
    for code in ("province", "000.01.32.H12", "000.00.32.H12", "000.00.10.H12", "000.00.01.H12"):
        scope = PROVINCE_SCOPE if code == "province" else resolve_scope(code)
        for profile in (get_profile(), get_profile(extension_due="original", online_requires_e_result=False)):
            expected = indicator_counts(scope, parse_period(period), profile)
            assert duckdb_counts(scope, period, profile, path=out) == expected, (code, period)


def test_duckdb_report_and_command(data, capsys, world):
    out, _ = data
    procedure = world.v_paper.procedure.code
    ours = duckdb_report(PROVINCE_SCOPE, "2025-Q3", path=out, procedure=procedure)
    assert ours == indicator_report(PROVINCE_SCOPE, "2025-Q3", procedure=procedure)
    assert ours["procedure"] == procedure and ours["total"] is not None
    call_command("facts", "report", "--path", str(out), "--period", "2025-Q3", "--province", "96")
    printed = capsys.readouterr().out
    assert '"period": "2025-Q3"' in printed and '"ON_TIME"' in printed
