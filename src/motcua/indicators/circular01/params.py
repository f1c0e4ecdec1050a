"""Circular 01/2018 evaluation: constants, the agency classes and the mapping parameters
(:data:`DEFAULT_PARAMS`, :func:`get_params`); see the package docstring for what each means."""

from __future__ import annotations

from fractions import Fraction

PROFILE_CODE = "circular01-2018"
PROFILE_NAME = "Thông tư 01/2018/TT-VPCP Điều 13–15 (9 chỉ số, xếp loại cơ quan)"
INDEX_MAX = 2
NOMINAL_MAX_TOTAL = 18
RATIO_DIGITS = 4
SCORE_DIGITS = 2

# Art. 15: agency classes, highest first; a total ≥ the lower bound gets the class.
CLASSES: tuple[tuple[str, str], ...] = (
    ("xuat_sac", "Xuất sắc"),
    ("tot", "Tốt"),
    ("kha", "Khá"),
    ("trung_binh", "Trung bình"),
    ("yeu", "Yếu"),
)

DEFAULT_PARAMS: dict = {
    # Lower bounds of xuất sắc, tốt, khá, trung bình (Art. 15 [V S20]; no 2025 successor [U]).
    "thresholds": (15, 12, 9, 6),
    # The estimated class (prorated total) only with at least this many computable indices [U].
    "prorate_min_indices": 5,
    # tthc-2025-update §4: an extended dossier against its current or original due moment [U].
    "extension_due": "current",
    # Index 2: a single-agency dossier scored as index 1 [U].
    "index2_single_agency": True,
    # Index 4: channels on which the applicant contacted no agency (2 points) [U].
    "remote_channels": ("online", "postal", "at_home"),
    # Index 7: no complaint source; True scores it from the time outcome [U] (only when index 7
    # is not read from the citizens' evaluations).
    "assume_no_complaints": False,
    # Indices read from the citizens' evaluation forms (feedback.Evaluation, Decree 61 Art. 31 /
    # Decree 118 Art. 33 items, 2/1/0 each) instead of the system's facts (Art. 14: indices 1, 3,
    # 4, 6, 7 are collected from the applicants). Default: the two with no fact source.
    "from_evaluations": ("C01_6_PUBLICATION", "C01_7_ATTITUDE"),
    # Index 5 [V S20]: share of listed TTHC handled end to end for 2 points, by level.
    "on_the_spot_min": {"province": Fraction(1, 5), "district": Fraction(1, 2), "commune": Fraction(1)},
    # Index 8 [V S20]: 1 point at ≥ 90% on time.
    "petitions_on_time_min": Fraction(9, 10),
    # Index 8 from the PAKN (feedback.Petition) about the evaluated dossiers [U]; False: not
    # computable (no fact source), as before the feedback app.
    "index8_petitions": True,
    # Index 8: a "prolonged case" (vụ việc kéo dài) is a PAKN still open past its deadline at the
    # period end ("open_overdue"), or every PAKN not handled on time ("late") [U].
    "petitions_prolonged": "open_overdue",
    # Index 8: a PAKN closed without an answer (withdrawn, outside the unit's competence) is left
    # out ("exclude") or counted as not on time ("late") [U].
    "petitions_closed_unanswered": "exclude",
    # Index 9 [V S20]: ≥ 20% TTHC online and ≥ 30% dossiers online for 2; 15% for 1.
    "online_tthc_min": Fraction(1, 5),
    "online_dossier_full": Fraction(3, 10),
    "online_dossier_partial": Fraction(3, 20),
}


# Index → the evaluation form's item (feedback.models.CRITERIA: a, c, b, d, đ).
EVALUATION_FIELDS = {
    "C01_1_TIME": "time_score",
    "C01_3_CONTACTS": "contacts_score",
    "C01_4_AGENCIES": "agencies_score",
    "C01_6_PUBLICATION": "publicity_score",
    "C01_7_ATTITUDE": "conduct_score",
}


def get_params(**overrides) -> dict:
    """:data:`DEFAULT_PARAMS` with ``overrides`` (unknown keys → KeyError, bad values → ValueError)."""
    unknown = set(overrides) - set(DEFAULT_PARAMS)
    if unknown:
        raise KeyError(f"Tham số không hợp lệ: {', '.join(sorted(unknown))}")
    params = {**DEFAULT_PARAMS, **overrides}
    if params["extension_due"] not in ("current", "original"):
        raise ValueError("extension_due phải là 'current' hoặc 'original'")
    if params["petitions_prolonged"] not in ("open_overdue", "late"):
        raise ValueError("petitions_prolonged phải là 'open_overdue' hoặc 'late'")
    if params["petitions_closed_unanswered"] not in ("exclude", "late"):
        raise ValueError("petitions_closed_unanswered phải là 'exclude' hoặc 'late'")
    t = tuple(params["thresholds"])
    if len(t) != 4 or any(a <= b for a, b in zip(t, t[1:], strict=False)):
        raise ValueError("thresholds: bốn ngưỡng giảm dần (xuất sắc, tốt, khá, trung bình)")
    params["thresholds"] = t
    params["from_evaluations"] = tuple(params["from_evaluations"])
    if not set(params["from_evaluations"]) <= set(EVALUATION_FIELDS):
        raise ValueError("from_evaluations: chỉ các chỉ số " + ", ".join(EVALUATION_FIELDS))
    if params["assume_no_complaints"] and "C01_7_ATTITUDE" in params["from_evaluations"]:
        raise ValueError("assume_no_complaints: bỏ C01_7_ATTITUDE khỏi from_evaluations trước")
    return params
