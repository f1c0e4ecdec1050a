"""``motcua simulate`` (issue 6 point 6): a deterministic, calibrated history whose rollups equal
the facts; ``motcua demo`` adds a year of history once."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from motcua.dossiers.models import Channel, Dossier, DossierSource
from motcua.indicators.periods import parse_period
from motcua.indicators.rollups import use_source
from motcua.indicators.selectors import PROVINCE_SCOPE, indicator_counts, resolve_scope
from motcua.indicators.simulate import demo_history, simulate

from .conftest import TZ

NOW = dt.datetime(2026, 3, 10, 12, tzinfo=TZ)


def snapshot():
    return list(
        Dossier.objects.order_by("code").values_list(
            "code", "channel", "received_at", "finished_at", "due_at", "status", "synced", "satisfied"
        )
    )


def test_deterministic_calibrated_and_rolled_up(world):
    summary = simulate(year=2025, dossiers=3000, seed=5, now=NOW)
    first = snapshot()
    assert summary["dossiers"] == Dossier.objects.filter(received_at__isnull=False).count() > 2900
    qs = Dossier.objects.filter(received_at__isnull=False)
    assert set(qs.values_list("source", flat=True)) == {DossierSource.SIMULATED}
    online = qs.filter(channel=Channel.ONLINE).count() / qs.count()
    assert 0.74 < online < 0.82  # the report: 78.26%
    counts = indicator_counts(PROVINCE_SCOPE, parse_period("2025"))
    on_time = counts["ON_TIME"]["numerator"] / counts["ON_TIME"]["denominator"]
    assert 0.97 < on_time < 1.0  # "trên 99%" early or on time, ~1% late
    sync = counts["DOSSIER_SYNC"]["numerator"] / counts["DOSSIER_SYNC"]["denominator"]
    assert 0.88 < sync < 0.94  # 91%
    sat = counts["DOSSIER_RECEIVING_SATISFACTION"]
    assert 0.87 < sat["numerator"] / sat["denominator"] < 0.95  # 91.59%
    # Monday peak: more dossiers on Mondays than on any other weekday.
    by_weekday = [0] * 7
    for (received,) in qs.values_list("received_at"):
        by_weekday[received.astimezone(TZ).weekday()] += 1
    assert by_weekday[0] == max(by_weekday) and by_weekday[6] < by_weekday[0] / 10
    # The rollups were rebuilt at the end and agree with the facts.
    for scope in (PROVINCE_SCOPE, resolve_scope("000.01.32.H12"), resolve_scope("000.00.10.H12")):
        for period in ("2025", "2025-Q1", "2025-02-03..2025-03-14"):
            with use_source("facts"):
                facts = indicator_counts(scope, parse_period(period))
            assert indicator_counts(scope, parse_period(period)) == facts
    # Same seed, same data.
    Dossier.objects.all()._raw_delete(Dossier.objects.db)
    simulate(year=2025, dossiers=3000, seed=5, now=NOW)
    assert snapshot() == first


def test_command_refuses_to_duplicate_a_year(world, capsys):
    call_command("simulate", "--year", "2024", "--dossiers", "50")
    assert "Đã sinh 50 hồ sơ" in capsys.readouterr().out
    with pytest.raises(CommandError, match="--replace"):
        call_command("simulate", "--year", "2024", "--dossiers", "50")
    call_command("simulate", "--year", "2024", "--dossiers", "60", "--replace")
    assert Dossier.objects.filter(source=DossierSource.SIMULATED).count() == 60


def test_demo_history_is_idempotent(world):
    added = demo_history(per_year=400, now=NOW)
    assert set(added) == {2025, 2026} and added[2026] < added[2025]
    n = Dossier.objects.count()
    assert demo_history(per_year=400, now=NOW) == {}
    assert Dossier.objects.count() == n
    # The same-period comparison has both years.
    q1 = indicator_counts(PROVINCE_SCOPE, parse_period("2026-01-01..2026-02-28"))
    prev = indicator_counts(PROVINCE_SCOPE, parse_period("2025-01-01..2025-02-28"))
    assert q1["DOSSIER_SYNC"]["denominator"] > 0 and prev["DOSSIER_SYNC"]["denominator"] > 0
