"""Hand-computed counts and scores from small dossier datasets (2025-Q3 = 1/7–30/9/2025)."""

import datetime as dt

import pytest

from motcua.catalog.models import Procedure, PublicationDecision
from motcua.dossiers.models import Channel, Status
from motcua.indicators.periods import parse_period
from motcua.indicators.profiles import get_profile
from motcua.indicators.selectors import (
    PROVINCE_SCOPE,
    ScopeError,
    compare_same_period,
    indicator_counts,
    indicator_report,
    rank_units,
    resolve_scope,
)
from tests.dossiers.factories import AgencyFactory, ProcedureVersionFactory

from .conftest import at

Q3 = parse_period("2025-Q3")


def ind(report, code):
    return next(i for g in report["groups"] for i in g["indicators"] if i["code"] == code)


@pytest.fixture
def on_time_cases(world):
    w = world
    w.dossier(finished="2025-08-06")  # A on time
    w.dossier(finished="2025-08-08")  # B late
    # C: one supplement, 2 days waiting subtracted: end' = 6/8 ≤ 7/8, on time.
    w.dossier(
        finished="2025-08-08",
        supplement_count=1,
        paused_minutes=2 * 24 * 60,
        supplement_requested_at=at("2025-08-05"),
    )
    w.dossier(
        finished="2025-08-06", supplement_count=2, supplement_requested_at=at("2025-08-05")
    )  # D: 2 supplements late
    w.dossier(finished="2025-08-05", status=Status.WITHDRAWN)  # E: withdrawn after reception, on time
    # F: extended once from 7/8 to 12/8, finished 11/8: on time against current, late against original.
    w.dossier(finished="2025-08-11", due="2025-08-12", original_due_at=at("2025-08-07"), extended=True)
    w.dossier(due="2025-10-10")  # G: still open, not yet due at the period end
    w.dossier(due="2025-08-07")  # H: still open and overdue at the period end
    # I: waiting for the applicant's supplement since 5/8 (before the due moment): on time.
    w.dossier(
        status=Status.SUPPLEMENT_REQUESTED, supplement_count=1, supplement_requested_at=at("2025-08-05")
    )
    w.dossier(received="2025-06-02", due="2025-06-05", finished="2025-06-05")  # J: finished in Q2
    w.dossier(received=None, due=None, status=Status.SUBMITTED, code=None)  # K: never received
    w.dossier(received="2025-06-30", due="2025-07-03", finished="2025-07-02")  # L: finished in Q3, on time
    return w


def test_on_time_current_due(on_time_cases):
    counts = indicator_counts(PROVINCE_SCOPE, Q3)
    assert counts["ON_TIME"] == {"numerator": 7, "denominator": 10}  # A C E F G I L of A–I, L
    report = indicator_report(PROVINCE_SCOPE, Q3)
    assert ind(report, "ON_TIME")["score"] == 14.0
    assert ind(report, "ON_TIME")["ratio"] == 0.7


def test_on_time_original_due_parameter(on_time_cases):
    profile = get_profile(extension_due="original")
    assert indicator_counts(PROVINCE_SCOPE, Q3, profile)["ON_TIME"] == {"numerator": 6, "denominator": 10}
    report = indicator_report(PROVINCE_SCOPE, Q3, profile)
    assert ind(report, "ON_TIME")["score"] == 12.0
    assert "extension_due=original" in ind(report, "ON_TIME")["rule"]


def test_original_due_subtracts_supplement_waiting(world):
    # Extended from 7/8 to 14/8; one supplement waited 3 days; finished 9/8 09:00: 9/8 − 3 days =
    # 6/8 ≤ 7/8, on time even against the original due moment. Finished 11/8: 8/8 > 7/8, late.
    common = {
        "due": "2025-08-14",
        "original_due_at": at("2025-08-07"),
        "extended": True,
        "supplement_count": 1,
    }
    world.dossier(finished="2025-08-09", paused_minutes=3 * 24 * 60, **common)
    world.dossier(finished="2025-08-11", paused_minutes=3 * 24 * 60, **common)
    original = get_profile(extension_due="original")
    assert indicator_counts(PROVINCE_SCOPE, Q3, original)["ON_TIME"] == {"numerator": 1, "denominator": 2}
    assert indicator_counts(PROVINCE_SCOPE, Q3)["ON_TIME"] == {"numerator": 2, "denominator": 2}


def test_open_dossier_overdue_at_month_end_but_on_time_earlier(world):
    world.dossier(due="2025-08-20")
    assert indicator_counts(PROVINCE_SCOPE, parse_period("2025-08"))["ON_TIME"] == {
        "numerator": 0,
        "denominator": 1,
    }
    assert indicator_counts(PROVINCE_SCOPE, parse_period("2025-08-01..2025-08-19"))["ON_TIME"] == {
        "numerator": 1,
        "denominator": 1,
    }


@pytest.fixture
def service_cases(world):
    w = world
    common = {"channel": Channel.ONLINE, "synced": True, "digitized": True}
    w.dossier(paper=True, finished="2025-08-06", e_result=True, paid_online=True, **common)  # 1
    w.dossier(paper=True, finished="2025-08-06", **common)  # 2: paper result but no e-result
    w.dossier(**common)  # 3
    w.dossier(channel=Channel.DIRECT)  # 4
    return w


def test_dossier_indicators(service_cases):
    counts = indicator_counts(PROVINCE_SCOPE, Q3)
    assert counts["DOSSIER_SYNC"] == {"numerator": 3, "denominator": 4}
    assert counts["ONLINE_DOSSIER"] == {"numerator": 2, "denominator": 4}
    assert counts["PAYMENT_DOSSIER"] == {"numerator": 1, "denominator": 2}
    assert counts["SO_HOA_GIAY_TO_GIAI_QUYET"] == {"numerator": 2, "denominator": 4}
    assert counts["ORIGINAL_RESULT_AVAILABLE"] == {"numerator": 1, "denominator": 2}
    r = indicator_report(PROVINCE_SCOPE, Q3)
    assert ind(r, "DOSSIER_SYNC")["score"] == 4.5
    # 2/4 online × 3/4 synced = 0.375 < 50%: 6 · 0.375 / 0.5.
    assert ind(r, "ONLINE_DOSSIER")["ratio"] == 0.375 and ind(r, "ONLINE_DOSSIER")["score"] == 4.5
    assert ind(r, "PAYMENT_DOSSIER")["score"] == 3.0
    assert ind(r, "SO_HOA_GIAY_TO_GIAI_QUYET")["score"] == 2.0
    assert ind(r, "ORIGINAL_RESULT_AVAILABLE")["score"] == 3.0


def test_catalog_indicators(service_cases):
    counts = indicator_counts(PROVINCE_SCOPE, Q3)
    assert counts["ONLINE_TTHC"] == {"numerator": 1, "denominator": 2}
    assert counts["ONLINE_SERVICE_USED"] == {"numerator": 1, "denominator": 1}
    assert counts["PAYMENT_TTHC_USED"] == {"numerator": 1, "denominator": 1}
    assert counts["PAYMENT_TTHC_INTEGRATED"] == {"numerator": 1, "denominator": 1}
    assert counts["PUBLIC_CONTENT_FULL"] == {"numerator": 0, "denominator": 2}
    r = indicator_report(PROVINCE_SCOPE, Q3)
    assert ind(r, "ONLINE_TTHC")["score"] == 1.25  # 2 · 0.5 / 0.8
    assert ind(r, "ONLINE_SERVICE_USED")["score"] == 4.0
    assert ind(r, "PUBLIC_CONTENT_FULL")["score"] == 0.0  # computable and really 0


def test_no_dossier_in_period_is_none_not_zero(service_cases):
    r = indicator_report(PROVINCE_SCOPE, "2024-Q3")
    for code in ("ON_TIME", "DOSSIER_SYNC", "ONLINE_DOSSIER", "PAYMENT_DOSSIER", "ORIGINAL_RESULT_AVAILABLE"):
        assert ind(r, code)["ratio"] is None and ind(r, code)["score"] is None, code
    # Online services exist but none received a dossier: a real 0, not "not computable".
    assert ind(r, "ONLINE_SERVICE_USED")["score"] == 0.0
    # Missing fact sources: not computable, even with dossiers.
    r = indicator_report(PROVINCE_SCOPE, Q3)
    for code in ("DOSSIER_RECEIVING_SATISFACTION", "REUSED_DIGITIZED_DATA", "CITIZEN_DATA_CONNECTED_DOSSIER"):
        assert ind(r, code)["score"] is None, code
    assert ind(r, "DOSSIER_RECEIVING_SATISFACTION")["denominator"] == 2


def test_publication_on_time_per_procedure(world):
    ok = PublicationDecision.objects.create(
        number="1/QĐ-UBND",
        signed_on=dt.date(2025, 8, 1),
        basis_effective_on=dt.date(2025, 8, 15),
        published_on=dt.date(2025, 8, 5),
    )
    late = PublicationDecision.objects.create(
        number="2/QĐ-UBND",
        signed_on=dt.date(2025, 8, 12),
        basis_effective_on=dt.date(2025, 8, 14),
        published_on=dt.date(2025, 8, 29),
    )
    p1 = Procedure.objects.create(code="1.000001")
    ProcedureVersionFactory(procedure=p1, decision=ok, valid_to=dt.date(2025, 8, 20))
    ProcedureVersionFactory(
        procedure=p1, decision=late, valid_from=dt.date(2025, 8, 20)
    )  # amended twice, once late: late for the period
    ProcedureVersionFactory(decision=late)
    ProcedureVersionFactory(decision=ok)
    counts = indicator_counts(PROVINCE_SCOPE, Q3)
    assert counts["PUBLISH_ON_TIME"] == {"numerator": 1, "denominator": 3}
    assert counts["PUBLIC_UPDATE_ON_TIME"] == {"numerator": 1, "denominator": 3}
    r = indicator_report(PROVINCE_SCOPE, Q3)
    assert ind(r, "PUBLISH_ON_TIME")["score"] == 2.0
    assert ind(r, "PUBLIC_UPDATE_ON_TIME")["score"] == 1.33


def test_scopes_commune_agency_one_stop(world):
    w = world
    w.dossier(synced=True)  # department, province centre
    w.dossier(resolving_agency=w.section)  # in the department's subtree
    w.dossier(resolving_agency=w.commune, receiving_unit=w.commune_desk, synced=True)
    w.dossier(resolving_agency=w.commune, receiving_unit=w.commune_desk)
    commune = resolve_scope("000.00.32.H12")
    assert commune.kind == "commune"
    assert indicator_counts(commune, Q3)["DOSSIER_SYNC"] == {"numerator": 1, "denominator": 2}
    r = indicator_report(commune, Q3)
    assert ind(r, "DOSSIER_SYNC")["score"] == 3.0
    for code in ("PUBLISH_ON_TIME", "PUBLIC_UPDATE_ON_TIME", "PUBLIC_CONTENT_FULL"):
        assert ind(r, code)["score"] is None and "không áp dụng" in ind(r, code)["rule"]
    # Commune competence: commune-level procedures only.
    assert indicator_counts(commune, Q3)["ONLINE_TTHC"] == {"numerator": 0, "denominator": 1}
    dept = resolve_scope("000.00.10.H12")
    assert dept.kind == "agency"
    # TTHC within an agency's competence: the versions naming an agency of its subtree.
    assert indicator_counts(dept, Q3)["ONLINE_TTHC"] == {"numerator": 0, "denominator": 0}
    w.v_paper.agencies.add(w.section)
    assert indicator_counts(dept, Q3)["ONLINE_TTHC"] == {"numerator": 1, "denominator": 1}
    assert indicator_counts(dept, Q3)["DOSSIER_SYNC"] == {"numerator": 1, "denominator": 2}
    centre = resolve_scope("000.00.01.H12")
    assert centre.kind == "one_stop"
    assert indicator_counts(centre, Q3)["DOSSIER_SYNC"] == {"numerator": 1, "denominator": 2}
    assert indicator_counts(PROVINCE_SCOPE, Q3)["DOSSIER_SYNC"] == {"numerator": 2, "denominator": 4}
    with pytest.raises(ScopeError):
        resolve_scope("999.99.99.H99")


def test_procedure_drill_down(service_cases):
    code = service_cases.v_paper.procedure.code
    r = indicator_report(PROVINCE_SCOPE, Q3, procedure=code)
    assert r["procedure"] == code
    assert ind(r, "DOSSIER_SYNC")["denominator"] == 2
    assert ind(r, "ONLINE_TTHC")["denominator"] == 1


def test_same_period_comparison(world):
    world.dossier(synced=True)
    world.dossier(synced=True)
    world.dossier(received="2024-08-05", due="2024-08-08", synced=True)
    world.dossier(received="2024-08-05", due="2024-08-08")
    cmp = compare_same_period(PROVINCE_SCOPE, "2025-Q3")
    assert (cmp["period"], cmp["previous_period"]) == ("2025-Q3", "2024-Q3")
    t = next(g for g in cmp["groups"] if g["code"] == "TRANSPARENCY")
    assert (t["score"], t["previous_score"], t["change"]) == (6.0, 3.0, 3.0)
    assert cmp["change"] == round(cmp["total"] - cmp["previous_total"], 2)


def test_report_query_count_is_fixed(service_cases, django_assert_max_num_queries):
    for _ in range(5):
        service_cases.dossier(channel=Channel.ONLINE, synced=True)
    PublicationDecision.objects.create(
        number="3/QĐ-UBND", signed_on=dt.date(2025, 8, 1), basis_effective_on=dt.date(2025, 8, 15)
    )
    # dossiers, "open at the end" history (selectors.before_sums), catalog, 2 × publication, calendar
    with django_assert_max_num_queries(6):
        indicator_report(PROVINCE_SCOPE, Q3)
    commune = resolve_scope("000.00.32.H12")
    with django_assert_max_num_queries(3):
        indicator_report(commune, Q3)


def test_rank_units_by_share_of_computable_points(world):
    w = world
    w.dossier(synced=True, finished="2025-08-06")  # department: sync 1/1, on time 1/1
    w.dossier(
        resolving_agency=w.commune, receiving_unit=w.commune_desk, finished="2025-08-08"
    )  # late, unsynced
    scopes = [resolve_scope(c) for c in ("000.00.32.H12", "000.00.10.H12", "000.00.01.H12")]
    empty = AgencyFactory(ident_code="000.00.99.H12", kind="department")
    scopes.append(resolve_scope(empty.ident_code))
    ranking = rank_units(scopes, Q3)
    # Department 26 / 36 (sync 6, on time 20, online 0/6, digitized 0/4); centre adds the province
    # catalogue (27.25 / 46); commune 0; the empty department has nothing computable.
    assert [r["unit"] for r in ranking] == [
        "000.00.10.H12",
        "000.00.01.H12",
        "000.00.32.H12",
        "000.00.99.H12",
    ]
    assert [r["rank"] for r in ranking] == [1, 2, 3, None]
    assert (ranking[0]["total"], ranking[0]["max_total"]) == (26.0, 36.0)
    assert (ranking[1]["total"], ranking[1]["max_total"]) == (27.25, 46.0)
    assert ranking[2]["share"] == 0.0 and ranking[3]["total"] is None
