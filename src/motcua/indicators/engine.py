"""The 766 scoring engine: a profile plus counts → a report (pure, no database).

``counts`` maps an indicator code to ``{"numerator": n, "denominator": d}``; ``None`` (or a missing
code, or a ``None`` inside) means the fact source does not exist yet. The selectors produce it from
the database; tests can write it by hand.

Not computable is never 0: an indicator whose denominator is 0 (unless the profile gives full
points then, like "6 if there are no PAKN"), whose fact source is missing, or that does not apply
to the scope has ``ratio`` and ``score`` ``None``.

Group and total scores add up **only the computable indicators**; ``max_score``/``max_total`` are
the maximum over those same indicators, so ``score / max_score`` is a fair share, while
``nominal_max_score``/``nominal_max_total`` keep the profile's maximum (18, 20, …, 100) and
``not_computable`` says how many indicators were left out. A group with nothing computable has
``score`` ``None`` and ``max_score`` 0.
"""

from __future__ import annotations

from collections.abc import Mapping

from .profiles import COMMUNE, EMPTY_FULL, Indicator, Profile

RATIO_DIGITS = 4
SCORE_DIGITS = 2


def _ratio(entry) -> tuple[int | None, int | None, float | None]:
    if not entry:
        return None, None, None
    num, den = entry.get("numerator"), entry.get("denominator")
    if num is None or den is None or den == 0:
        return num, den, None
    return num, den, num / den


def score_indicator(
    ind: Indicator, counts: Mapping, *, scope_kind: str = "province", params: Mapping | None = None
) -> dict:
    """One sub-indicator: ``{code, name, numerator, denominator, ratio, score, max_score, rule}``
    (scores unrounded; :func:`compute_report` rounds)."""
    params = params or {}
    rule = ind.rule()
    out = {
        "code": ind.code,
        "name": ind.name,
        "numerator": None,
        "denominator": None,
        "ratio": None,
        "score": None,
        "max_score": ind.max_score,
        "rule": rule,
    }
    if scope_kind not in ind.scopes:
        if scope_kind == COMMUNE and params.get("not_applicable_policy") == "full":
            out["score"] = float(ind.max_score)
            out["rule"] = rule + "; không áp dụng cho cấp xã: tính đủ điểm theo chính sách [chưa xác minh]"
        else:
            out["rule"] = rule + f"; không áp dụng cho phạm vi '{scope_kind}'"
        return out
    entry = counts.get(ind.code)
    num, den, ratio = _ratio(entry)
    out["numerator"], out["denominator"] = num, den
    if entry is None or num is None or den is None:
        out["rule"] = rule + "; chưa có nguồn dữ liệu (không tính)"
        return out
    if den == 0:
        if ind.when_empty == EMPTY_FULL:
            out["score"] = float(ind.max_score)
        return out
    if ind.times_ratio_of:
        _, _, other = _ratio(counts.get(ind.times_ratio_of))
        if other is None:
            out["rule"] = rule + f"; không tính được tỷ lệ {ind.times_ratio_of}"
            return out
        ratio *= other
    out["ratio"] = ratio
    out["score"] = min(float(ind.max_score), ind.max_score * ratio / ind.full_at)
    return out


def _round(x: float | None, digits: int) -> float | None:
    return None if x is None else round(x, digits)


def compute_report(
    profile: Profile,
    counts: Mapping,
    *,
    unit: str = "province",
    period: str = "",
    scope_kind: str = "province",
) -> dict:
    """The report ``{profile, unit, period, total, max_total, groups: [...]}`` (see module doc)."""
    groups = []
    total = 0.0
    max_total = 0.0
    total_missing = 0
    any_computable = False
    for group in profile.groups:
        rows = [
            score_indicator(i, counts, scope_kind=scope_kind, params=profile.params) for i in group.indicators
        ]
        done = [r for r in rows if r["score"] is not None]
        g_score = sum(r["score"] for r in done) if done else None
        g_max = float(sum(r["max_score"] for r in done))
        if done:
            any_computable = True
            total += g_score
            max_total += g_max
        total_missing += len(rows) - len(done)
        for r in rows:
            r["ratio"] = _round(r["ratio"], RATIO_DIGITS)
            r["score"] = _round(r["score"], SCORE_DIGITS)
        groups.append(
            {
                "code": group.code,
                "name": group.name,
                "score": _round(g_score, SCORE_DIGITS),
                "max_score": g_max,
                "nominal_max_score": float(group.max_score),
                "not_computable": len(rows) - len(done),
                "indicators": rows,
            }
        )
    return {
        "profile": profile.code,
        "unit": unit,
        "period": period,
        "total": _round(total, SCORE_DIGITS) if any_computable else None,
        "max_total": max_total,
        "nominal_max_total": float(profile.max_total),
        "not_computable": total_missing,
        "params": {k: list(v) if isinstance(v, tuple) else v for k, v in profile.params.items()},
        "groups": groups,
    }


def compare_reports(current: dict, previous: dict) -> dict:
    """Change in points per group and in total between two reports of the same profile (cùng kỳ).

    A change is ``None`` when either side is not computable; ``comparable`` is False when the two
    periods do not score the same set of indicators.
    """

    def delta(a, b):
        return None if a is None or b is None else round(a - b, SCORE_DIGITS)

    def computable(group) -> set[str]:
        return {i["code"] for i in group["indicators"] if i["score"] is not None}

    prev_groups = {g["code"]: g for g in previous["groups"]}
    return {
        "profile": current["profile"],
        "unit": current["unit"],
        "period": current["period"],
        "previous_period": previous["period"],
        "total": current["total"],
        "previous_total": previous["total"],
        "change": delta(current["total"], previous["total"]),
        "comparable": all(computable(g) == computable(prev_groups[g["code"]]) for g in current["groups"]),
        "groups": [
            {
                "code": g["code"],
                "name": g["name"],
                "score": g["score"],
                "previous_score": prev_groups[g["code"]]["score"],
                "change": delta(g["score"], prev_groups[g["code"]]["score"]),
                # False when the two periods do not score the same indicators (a change in points
                # then partly reflects what could be computed).
                "comparable": computable(g) == computable(prev_groups[g["code"]]),
            }
            for g in current["groups"]
        ],
        "current": current,
        "previous": previous,
    }
