"""Everything a leader's dashboard view shows, as plain data (the page, Excel and PDF read it).

Built from the selectors' reports (:func:`selectors.indicator_report`, ``compare_same_period``,
``rank_units``; for many units or months at once :mod:`.grouped`, equal to them), the drill-down
filters (:mod:`.drilldown`) and the reform statistics (:mod:`.reform`); no figure is computed
twice in different ways.
"""

from __future__ import annotations

import datetime as dt

from . import engine
from .access import IndicatorAccess, ranking_scopes
from .drilldown import DRILLS, worst_procedures
from .grouped import grouped_reports, trend_reports
from .periods import MONTH, Period, parse_period
from .profiles import Profile
from .reform import reform_report
from .selectors import Scope, compare_same_period, ranking_rows

# A trend longer than this shows its last months only.
MAX_TREND_MONTHS = 24


def trend_months(period: Period) -> list[Period]:
    """The months of the period; for one month, the twelve months ending with it."""
    if period.kind == MONTH:
        first = dt.date(period.first.year - 1, period.first.month, 1)
        first = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    else:
        first = period.first.replace(day=1)
    months = []
    day = first
    while day <= period.last:
        months.append(parse_period(f"{day:%Y-%m}"))
        day = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return months[-MAX_TREND_MONTHS:]


def _share(total, max_total):
    return None if total is None or not max_total else round(total / max_total, 4)


def trend(scope: Scope, period: Period, profile: Profile, *, procedure: str | None = None) -> list[dict]:
    """One row per month of :func:`trend_months`: the month's report, all months read together
    (:func:`.grouped.trend_reports`, a few grouped queries)."""
    months = trend_months(period)
    rows = []
    for month, r in zip(months, trend_reports(scope, months, profile, procedure=procedure), strict=True):
        on_time = next(
            (i for g in r["groups"] for i in g["indicators"] if i["code"] == "ON_TIME"),
            None,
        )
        rows.append(
            {
                "period": month.label,
                "total": r["total"],
                "max_total": r["max_total"],
                "share": _share(r["total"], r["max_total"]),
                "on_time_ratio": on_time["ratio"] if on_time else None,
                "groups": {g["code"]: g["score"] for g in r["groups"]},
            }
        )
    return rows


def annotate_drills(group: dict) -> None:
    """Mark the group's sub-indicators that have a dossier list, with their remainder."""
    for i in group["indicators"]:
        drill = DRILLS.get(i["code"])
        i["drill"] = drill is not None
        i["rest_alias"] = drill.rest_alias if drill else None
        num, den = i["numerator"], i["denominator"]
        i["rest"] = None if drill is None or num is None or den is None else den - num


def dashboard_data(
    scope: Scope,
    period: Period,
    profile: Profile,
    access: IndicatorAccess,
    *,
    procedure: str | None = None,
    with_trend: bool = True,
    with_ranking: bool = True,
) -> dict:
    """``{report, comparison, trend, ranking, worst, reform}`` for one dashboard view."""
    ranking = []
    if with_ranking and not procedure:
        # The scope, the same period a year earlier and the units ranked: one scan of the rollups.
        units = ranking_scopes(scope, access)
        wanted = [(scope, period), (scope, period.previous_year()), *((u, period) for u in units)]
        current, previous, *reports = grouped_reports(wanted, profile)
        comparison = engine.compare_reports(current, previous)
        ranking = ranking_rows(units, reports)
    else:
        comparison = compare_same_period(scope, period, profile, procedure=procedure)
    report = comparison["current"]
    changes = {g["code"]: g for g in comparison["groups"]}
    for g in report["groups"]:
        g["change"] = changes[g["code"]]["change"]
        g["previous_score"] = changes[g["code"]]["previous_score"]
        g["comparable"] = changes[g["code"]]["comparable"]
        g["share"] = _share(g["score"], g["max_score"])
        annotate_drills(g)
    report["share"] = _share(report["total"], report["max_total"])
    return {
        "scope": scope,
        "period": period,
        "profile": profile,
        "procedure": procedure,
        "report": report,
        "comparison": comparison,
        "trend": trend(scope, period, profile, procedure=procedure) if with_trend else [],
        "ranking": ranking,
        "worst": [] if procedure else worst_procedures(scope, period, profile),
        "reform": reform_report(scope, period),
    }
