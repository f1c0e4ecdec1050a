"""The drill-down lists have exactly as many dossiers as the figures the selectors count."""

import pytest

from motcua.dossiers.models import Channel, Status
from motcua.indicators.drilldown import (
    DENOMINATOR,
    DRILLS,
    NUMERATOR,
    REST,
    DrilldownError,
    drilldown_queryset,
    normalize_part,
    worst_procedures,
)
from motcua.indicators.periods import parse_period
from motcua.indicators.profiles import get_profile
from motcua.indicators.selectors import PROVINCE_SCOPE, indicator_counts, resolve_scope

from .conftest import at

Q3 = parse_period("2025-Q3")


@pytest.fixture
def mixed(world):
    """Eleven dossiers of Q3 (and two outside it) covering each rule of the drill-down filters."""
    w = world
    w.dossier(finished="2025-08-06", synced=True, digitized=True)  # on time
    w.dossier(finished="2025-08-08", channel=Channel.ONLINE, synced=True)  # late, online
    w.dossier(  # one supplement, two days waiting subtracted: on time
        finished="2025-08-08",
        supplement_count=1,
        paused_minutes=2 * 24 * 60,
        supplement_requested_at=at("2025-08-05"),
    )
    w.dossier(finished="2025-08-06", supplement_count=2, supplement_requested_at=at("2025-08-05"))  # late
    # Extended: on time against the current due moment, late against the original one.
    w.dossier(finished="2025-08-11", due="2025-08-12", original_due_at=at("2025-08-07"), extended=True)
    w.dossier(due="2025-10-10")  # open, not yet due at the end of Q3
    w.dossier(due="2025-08-07", resolving_agency=w.commune, receiving_unit=w.commune_desk)  # open, overdue
    w.dossier(
        status=Status.SUPPLEMENT_REQUESTED, supplement_count=1, supplement_requested_at=at("2025-08-05")
    )
    # Paper-result, fee-bearing TTHC: paid online with an e-result, and one without.
    w.dossier(paper=True, finished="2025-08-05", e_result=True, paid_online=True, channel=Channel.ONLINE)
    w.dossier(
        paper=True, finished="2025-08-20", digitized=True, resolving_agency=w.commune
    )  # late, no e-result
    w.dossier(received="2025-06-02", due="2025-06-05", finished="2025-06-05")  # Q2 only
    w.dossier(received=None, due=None, status=Status.SUBMITTED, code=None)  # never received
    w.dossier(received="2025-06-30", due="2025-07-03", finished="2025-07-02", synced=True)  # finished in Q3
    return w


def _parts(scope, profile, code, counts):
    c = counts[code]
    n = {
        part: drilldown_queryset(scope, Q3, profile, indicator=code, part=part).count()
        for part in (NUMERATOR, DENOMINATOR, REST)
    }
    return c, n


@pytest.mark.parametrize("extension_due", ["current", "original"])
@pytest.mark.parametrize("scope_code", ["province", "000.00.32.H12", "000.00.10.H12", "000.00.01.H12"])
def test_list_lengths_equal_the_counted_figures(mixed, extension_due, scope_code):
    profile = get_profile(extension_due=extension_due)
    scope = resolve_scope(scope_code)
    counts = indicator_counts(scope, Q3, profile)
    checked = 0
    for code in DRILLS:
        c, n = _parts(scope, profile, code, counts)
        if c is None:
            continue
        assert n[DENOMINATOR] == c["denominator"], code
        if c["numerator"] is not None:
            assert n[NUMERATOR] == c["numerator"], code
            assert n[REST] == c["denominator"] - c["numerator"], code
            checked += 1
    assert checked >= 6


def test_on_time_parts_by_hand(mixed):
    profile = get_profile()
    late = drilldown_queryset(PROVINCE_SCOPE, Q3, profile, indicator="ON_TIME", part="late")
    # Late: the finished-late one, two supplements, the open overdue one, the paper one finished 20/8.
    assert late.count() == 4
    assert {d.supplement_count for d in late} == {0, 2}
    denominator = drilldown_queryset(PROVINCE_SCOPE, Q3, profile, indicator="ON_TIME", part=DENOMINATOR)
    assert denominator.count() == 11
    original = get_profile(extension_due="original")
    assert drilldown_queryset(PROVINCE_SCOPE, Q3, original, indicator="ON_TIME", part="late").count() == 5


def test_commune_scope_lists_its_own_dossiers(mixed):
    commune = resolve_scope("000.00.32.H12")
    late = drilldown_queryset(commune, Q3, get_profile(), indicator="ON_TIME", part="late")
    assert late.count() == 2  # its open overdue dossier and the paper one it resolved late
    assert all(d.resolving_agency_id == mixed.commune.pk for d in late)


def test_procedure_filter(mixed):
    code = mixed.v_paper.procedure.code
    qs = drilldown_queryset(
        PROVINCE_SCOPE, Q3, get_profile(), indicator="ON_TIME", part="late", procedure=code
    )
    assert qs.count() == 1
    assert qs.get().procedure_version_id == mixed.v_paper.pk


def test_worst_procedures_by_hand(mixed):
    rows = worst_procedures(PROVINCE_SCOPE, Q3, get_profile())
    by_code = {r["procedure"]: r for r in rows}
    paper = by_code[mixed.v_paper.procedure.code]
    assert (paper["numerator"], paper["denominator"], paper["rest"]) == (1, 2, 1)
    plain = by_code[mixed.v_plain.procedure.code]
    assert (plain["numerator"], plain["denominator"], plain["rest"]) == (6, 9, 3)
    assert rows[0]["procedure"] == mixed.v_plain.procedure.code or rows[0]["ratio"] <= rows[-1]["ratio"]
    assert [r["ratio"] for r in rows] == sorted(r["ratio"] for r in rows)


def test_parts_are_validated():
    assert normalize_part("ON_TIME", "late") == REST
    assert normalize_part("DOSSIER_SYNC", "") == DENOMINATOR
    with pytest.raises(DrilldownError):
        normalize_part("ONLINE_TTHC", "numerator")  # counts procedures, not dossiers
    with pytest.raises(DrilldownError):
        normalize_part("ON_TIME", "everything")
