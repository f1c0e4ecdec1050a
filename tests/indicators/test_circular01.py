"""Circular 01/2018 Art. 13–15 evaluation: hand-computed indices, class boundaries, null cases,
counts from small dossier datasets (2025-Q3 = 1/7–30/9/2025) and the command."""

import json
from fractions import Fraction
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.dossiers.models import Channel, DossierAction, Status, StopInitiator
from motcua.indicators import circular01 as c01
from motcua.indicators.periods import parse_period
from motcua.indicators.selectors import PROVINCE_SCOPE, resolve_scope

from .conftest import at

Q3 = parse_period("2025-Q3")
ISSUE_INDEX_KEYS = {"code", "name", "numerator", "denominator", "ratio", "score", "max_score", "rule"}


def idx(report, code):
    return next(i for i in report["indices"] if i["code"] == code)


def full_counts(**over):
    """All nine indices computable, each scoring 2 unless overridden."""
    counts = {
        "C01_1_TIME": {2: 4, 1: 0, 0: 0},
        "C01_2_AGENCY_TIME": {2: 4, 1: 0, 0: 0},
        "C01_3_CONTACTS": {2: 4, 1: 0, 0: 0},
        "C01_4_AGENCIES": {2: 4, 1: 0, 0: 0},
        "C01_5_ONE_STOP": {"tthc": 10, "on_the_spot": 10, "received_returned": 10, "level": "commune"},
        "C01_6_PUBLICATION": {2: 4, 1: 0, 0: 0},
        "C01_7_ATTITUDE": {2: 4, 1: 0, 0: 0},
        "C01_8_PETITIONS": {"total": 0, "on_time": 0, "prolonged": 0},
        "C01_9_ONLINE": {"tthc": 10, "online_tthc": 2, "received": 10, "online": 3, "online_late": 0},
    }
    counts.update(over)
    return counts


# --- Per-dossier indices (1, 2, 3, 4, 6, 7): Art. 15 average of 2/1/0 points -----------------


@pytest.mark.parametrize(
    "code",
    [
        "C01_1_TIME",
        "C01_2_AGENCY_TIME",
        "C01_3_CONTACTS",
        "C01_4_AGENCIES",
        "C01_6_PUBLICATION",
        "C01_7_ATTITUDE",
    ],
)
def test_per_dossier_index_is_the_average_of_points(code):
    # 3 dossiers at 2, 1 at 1, 1 at 0: (6 + 1 + 0) / 5 = 1.4.
    r = c01.evaluate(full_counts(**{code: {2: 3, 1: 1, 0: 1}}))
    i = idx(r, code)
    assert (i["numerator"], i["denominator"], i["ratio"], i["score"], i["max_score"]) == (7, 5, 1.4, 1.4, 2)
    assert i["basis"] == c01.PER_DOSSIER
    assert r["total"] == 17.4  # 8 indices at 2 + 1.4


def test_per_dossier_index_with_no_dossier_is_null_not_zero():
    r = c01.evaluate(full_counts(C01_1_TIME={2: 0, 1: 0, 0: 0}))
    i = idx(r, "C01_1_TIME")
    assert (i["numerator"], i["denominator"], i["ratio"], i["score"]) == (0, 0, None, None)
    assert "không có hồ sơ" in i["rule"]
    assert r["not_computable"] == 1 and r["max_total"] == 16.0 and r["total"] == 16.0


def test_per_dossier_index_all_late_is_a_real_zero():
    i = idx(c01.evaluate(full_counts(C01_1_TIME={2: 0, 1: 0, 0: 3})), "C01_1_TIME")
    assert (i["numerator"], i["denominator"], i["score"]) == (0, 3, 0.0)


# --- Index 5: end-to-end handling at the one-stop unit ---------------------------------------


@pytest.mark.parametrize(
    ("level", "on_the_spot", "returned", "score"),
    [
        ("province", 2, 10, 2),  # exactly 20%
        ("province", 1, 10, 1),  # < 20% but 100% received and returned there
        ("province", 1, 9, 0),
        ("district", 5, 9, 2),  # exactly 50%
        ("district", 4, 10, 1),
        ("commune", 10, 10, 2),  # 100%
        ("commune", 9, 10, 1),
        ("commune", 9, 9, 0),
    ],
)
def test_index_5_thresholds_by_level(level, on_the_spot, returned, score):
    entry = {"tthc": 10, "on_the_spot": on_the_spot, "received_returned": returned, "level": level}
    i = idx(c01.evaluate(full_counts(C01_5_ONE_STOP=entry)), "C01_5_ONE_STOP")
    assert (i["numerator"], i["denominator"], i["ratio"], i["score"]) == (
        on_the_spot,
        10,
        on_the_spot / 10,
        score,
    )
    assert i["basis"] == c01.PER_UNIT
    assert i["details"]["level"] == level


def test_index_5_without_tthc_is_null():
    entry = {"tthc": 0, "on_the_spot": 0, "received_returned": 0, "level": "commune"}
    assert idx(c01.evaluate(full_counts(C01_5_ONE_STOP=entry)), "C01_5_ONE_STOP")["score"] is None


# --- Index 8: PAKN ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "on_time", "prolonged", "score"),
    [
        (0, 0, 0, 2),  # no PAKN at all: 2 (the law's rule, not "not computable")
        (10, 10, 0, 2),
        (10, 10, 1, 0),  # a prolonged case
        (10, 9, 0, 1),  # exactly 90%
        (10, 8, 0, 0),
        (20, 17, 0, 0),  # 85%
    ],
)
def test_index_8_petitions(total, on_time, prolonged, score):
    entry = {"total": total, "on_time": on_time, "prolonged": prolonged}
    i = idx(c01.evaluate(full_counts(C01_8_PETITIONS=entry)), "C01_8_PETITIONS")
    assert i["score"] == score
    assert i["ratio"] == (None if total == 0 else on_time / total)


def test_index_8_not_computable_without_a_known_fact():
    # No dossier whose PAKN fact is known: not 2 ("no PAKN"), not 0 — not computable.
    none_known = {"dossiers": 0, "unknown": 4, "unrecorded": 0, "total": 0, "on_time": 0, "prolonged": 0}
    i = idx(c01.evaluate(full_counts(C01_8_PETITIONS=none_known)), "C01_8_PETITIONS")
    assert (i["numerator"], i["denominator"], i["score"]) == (None, None, None)
    assert "không có hồ sơ nào trong kỳ biết được có hay không có PAKN" in i["rule"]
    # A dossier flagged with a PAKN that has no record here: its handling is unknown.
    flagged = {"dossiers": 3, "unknown": 0, "unrecorded": 1, "total": 2, "on_time": 2, "prolonged": 0}
    i = idx(c01.evaluate(full_counts(C01_8_PETITIONS=flagged)), "C01_8_PETITIONS")
    assert i["score"] is None and "1 hồ sơ được ghi nhận có PAKN" in i["rule"]
    # Known dossiers and no PAKN: 2 under the law, with the mapping flagged as unverified.
    clean = {"dossiers": 3, "unknown": 5, "unrecorded": 0, "total": 0, "on_time": 0, "prolonged": 0}
    i = idx(c01.evaluate(full_counts(C01_8_PETITIONS=clean)), "C01_8_PETITIONS")
    assert (i["score"], i["details"]["unknown"]) == (2, 5)
    assert c01.UNVERIFIED in i["rule"] and "petitions_prolonged" in i["rule"]


def test_index_8_can_be_switched_off():
    r = c01.evaluate(full_counts(C01_8_PETITIONS=None), params={"index8_petitions": False})
    i = idx(r, "C01_8_PETITIONS")
    assert i["score"] is None and "chưa có nguồn dữ liệu" in i["rule"]
    with pytest.raises(ValueError):
        c01.get_params(petitions_prolonged="sometimes")
    with pytest.raises(ValueError):
        c01.get_params(petitions_closed_unanswered="count")


# --- Index 9: online services ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("online_tthc", "online", "late", "score"),
    [
        (2, 3, 0, 2),  # exactly 20% of TTHC and 30% of dossiers, none late
        (2, 5, 1, 0),  # one online dossier late
        (1, 3, 0, 1),  # some level 3/4 TTHC (10%) and 30% online
        (2, 2, 0, 1),  # 20% online: between 15% and 30%
        (5, 1, 0, 0),  # 10% online
        (0, 3, 0, 0),  # no online TTHC
    ],
)
def test_index_9_online(online_tthc, online, late, score):
    entry = {"tthc": 10, "online_tthc": online_tthc, "received": 10, "online": online, "online_late": late}
    i = idx(c01.evaluate(full_counts(C01_9_ONLINE=entry)), "C01_9_ONLINE")
    assert (i["numerator"], i["denominator"], i["ratio"], i["score"]) == (online, 10, online / 10, score)


def test_index_9_partial_threshold_is_15_percent():
    base = {"tthc": 20, "online_tthc": 1, "received": 20, "online_late": 0}
    at_15 = idx(c01.evaluate(full_counts(C01_9_ONLINE={**base, "online": 3})), "C01_9_ONLINE")
    below = idx(c01.evaluate(full_counts(C01_9_ONLINE={**base, "online": 2})), "C01_9_ONLINE")
    assert (at_15["score"], below["score"]) == (1, 0)


@pytest.mark.parametrize(
    "entry",
    [
        {"tthc": 0, "online_tthc": 0, "received": 10, "online": 3, "online_late": 0},
        {"tthc": 10, "online_tthc": 2, "received": 0, "online": 0, "online_late": 0},
        {"tthc": None, "online_tthc": None, "received": 10, "online": 3, "online_late": 0},
    ],
)
def test_index_9_not_computable(entry):
    i = idx(c01.evaluate(full_counts(C01_9_ONLINE=entry)), "C01_9_ONLINE")
    assert i["score"] is None


# --- Classification (Art. 15) ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "code"),
    [
        (18, "xuat_sac"),
        (15, "xuat_sac"),
        (Fraction(1499, 100), "tot"),
        (12, "tot"),
        (Fraction(1199, 100), "kha"),
        (9, "kha"),
        (Fraction(899, 100), "trung_binh"),
        (6, "trung_binh"),
        (Fraction(599, 100), "yeu"),
        (0, "yeu"),
    ],
)
def test_class_boundaries(total, code):
    assert c01.classify(total)[0] == code


def test_classify_none_is_none():
    assert c01.classify(None) is None


def _total(points_8: int, last: dict) -> dict:
    """Eight indices at 2 except ``points_8`` of them at 0, and index 1 from ``last``."""
    zero = {2: 0, 1: 0, 0: 1}
    over = {"C01_1_TIME": last}
    for code in [
        "C01_2_AGENCY_TIME",
        "C01_3_CONTACTS",
        "C01_4_AGENCIES",
        "C01_6_PUBLICATION",
        "C01_7_ATTITUDE",
    ][:points_8]:
        over[code] = zero
    return full_counts(**over)


@pytest.mark.parametrize(
    ("zeros", "last", "total", "code", "name"),
    [
        # 7 × 2 + 1 = 15 exactly: xuất sắc.
        (1, {2: 0, 1: 3, 0: 0}, 15.0, "xuat_sac", "Xuất sắc"),
        # 7 × 2 + 2/3 = 14.67: tốt.
        (1, {2: 1, 1: 0, 0: 2}, 14.67, "tot", "Tốt"),
        # 6 × 2 + 0 = 12: tốt.
        (2, {2: 0, 1: 0, 0: 1}, 12.0, "tot", "Tốt"),
        # 5 × 2 + 1 = 11: khá; 4 × 2 + 1 = 9: khá.
        (3, {2: 0, 1: 1, 0: 0}, 11.0, "kha", "Khá"),
        (4, {2: 0, 1: 1, 0: 0}, 9.0, "kha", "Khá"),
        # 4 × 2 + 1/3 … = 8.33: trung bình.
        (4, {2: 0, 1: 1, 0: 2}, 8.33, "trung_binh", "Trung bình"),
        # 3 × 2 + 0 = 6: trung bình; 3 × 2 − nothing … 5.5: yếu.
        (5, {2: 0, 1: 0, 0: 1}, 6.0, "trung_binh", "Trung bình"),
    ],
)
def test_classification_from_nine_indices(zeros, last, total, code, name):
    r = c01.evaluate(_total(zeros, last))
    assert r["not_computable"] == 0
    assert (r["total"], r["classification"], r["classification_name"]) == (total, code, name)
    assert r["classification_prorated"] == code  # complete: the estimate equals the class


def test_yeu_below_six():
    # Indices 1–4, 6, 7 at 0, index 5 and 8 at 2, index 9 at 1: total 5.
    zero = {2: 0, 1: 0, 0: 1}
    counts = full_counts(
        **{
            c: zero
            for c in [
                "C01_1_TIME",
                "C01_2_AGENCY_TIME",
                "C01_3_CONTACTS",
                "C01_4_AGENCIES",
                "C01_6_PUBLICATION",
                "C01_7_ATTITUDE",
            ]
        },
        C01_9_ONLINE={"tthc": 10, "online_tthc": 1, "received": 10, "online": 2, "online_late": 0},
    )
    r = c01.evaluate(counts)
    assert (r["total"], r["classification"]) == (5.0, "yeu")


def test_exact_fractions_at_the_boundary():
    # 7 × 2 + 1/3 + 2/3 = 15 exactly (floats could fall just short): xuất sắc.
    counts = full_counts(C01_1_TIME={2: 0, 1: 1, 0: 2}, C01_2_AGENCY_TIME={2: 1, 1: 0, 0: 2})
    r = c01.evaluate(counts)
    assert (r["total"], r["classification"]) == (15.0, "xuat_sac")


def test_thresholds_are_a_parameter():
    r = c01.evaluate(_total(1, {2: 0, 1: 3, 0: 0}), params={"thresholds": (16, 12, 9, 6)})
    assert (r["total"], r["classification"]) == (15.0, "tot")
    assert "xuất sắc ≥ 16" in r["classification_rule"]
    with pytest.raises(ValueError):
        c01.get_params(thresholds=(12, 15, 9, 6))
    with pytest.raises(KeyError):
        c01.get_params(nonsense=1)


# --- Null cases and the output shape ---------------------------------------------------------


def test_missing_sources_are_null_and_no_legal_class():
    counts = full_counts(C01_5_ONE_STOP=None, C01_6_PUBLICATION=None, C01_8_PETITIONS=None)
    r = c01.evaluate(counts)
    for code in ("C01_5_ONE_STOP", "C01_6_PUBLICATION", "C01_8_PETITIONS"):
        i = idx(r, code)
        assert (i["numerator"], i["denominator"], i["ratio"], i["score"]) == (None, None, None, None)
        assert "chưa có nguồn dữ liệu" in i["rule"]
    assert (r["total"], r["max_total"], r["not_computable"]) == (12.0, 12.0, 3)
    # Not all nine: no Art. 15 class; the estimate scales 12/12 to 18/18.
    assert r["classification"] is None and r["classification_name"] is None
    assert (r["prorated_total"], r["classification_prorated"]) == (18.0, "xuat_sac")
    assert "tạm tính" in r["classification_rule"] and c01.UNVERIFIED in r["classification_rule"]


def test_no_estimated_class_from_too_few_indices():
    one = c01.evaluate({"C01_1_TIME": {2: 3, 1: 1, 0: 1}})
    assert (one["total"], one["prorated_total"], one["classification_prorated"]) == (1.4, 12.6, None)
    five = c01.evaluate(
        {
            code: {2: 1, 1: 0, 0: 0}
            for code in (
                "C01_1_TIME",
                "C01_2_AGENCY_TIME",
                "C01_3_CONTACTS",
                "C01_4_AGENCIES",
                "C01_6_PUBLICATION",
            )
        }
    )
    assert (five["prorated_total"], five["classification_prorated"]) == (18.0, "xuat_sac")
    lower = c01.evaluate({"C01_1_TIME": {2: 3, 1: 1, 0: 1}}, params={"prorate_min_indices": 1})
    assert lower["classification_prorated"] == "tot"


def test_nothing_computable():
    r = c01.evaluate({})
    assert (r["total"], r["max_total"], r["prorated_total"]) == (None, 0.0, None)
    assert r["classification"] is None and r["classification_prorated"] is None
    assert all(i["score"] is None for i in r["indices"])


def test_output_shape_and_unverified_flags():
    r = c01.evaluate(full_counts(), unit="province", period="2025-Q3")
    assert (r["profile"], r["unit"], r["period"]) == ("circular01-2018", "province", "2025-Q3")
    assert [i["code"] for i in r["indices"]] == list(c01.INDEX_CODES)
    for i in r["indices"]:
        assert ISSUE_INDEX_KEYS <= set(i)
        assert i["rule"].startswith("Điều 13 TT 01/2018")
    # The mapping onto this system's facts is flagged where it is an interpretation.
    for code in ("C01_1_TIME", "C01_2_AGENCY_TIME", "C01_3_CONTACTS", "C01_4_AGENCIES", "C01_9_ONLINE"):
        assert c01.UNVERIFIED in idx(r, code)["rule"], code
    assert r["params"]["thresholds"] == [15, 12, 9, 6]
    json.dumps(r)  # serialisable (fractions converted)


def test_rank_reports_orders_by_prorated_total_and_leaves_empty_units_unranked():
    a = c01.evaluate(full_counts(), unit="A")  # 18
    b = c01.evaluate(full_counts(C01_1_TIME={2: 0, 1: 1, 0: 0}), unit="B")  # 17
    c = c01.evaluate({}, unit="C")
    d = c01.evaluate(full_counts(C01_8_PETITIONS=None), unit="D")  # 16/16 → 18 prorated
    rows = c01.rank_reports([c, b, d, a])
    assert [(r["unit"], r["rank"]) for r in rows] == [("A", 1), ("D", 2), ("B", 3), ("C", None)]
    assert rows[1]["classification"] is None and rows[1]["classification_prorated"] == "xuat_sac"


# --- Counts from dossiers ----------------------------------------------------------------------


@pytest.fixture
def dataset(world):
    """Q3 dossiers (due 7/8 unless said): hand-computed points per index in the comments."""
    w = world
    w.dossier(finished="2025-08-06")  # A early, direct: I1 2, I2 2, I3 2, I4 1
    w.dossier(finished="2025-08-07", channel=Channel.ONLINE)  # B on time, online: 1, 1, 2, 2
    w.dossier(finished="2025-08-08", channel=Channel.POSTAL, supplement_count=1)  # C late: 0, 0, 1, 2
    w.dossier(finished="2025-08-06", status=Status.WITHDRAWN)  # D withdrawn: not evaluated
    w.dossier(  # D2 stopped at the applicant's request: not evaluated
        finished="2025-08-06", status=Status.STOPPED, stop_initiator=StopInitiator.APPLICANT
    )
    e = w.dossier(finished="2025-08-05", is_group=True, supplement_count=1)  # E early, group: 2, —, 0, 1
    DossierAction.objects.create(  # E also had a supplement request at reception: 2 contacts
        dossier=e,
        action="request_supplement",
        actor_role="receiving",
        at=at("2025-08-01"),
        from_status=Status.SUBMITTED,
        to_status=Status.SUPPLEMENT_AT_RECEPTION,
    )
    # F online, extended from 7/8 to 12/8, finished 11/8: early (2) against the current due
    # moment, late (0) against the original; I3 2, I4 2.
    w.dossier(
        finished="2025-08-11",
        due="2025-08-12",
        original_due_at=at("2025-08-07"),
        extended=True,
        channel=Channel.ONLINE,
    )
    w.dossier(due="2025-10-10")  # G open, not due: not evaluated
    w.dossier(due="2025-08-07", channel=Channel.ONLINE)  # H online, open and overdue at the end
    w.dossier(received="2025-06-02", due="2025-06-05", finished="2025-06-05")  # J finished in Q2
    return w


def test_counts_hand_computed(dataset):
    counts = c01.circular01_counts(PROVINCE_SCOPE, Q3)
    assert counts["C01_1_TIME"] == {2: 3, 1: 1, 0: 1}  # A, E, F | B | C
    assert counts["C01_2_AGENCY_TIME"] == {2: 2, 1: 1, 0: 1, "group_excluded": 1}  # A, F | B | C; E out
    assert counts["C01_3_CONTACTS"] == {2: 3, 1: 1, 0: 1}  # A, B, F | C | E
    assert counts["C01_4_AGENCIES"] == {2: 3, 1: 2, 0: 0}  # B, C, F | A, E
    assert counts["C01_5_ONE_STOP"] is None
    # Read from the citizens' evaluations: none recorded yet.
    assert counts["C01_6_PUBLICATION"] == counts["C01_7_ATTITUDE"] == {2: 0, 1: 0, 0: 0}
    # No PAKN about the five evaluated dossiers (all received on the system: the fact is known).
    assert counts["C01_8_PETITIONS"] == {
        "dossiers": 5,
        "unknown": 0,
        "unrecorded": 0,
        "total": 0,
        "on_time": 0,
        "late": 0,
        "prolonged": 0,
        "pending": 0,
        "closed_unanswered": 0,
    }
    # TTHC: the two versions in force, one with full online service; received in Q3: A–H (9);
    # online B, F, H; late online: H (open, overdue at the period end).
    assert counts["C01_9_ONLINE"] == {
        "tthc": 2,
        "online_tthc": 1,
        "received": 9,
        "online": 3,
        "online_late": 1,
    }


def test_report_hand_computed(dataset):
    r = c01.circular01_report(PROVINCE_SCOPE, "2025-Q3")
    scores = {i["code"]: i["score"] for i in r["indices"]}
    assert scores == {
        "C01_1_TIME": 1.4,  # 7 / 5
        "C01_2_AGENCY_TIME": 1.25,  # 5 / 4
        "C01_3_CONTACTS": 1.4,  # 7 / 5
        "C01_4_AGENCIES": 1.6,  # 8 / 5
        "C01_5_ONE_STOP": None,
        "C01_6_PUBLICATION": None,
        "C01_7_ATTITUDE": None,
        "C01_8_PETITIONS": 2,  # no PAKN about the evaluated dossiers
        "C01_9_ONLINE": 0,  # 50% TTHC, 33% online, but one online dossier overdue
    }
    assert (r["total"], r["max_total"], r["not_computable"]) == (7.65, 12.0, 3)
    assert r["classification"] is None
    # 7.65 × 18 / 12 = 11.475 (11.47 as a float rounded to 2 digits): khá (estimate).
    assert (r["prorated_total"], r["classification_prorated"]) == (11.47, "kha")
    assert r["unit_name"] == "Toàn tỉnh"


def test_extension_due_original_and_assumed_no_complaints(dataset):
    params = {
        "extension_due": "original",
        "assume_no_complaints": True,
        "from_evaluations": ("C01_6_PUBLICATION",),
    }
    r = c01.circular01_report(PROVINCE_SCOPE, Q3, params)
    # F is late against its original appointment: I1 {2: 2, 1: 1, 0: 2} = 5/5; I2 {2: 1, 1: 1, 0: 2} = 3/4.
    assert idx(r, "C01_1_TIME")["score"] == 1.0
    assert idx(r, "C01_2_AGENCY_TIME")["score"] == 0.75
    # I7 scored from the time outcome under the assumption, and the rule says so.
    assert idx(r, "C01_7_ATTITUDE")["score"] == 1.0
    assert "assume_no_complaints" in idx(r, "C01_7_ATTITUDE")["rule"]
    assert idx(r, "C01_9_ONLINE")["details"]["online_late"] == 2  # F and H


def test_indices_from_the_citizens_evaluations(dataset):
    from motcua.dossiers.models import Dossier
    from motcua.feedback.models import Evaluation

    def evaluate(d, publicity, conduct, time=2):
        Evaluation.objects.create(
            dossier=d,
            channel="paper",
            time_score=time,
            agencies_score=1,
            contacts_score=2,
            publicity_score=publicity,
            conduct_score=conduct,
            lawfulness_score=2,
            satisfied=True,
            at=at("2025-08-20"),
        )

    finished = Dossier.objects.filter(finished_at__isnull=False, status=Status.RETURNED).order_by("id")
    a, b, c = finished[:3]  # A, B, C: in the population
    evaluate(a, 2, 2, time=0)
    evaluate(b, 1, 2)
    evaluate(c, 0, 0)
    evaluate(Dossier.objects.get(status=Status.WITHDRAWN), 2, 2)  # D: not in the population
    r = c01.circular01_report(PROVINCE_SCOPE, Q3)
    # I6: (2 + 1 + 0) / 3 = 1; I7: (2 + 2 + 0) / 3 = 1.33.
    six, seven = idx(r, "C01_6_PUBLICATION"), idx(r, "C01_7_ATTITUDE")
    assert (six["numerator"], six["denominator"], six["score"]) == (3, 3, 1.0)
    assert (seven["numerator"], seven["denominator"], seven["score"]) == (4, 3, 1.33)
    assert "phiếu đánh giá" in seven["rule"] and c01.UNVERIFIED in seven["rule"]
    # Index 1 stays on the facts unless asked; from the forms it is (0 + 2 + 2) / 3.
    assert idx(r, "C01_1_TIME")["score"] == 1.4
    r = c01.circular01_report(PROVINCE_SCOPE, Q3, {"from_evaluations": ("C01_1_TIME",)})
    assert idx(r, "C01_1_TIME")["score"] == 1.33
    assert idx(r, "C01_7_ATTITUDE")["score"] is None  # back to "no source"
    with pytest.raises(ValueError):
        c01.get_params(assume_no_complaints=True)
    with pytest.raises(ValueError):
        c01.get_params(from_evaluations=("C01_9_ONLINE",))


def _finished_population():
    """The dataset's evaluated dossiers in creation order: A, B, C, E, F."""
    from motcua.dossiers.models import Dossier

    return list(
        Dossier.objects.filter(finished_at__gte=at("2025-07-01"), status=Status.RETURNED).order_by("id")
    )


def _petition(dossier, n, *, received, due, answered=None, closed=None, unit=None):
    """A PAKN as the feedback services leave it (answer facts, the dossier's ``petition`` fact)."""
    from motcua.dossiers.models import Dossier
    from motcua.feedback.models import Petition, PetitionStatus

    status = (
        PetitionStatus.CLOSED if closed else PetitionStatus.ANSWERED if answered else PetitionStatus.RECEIVED
    )
    p = Petition.objects.create(
        code=f"PAKN{n:04d}",
        category="handling",
        content="Hồ sơ giải quyết chậm so với giấy hẹn.",
        dossier=dossier,
        unit=unit or (dossier.receiving_unit if dossier else None),
        name="Nguyễn Văn An",
        email="an@example.vn",
        status=status,
        received_at=at(received),
        due_at=at(due),
        answered_at=at(answered) if answered else None,
        answered_on_time=(at(answered) <= at(due)) if answered else None,
        closed_at=at(closed) if closed else None,
        idempotency_key=f"k{n}",
    )
    if dossier is not None:
        Dossier.objects.filter(pk=dossier.pk).update(petition=True)
    return p


@pytest.fixture
def petitions(dataset):
    """PAKN about the dataset's dossiers, hand-classified as at the end of Q3 (30/9/2025)."""
    from motcua.dossiers.models import Dossier

    a, b, c, e, f = _finished_population()
    _petition(a, 1, received="2025-08-08", due="2025-08-15", answered="2025-08-12")  # on time
    _petition(b, 2, received="2025-08-10", due="2025-08-20", answered="2025-08-25")  # late
    _petition(c, 3, received="2025-09-01", due="2025-09-10")  # open, overdue: late and prolonged
    _petition(e, 4, received="2025-09-28", due="2025-10-10")  # open, not yet due: left out
    _petition(f, 5, received="2025-09-02", due="2025-09-12", closed="2025-09-05")  # closed, no answer
    _petition(a, 6, received="2025-10-05", due="2025-10-15")  # received after the period: left out
    withdrawn = Dossier.objects.get(status=Status.WITHDRAWN)
    _petition(withdrawn, 7, received="2025-08-08", due="2025-08-09")  # not evaluated: left out
    _petition(None, 8, received="2025-08-08", due="2025-08-09", unit=dataset.centre)  # no dossier
    return dataset


def test_index_8_from_petitions_hand_computed(petitions):
    counts = c01.circular01_counts(PROVINCE_SCOPE, Q3)
    assert counts["C01_8_PETITIONS"] == {
        "dossiers": 5,
        "unknown": 0,
        "unrecorded": 0,
        "total": 3,  # P1, P2, P3
        "on_time": 1,  # P1
        "late": 2,  # P2 answered late, P3 open past its deadline
        "prolonged": 1,  # P3
        "pending": 1,  # P4
        "closed_unanswered": 1,  # P5
    }
    i = idx(c01.circular01_report(PROVINCE_SCOPE, Q3), "C01_8_PETITIONS")
    # 1 / 3 on time and a prolonged case: 0 (a real zero, computed).
    assert (i["numerator"], i["denominator"], i["ratio"], i["score"]) == (1, 3, 0.3333, 0)
    # Closed unanswered counted as late: 1 / 4.
    r = c01.circular01_report(PROVINCE_SCOPE, Q3, {"petitions_closed_unanswered": "late"})
    i = idx(r, "C01_8_PETITIONS")
    assert (i["numerator"], i["denominator"], i["score"]) == (1, 4, 0)
    assert i["details"]["late"] == 3


def test_index_8_period_not_over_uses_now(petitions):
    # On 5/9 P3 (due 10/9) is not yet overdue: pending (with P4), not late. P1 on time, P2 late: 1 / 2.
    e = c01.circular01_counts(PROVINCE_SCOPE, Q3, now=at("2025-09-05"))["C01_8_PETITIONS"]
    assert (e["total"], e["on_time"], e["late"], e["prolonged"], e["pending"]) == (2, 1, 1, 0, 2)


def test_index_8_one_point_at_ninety_percent(dataset):
    a, b, *_ = _finished_population()
    for n in range(9):  # nine answered on time
        _petition(a, n, received="2025-08-08", due="2025-08-15", answered="2025-08-14")
    _petition(b, 9, received="2025-08-08", due="2025-08-15", answered="2025-08-18")  # one late
    i = idx(c01.circular01_report(PROVINCE_SCOPE, Q3), "C01_8_PETITIONS")
    assert (i["numerator"], i["denominator"], i["ratio"], i["score"]) == (9, 10, 0.9, 1)
    # With every late PAKN taken as a prolonged case, the late answer makes it 0.
    r = c01.circular01_report(PROVINCE_SCOPE, Q3, {"petitions_prolonged": "late"})
    assert idx(r, "C01_8_PETITIONS")["score"] == 0


def test_index_8_only_where_the_petition_fact_is_known(dataset):
    from motcua.dossiers.models import Dossier, DossierSource

    population = _finished_population()
    ids = [d.pk for d in population]
    # Imported without an evaluation: whether a PAKN was filed is unknown → not computable.
    Dossier.objects.filter(pk__in=ids).update(source=DossierSource.IMPORTED)
    i = idx(c01.circular01_report(PROVINCE_SCOPE, Q3), "C01_8_PETITIONS")
    assert (i["score"], i["details"]["dossiers"], i["details"]["unknown"]) == (None, 0, 5)
    assert "không có hồ sơ nào trong kỳ biết được" in i["rule"]
    # One imported with its evaluation saying "PAKN filed", but no PAKN record: still unknown.
    Dossier.objects.filter(pk=ids[0]).update(evaluated=True, petition=True)
    i = idx(c01.circular01_report(PROVINCE_SCOPE, Q3), "C01_8_PETITIONS")
    assert (i["score"], i["details"]["unrecorded"]) == (None, 1)
    # Its evaluation says "no PAKN": known for that one dossier, none filed → 2.
    Dossier.objects.filter(pk=ids[0]).update(petition=False)
    i = idx(c01.circular01_report(PROVINCE_SCOPE, Q3), "C01_8_PETITIONS")
    assert (i["score"], i["details"]["dossiers"], i["details"]["unknown"]) == (2, 1, 4)


def test_index_9_one_point_without_late_online(dataset):
    from motcua.dossiers.models import Dossier

    Dossier.objects.filter(channel=Channel.ONLINE, finished_at__isnull=True).delete()  # H
    i = idx(c01.circular01_report(PROVINCE_SCOPE, Q3), "C01_9_ONLINE")
    # online 2 / received 8 = 25%: between 15% and 30%, none late → 1.
    assert (i["numerator"], i["denominator"], i["ratio"], i["score"]) == (2, 8, 0.25, 1)


def test_empty_scope_is_not_computable(world):
    r = c01.circular01_report(resolve_scope("000.00.32.H12"), Q3)  # the commune: no dossiers
    assert r["total"] is None and r["classification_prorated"] is None
    assert all(i["score"] is None for i in r["indices"])


def test_query_count_does_not_grow_with_dossiers(world):
    world.dossier(finished="2025-08-06")
    with CaptureQueriesContext(connection) as small:
        c01.circular01_counts(PROVINCE_SCOPE, Q3)
    for _ in range(5):
        world.dossier(finished="2025-08-07", channel=Channel.ONLINE)
    with CaptureQueriesContext(connection) as large:
        c01.circular01_counts(PROVINCE_SCOPE, Q3)
    assert len(large) == len(small)


def test_rank_units(dataset):
    scopes = [resolve_scope("000.00.32.H12"), resolve_scope("000.00.10.H12")]
    rows = c01.rank_units(scopes, "2025-Q3")
    assert [r["unit"] for r in rows] == ["000.00.10.H12", "000.00.32.H12"]
    assert rows[0]["rank"] == 1 and rows[1]["rank"] is None


# --- The command -------------------------------------------------------------------------------


def run(*args):
    out = StringIO()
    call_command("indicators", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_command_json(dataset):
    data = json.loads(
        run("--profile", "circular01-2018", "--unit", "province", "--period", "2025-Q3", "--format", "json")
    )
    assert (data["profile"], data["total"], data["classification"]) == ("circular01-2018", 7.65, None)
    for i in data["indices"]:
        assert ISSUE_INDEX_KEYS <= set(i)
    assert idx(data, "C01_5_ONE_STOP")["score"] is None  # null, never 0


def test_command_table_and_ranking(dataset):
    text = run("--profile", "circular01-2018", "--unit", "province", "--period", "2025-Q3")
    assert "Xếp loại: — (chưa đủ 9 chỉ số)" in text and "tạm tính: Khá" in text
    data = json.loads(
        run(
            "--profile",
            "circular01-2018",
            "--unit",
            "000.00.32.H12,000.00.10.H12",
            "--period",
            "2025-Q3",
            "--format",
            "json",
        )
    )
    assert [r["unit"] for r in data["ranking"]] == ["000.00.10.H12", "000.00.32.H12"]
    assert "Xếp hạng" in run(
        "--profile", "circular01-2018", "--unit", "000.00.32.H12,000.00.10.H12", "--period", "2025-Q3"
    )


def test_command_extension_due(dataset):
    data = json.loads(
        run(
            "--profile",
            "circular01-2018",
            "--period",
            "2025-Q3",
            "--format",
            "json",
            "--extension-due",
            "original",
        )
    )
    assert idx(data, "C01_1_TIME")["score"] == 1.0
    assert data["params"]["extension_due"] == "original"


def test_command_compare_same_period(dataset):
    data = json.loads(
        run("--profile", "circular01-2018", "--period", "2025-Q3", "--format", "json", "--compare")
    )
    # 2024-Q3 has no dossiers: nothing computable there, so no change in points.
    assert (data["previous_period"], data["total"], data["previous_total"], data["change"]) == (
        "2024-Q3",
        7.65,
        None,
        None,
    )
    assert data["comparable"] is False
    assert "Cùng kỳ: 2025-Q3 so với 2024-Q3" in run(
        "--profile", "circular01-2018", "--period", "2025-Q3", "--compare"
    )


def test_compare_reports_change():
    cur = c01.evaluate(full_counts(), period="2025")
    prev = c01.evaluate(full_counts(C01_1_TIME={2: 0, 1: 1, 0: 0}), period="2024")
    cmp = c01.compare_reports(cur, prev)
    assert (cmp["change"], cmp["comparable"]) == (1.0, True)
    assert next(i for i in cmp["indices"] if i["code"] == "C01_1_TIME")["change"] == 1.0
