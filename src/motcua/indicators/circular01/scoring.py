"""Circular 01/2018 Art. 15: the evaluation of one unit from its counts (pure), the agency class,
the ranking of several evaluations and the comparison of two periods."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from ..profiles import UNVERIFIED
from .indices import (
    INDICES,
    NO_SOURCE,
    PER_DOSSIER,
    _mapping_notes,
    petitions_not_computable,
    score_one_stop,
    score_online,
    score_per_dossier,
    score_petitions,
)
from .params import (
    CLASSES,
    DEFAULT_PARAMS,
    INDEX_MAX,
    NOMINAL_MAX_TOTAL,
    PROFILE_CODE,
    PROFILE_NAME,
    RATIO_DIGITS,
    SCORE_DIGITS,
    get_params,
)


def classify(total, thresholds=DEFAULT_PARAMS["thresholds"]) -> tuple[str, str] | None:
    """Art. 15 agency class of a total out of 18: (code, Vietnamese name); None for None."""
    if total is None:
        return None
    for (code, name), bound in zip(CLASSES, thresholds, strict=False):
        if total >= bound:
            return code, name
    return CLASSES[-1]


def _round(x, digits: int) -> float | None:
    return None if x is None else round(float(x), digits)


def evaluate(
    counts: Mapping, *, params: Mapping | None = None, unit: str = "province", period: str = ""
) -> dict:
    """The Circular 01/2018 evaluation of one unit and period from ``counts`` (pure).

    ``counts`` maps each index code to its facts (``None`` or missing: no fact source):
    per-dossier indices (1, 2, 3, 4, 6, 7) ``{2: a, 1: b, 0: c}`` (dossiers scoring 2, 1, 0;
    ``details`` may add keys), index 5 ``{tthc, on_the_spot, received_returned, level}``, index 8
    ``{total, on_time, prolonged}`` (optionally ``dossiers`` and ``unrecorded``: see
    :func:`score_petitions`), index 9 ``{tthc, online_tthc, received, online, online_late}``.
    """
    params = get_params(**dict(params or {}))
    notes = _mapping_notes(params)
    rows = []
    total = Fraction(0)
    computable = 0
    for code, name, basis, law in INDICES:
        entry = counts.get(code)
        if basis == PER_DOSSIER:
            num, den, score = score_per_dossier(entry)
            ratio = score
            extra = "không có hồ sơ trong kỳ (không tính)" if den == 0 else None
        else:
            fn = {"C01_5_ONE_STOP": score_one_stop, "C01_8_PETITIONS": score_petitions}.get(
                code, score_online
            )
            num, den, ratio, score = fn(entry, params)
            extra = "mẫu số 0 (không tính)" if den == 0 and score is None else None
            if code == "C01_8_PETITIONS":
                extra = petitions_not_computable(entry) or extra
        rule = f"Điều 13 TT 01/2018 [đã xác minh S20]: {law}; chấm {'theo từng hồ sơ, điểm = tổng điểm ÷ số hồ sơ' if basis == PER_DOSSIER else 'theo đơn vị'}"
        for note in notes[code]:
            rule += f"; {note}"
        if entry is None and NO_SOURCE not in rule:
            rule += f"; {NO_SOURCE}"
        if extra:
            rule += f"; {extra}"
        elif score is None and entry is not None:
            rule += "; mẫu số 0: không có TTHC thuộc thẩm quyền hoặc hồ sơ trong kỳ (không tính)"
        details = {}
        if isinstance(entry, Mapping):
            details = {str(k): (float(v) if isinstance(v, Fraction) else v) for k, v in entry.items()}
        if score is not None:
            total += score
            computable += 1
        rows.append(
            {
                "code": code,
                "name": name,
                "numerator": num,
                "denominator": den,
                "ratio": _round(ratio, RATIO_DIGITS),
                "score": _round(score, SCORE_DIGITS),
                "max_score": INDEX_MAX,
                "rule": rule,
                "basis": basis,
                "details": details,
            }
        )
    max_total = INDEX_MAX * computable
    complete = computable == len(INDICES)
    strict = classify(total, params["thresholds"]) if complete else None
    prorated = total * NOMINAL_MAX_TOTAL / max_total if max_total else None
    estimate = (
        classify(prorated, params["thresholds"]) if computable >= params["prorate_min_indices"] else None
    )
    return {
        "profile": PROFILE_CODE,
        "name": PROFILE_NAME,
        "unit": unit,
        "period": period,
        "total": _round(total, SCORE_DIGITS) if computable else None,
        "max_total": float(max_total),
        "nominal_max_total": float(NOMINAL_MAX_TOTAL),
        "not_computable": len(INDICES) - computable,
        "classification": strict[0] if strict else None,
        "classification_name": strict[1] if strict else None,
        "prorated_total": _round(prorated, SCORE_DIGITS),
        "classification_prorated": estimate[0] if estimate else None,
        "classification_prorated_name": estimate[1] if estimate else None,
        "classification_rule": (
            "Điều 15 TT 01/2018 [đã xác minh S20]: xuất sắc ≥ {0}; tốt {1} đến < {0}; khá {2} đến < {1}; "
            "trung bình {3} đến < {2}; yếu < {3} (thresholds); xếp loại chỉ khi tính được đủ 9 chỉ số; "
            "'tạm tính' = tổng × 18 ÷ tối đa các chỉ số tính được, khi tính được ≥ {5} chỉ số "
            "(prorate_min_indices) {4}; thang điểm này không có văn bản "
            "thay thế năm 2025 (tthc-2025-update §2.10) {4}"
        ).format(*(f"{float(t):g}" for t in params["thresholds"]), UNVERIFIED, params["prorate_min_indices"]),
        "params": _params_out(params),
        "indices": rows,
    }


def _params_out(params: dict) -> dict:
    def conv(v):
        if isinstance(v, Fraction):
            return float(v)
        if isinstance(v, tuple):
            return [conv(x) for x in v]
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items()}
        return v

    return {k: conv(v) for k, v in params.items()}


def rank_reports(reports: list[dict]) -> list[dict]:
    """Rank evaluations: by the Art. 15 total when all nine indices are computable for everyone,
    else by the prorated total (share of the points each could be scored on); units with nothing
    computable come last without a rank. Ties share nothing: then by total, then by unit code."""

    def key(r):
        p = r["prorated_total"]
        return (p is None, -(p or 0), -(r["total"] or 0), r["unit"])

    rows = [
        {
            "unit": r["unit"],
            "name": r.get("unit_name", r["unit"]),
            "total": r["total"],
            "max_total": r["max_total"],
            "prorated_total": r["prorated_total"],
            "not_computable": r["not_computable"],
            "classification": r["classification"],
            "classification_prorated": r["classification_prorated"],
        }
        for r in sorted(reports, key=key)
    ]
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank if row["prorated_total"] is not None else None
    return rows


def compare_reports(current: dict, previous: dict) -> dict:
    """Cùng kỳ: the change in total, per index and in class between two evaluations; a change is
    None when either side is not computable, ``comparable`` False when the computable indices differ."""

    def delta(a, b):
        return None if a is None or b is None else round(a - b, SCORE_DIGITS)

    prev = {i["code"]: i for i in previous["indices"]}

    def computable(r):
        return {i["code"] for i in r["indices"] if i["score"] is not None}

    return {
        "profile": PROFILE_CODE,
        "unit": current["unit"],
        "period": current["period"],
        "previous_period": previous["period"],
        "total": current["total"],
        "previous_total": previous["total"],
        "change": delta(current["total"], previous["total"]),
        "prorated_change": delta(current["prorated_total"], previous["prorated_total"]),
        "classification_prorated": current["classification_prorated"],
        "previous_classification_prorated": previous["classification_prorated"],
        "comparable": computable(current) == computable(previous),
        "indices": [
            {
                "code": i["code"],
                "score": i["score"],
                "previous_score": prev[i["code"]]["score"],
                "change": delta(i["score"], prev[i["code"]]["score"]),
            }
            for i in current["indices"]
        ],
        "current": current,
        "previous": previous,
    }
