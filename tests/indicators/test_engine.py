"""The pure engine and the profiles: hand-computed scores, thresholds, caps, None never 0."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.indicators.engine import compare_reports, compute_report, score_indicator
from motcua.indicators.profiles import COMMUNE, UNVERIFIED, get_profile

P = get_profile()


def one(code, num, den, **extra):
    counts = {code: {"numerator": num, "denominator": den}, **extra}
    return score_indicator(P.indicator(code), counts, params=P.params)


def test_dvcqg_2026_has_six_display_groups_18_20_12_10_18_22():
    assert [g.max_score for g in P.groups] == [18, 20, 12, 10, 18, 22]
    for g in P.groups:
        assert sum(i.max_score for i in g.indicators) == g.max_score, g.code
    assert P.max_total == 100


def test_qd766_2022_has_the_decisions_five_groups_18_20_22_22_18():
    q = get_profile("qd766-2022")
    assert [g.max_score for g in q.groups] == [18, 20, 22, 22, 18]
    for g in q.groups:
        assert sum(i.max_score for i in g.indicators) == g.max_score, g.code
    assert {i.code for i in q.indicators()} == {i.code for i in P.indicators()}


def test_sub_indicator_points():
    pts = {i.code: i.max_score for i in P.indicators()}
    assert [
        pts[c] for c in ("PUBLISH_ON_TIME", "PUBLIC_UPDATE_ON_TIME", "PUBLIC_CONTENT_FULL", "DOSSIER_SYNC")
    ] == [6, 4, 2, 6]
    assert [pts[c] for c in ("ONLINE_TTHC", "ONLINE_SERVICE_USED", "ONLINE_DOSSIER")] == [2, 4, 6]
    assert [pts[c] for c in ("PAYMENT_DOSSIER", "PAYMENT_TTHC_USED", "PAYMENT_TTHC_INTEGRATED")] == [6, 2, 2]
    digit = [i.max_score for i in P.groups[5].indicators]
    assert sorted(digit) == sorted([6, 4, 2, 4, 2, 2, 2])


def test_unknown_profile_or_param_is_refused():
    with pytest.raises(KeyError):
        get_profile("nope")
    with pytest.raises(KeyError):
        get_profile(bogus=1)
    with pytest.raises(ValueError):
        get_profile(extension_due="later")


def test_linear_transparency_and_progress():
    assert one("PUBLISH_ON_TIME", 4, 5)["score"] == pytest.approx(6 * 0.8)
    assert one("ON_TIME", 99, 100)["score"] == pytest.approx(19.8)
    assert one("ON_TIME", 99, 100)["ratio"] == pytest.approx(0.99)


def test_online_tthc_full_at_80_percent():
    assert one("ONLINE_TTHC", 8, 10)["score"] == 2
    assert one("ONLINE_TTHC", 10, 10)["score"] == 2
    assert one("ONLINE_TTHC", 4, 10)["score"] == pytest.approx(1.0)  # 2 · 0.4 / 0.8


def test_online_dossier_full_at_50_percent_times_sync_ratio():
    sync = {"DOSSIER_SYNC": {"numerator": 10, "denominator": 10}}
    assert one("ONLINE_DOSSIER", 5, 10, **sync)["score"] == 6
    assert one("ONLINE_DOSSIER", 2, 10, **sync)["score"] == pytest.approx(2.4)  # 6 · 0.2 / 0.5
    half_synced = {"DOSSIER_SYNC": {"numerator": 5, "denominator": 10}}
    r = one("ONLINE_DOSSIER", 6, 10, **half_synced)
    assert r["ratio"] == pytest.approx(0.3) and r["score"] == pytest.approx(3.6)
    no_sync = get_profile(online_times_sync_ratio=False)
    r = score_indicator(
        no_sync.indicator("ONLINE_DOSSIER"), {"ONLINE_DOSSIER": {"numerator": 6, "denominator": 10}}
    )
    assert r["score"] == 6


def test_payment_terms_6_plus_2_plus_2():
    assert one("PAYMENT_DOSSIER", 1, 4)["score"] == pytest.approx(1.5)
    assert one("PAYMENT_TTHC_USED", 2, 10)["score"] == pytest.approx(0.5)  # 2.5 · 0.2
    assert one("PAYMENT_TTHC_USED", 9, 10)["score"] == 2  # capped
    assert one("PAYMENT_TTHC_INTEGRATED", 9, 10)["score"] == 2  # assumed cap


def test_satisfaction_full_at_90_percent():
    assert one("DOSSIER_RECEIVING_SATISFACTION", 90, 100)["score"] == 6
    assert one("DOSSIER_RECEIVING_SATISFACTION", 45, 100)["score"] == pytest.approx(3.0)  # 6 · 0.45 / 0.9


def test_petitions_full_points_when_there_are_none_but_none_when_no_source():
    assert one("PETITION_PROCESSING_ON_TIME", 0, 0)["score"] == 6
    r = score_indicator(P.indicator("PETITION_PROCESSING_ON_TIME"), {"PETITION_PROCESSING_ON_TIME": None})
    assert r["score"] is None and r["ratio"] is None


def test_digitization_threshold_parameter():
    assert one("SO_HOA_GIAY_TO_GIAI_QUYET", 8, 10)["score"] == pytest.approx(3.2)
    p80 = get_profile(digitized_full_at=0.8)
    r = score_indicator(
        p80.indicator("SO_HOA_GIAY_TO_GIAI_QUYET"),
        {"SO_HOA_GIAY_TO_GIAI_QUYET": {"numerator": 8, "denominator": 10}},
    )
    assert r["score"] == 4
    assert UNVERIFIED in r["rule"]
    assert one("REUSED_DIGITIZED_DATA", 4, 10)["score"] == pytest.approx(1.0)  # 2 · 0.4 / 0.8


def test_zero_denominator_is_none_never_zero():
    for code in ("ON_TIME", "DOSSIER_SYNC", "ONLINE_DOSSIER", "DOSSIER_RECEIVING_SATISFACTION"):
        r = one(code, 0, 0, DOSSIER_SYNC={"numerator": 0, "denominator": 0})
        assert r["ratio"] is None and r["score"] is None, code


def test_group_and_total_sum_only_computable_indicators():
    counts = {
        "ON_TIME": {"numerator": 1, "denominator": 2},
        "DOSSIER_SYNC": {"numerator": 1, "denominator": 1},
    }
    report = compute_report(P, counts, unit="province", period="2025-Q3")
    groups = {g["code"]: g for g in report["groups"]}
    t = groups["TRANSPARENCY"]
    assert (
        t["score"] == 6 and t["max_score"] == 6 and t["nominal_max_score"] == 18 and t["not_computable"] == 3
    )
    assert groups["PROGRESS"]["score"] == 10
    assert groups["ONLINE_PAYMENT"]["score"] is None and groups["ONLINE_PAYMENT"]["max_score"] == 0
    assert report["total"] == 16 and report["max_total"] == 26 and report["nominal_max_total"] == 100
    assert report["not_computable"] == len(P.indicators()) - 2


def test_empty_counts_give_a_null_total():
    report = compute_report(P, {}, unit="x", period="2025")
    assert report["total"] is None
    assert all(
        i["score"] is None
        for g in report["groups"]
        for i in g["indicators"]
        if not i["code"].startswith("PETITION")
    )


def test_commune_not_applicable_indicators_are_none_or_full_by_policy():
    counts = {"PUBLISH_ON_TIME": {"numerator": 1, "denominator": 2}}
    r = score_indicator(P.indicator("PUBLISH_ON_TIME"), counts, scope_kind=COMMUNE, params=P.params)
    assert r["score"] is None and "không áp dụng" in r["rule"]
    full = get_profile(not_applicable_policy="full")
    r = score_indicator(full.indicator("PUBLISH_ON_TIME"), counts, scope_kind=COMMUNE, params=full.params)
    assert r["score"] == 6
    # Applies to communes: the sync ratio.
    sync = {"DOSSIER_SYNC": {"numerator": 1, "denominator": 2}}
    assert (
        score_indicator(P.indicator("DOSSIER_SYNC"), sync, scope_kind=COMMUNE, params=P.params)["score"] == 3
    )


def test_extension_parameter_is_flagged_in_the_rule():
    assert "extension_due=current" in P.indicator("ON_TIME").rule()
    assert UNVERIFIED in P.indicator("ON_TIME").rule()
    assert "extension_due=original" in get_profile(extension_due="original").indicator("ON_TIME").rule()


def test_compare_reports_change_in_points():
    now = compute_report(P, {"ON_TIME": {"numerator": 3, "denominator": 4}}, unit="u", period="2025-Q3")
    before = compute_report(P, {"ON_TIME": {"numerator": 1, "denominator": 2}}, unit="u", period="2024-Q3")
    cmp = compare_reports(now, before)
    assert cmp["change"] == 5.0
    progress = next(g for g in cmp["groups"] if g["code"] == "PROGRESS")
    assert progress["score"] == 15 and progress["previous_score"] == 10 and progress["change"] == 5
    online = next(g for g in cmp["groups"] if g["code"] == "ONLINE_SERVICE")
    assert online["change"] is None
    assert progress["comparable"] is True and cmp["comparable"] is True
    sync_now = compute_report(
        P, {"DOSSIER_SYNC": {"numerator": 1, "denominator": 1}}, unit="u", period="2025"
    )
    assert compare_reports(sync_now, before)["comparable"] is False


@given(st.integers(0, 10_000), st.integers(0, 10_000), st.sampled_from([i.code for i in P.indicators()]))
def test_score_is_within_bounds_or_none(a, b, code):
    num, den = min(a, b), max(a, b)
    counts = {
        code: {"numerator": num, "denominator": den},
        "DOSSIER_SYNC": {"numerator": num, "denominator": den},
    }
    r = score_indicator(P.indicator(code), counts, params=P.params)
    if den == 0:
        assert r["ratio"] is None
    if r["score"] is not None:
        assert 0 <= r["score"] <= r["max_score"]
        if den and code != "ONLINE_DOSSIER":
            bigger = {**counts, code: {"numerator": min(num + 1, den), "denominator": den}}
            assert score_indicator(P.indicator(code), bigger, params=P.params)["score"] >= r["score"]
