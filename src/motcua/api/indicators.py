"""``/indicators``: the Decision 766 report of a unit and period (the JSON of ``motcua
indicators --format json``), the ranking of units and the reform statistics.

Leaders only, as on the dashboard (``indicators.access``): a province leader, a unit leader or a
TTHC control officer, for the scopes their assignment covers; anyone else gets 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Query, Router, Schema
from pydantic import Field

from motcua.api.errors import ErrorOut, Forbidden, NotFound, Unprocessable
from motcua.indicators.access import indicator_access, ranking_scopes
from motcua.indicators.periods import Period, PeriodError, parse_period
from motcua.indicators.profiles import DEFAULT_PARAMS, DEFAULT_PROFILE, get_profile
from motcua.indicators.reform import procedure_cut_rows, procedure_cut_stats, publication_stats
from motcua.indicators.selectors import (
    Scope,
    ScopeError,
    compare_same_period,
    indicator_report,
    rank_units,
    resolve_scope,
)

router = Router(tags=["indicators"])  # the API's default authentication applies

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
ProfileCode = Literal["dvcqg-2026", "qd766-2022"]


class IndicatorOut(Schema):
    code: str
    name: str
    numerator: int | None = Field(description="null: no fact source or not applicable (never 0)")
    denominator: int | None
    ratio: float | None = Field(description="null when not computable (never 0)")
    score: float | None = Field(description="null when not computable (never 0)")
    max_score: float
    rule: str


class GroupOut(Schema):
    code: str
    name: str
    score: float | None
    max_score: float = Field(description="maximum over the computable indicators only")
    nominal_max_score: float
    not_computable: int
    indicators: list[IndicatorOut]


class GroupChangeOut(Schema):
    code: str
    name: str
    score: float | None
    previous_score: float | None
    change: float | None
    comparable: bool


class ComparisonOut(Schema):
    previous_period: str
    previous_total: float | None
    change: float | None = Field(description="change in points; null when either side is not computable")
    comparable: bool = Field(description="false when the two periods do not score the same indicators")
    groups: list[GroupChangeOut]


class ReportOut(Schema):
    profile: str
    unit: str
    period: str
    procedure: str | None = None
    total: float | None
    max_total: float
    nominal_max_total: float
    not_computable: int
    params: dict
    groups: list[GroupOut]
    comparison: ComparisonOut | None = Field(None, description="with compare=same_period (cùng kỳ)")


class ReportQuery(Schema):
    unit: str = Field(
        "province", max_length=35, description="Agency identifier code (QĐ 20/2020) or `province`"
    )
    period: str = Field(..., max_length=30, description="2025-09, 2025-Q3, 2025 or 2025-07-01..2025-09-30")
    profile: ProfileCode = DEFAULT_PROFILE
    procedure: str | None = Field(
        None, pattern=r"^\d\.\d{6}$", description="Drill down to one procedure code"
    )
    compare: Literal["same_period"] | None = Field(None, description="Add the same period a year earlier")
    extension_due: Literal["current", "original"] = Field(
        DEFAULT_PARAMS["extension_due"],
        description="Unverified rule: extended dossiers against the current or original due moment",
    )


class RankingQuery(Schema):
    unit: str = Field("province", max_length=35, description="Rank the units under this scope")
    period: str = Field(..., max_length=30)
    profile: ProfileCode = DEFAULT_PROFILE


class RankOut(Schema):
    rank: int | None = Field(description="null: nothing computable")
    unit: str
    name: str
    total: float | None
    max_total: float
    share: float | None = Field(description="total / max_total")
    not_computable: int


class RankingOut(Schema):
    profile: str
    unit: str
    period: str
    units: list[RankOut]


class ReformQuery(Schema):
    unit: str = Field("province", max_length=35)
    period: str = Field(..., max_length=30, description="Publication decisions signed in the period")
    on: dt.date | None = Field(
        None, description="Catalogue in force on this day (default: the period's last day)"
    )
    details: bool = Field(False, description="Add one row per TTHC in force with its cut")


class BandOut(Schema):
    code: str
    label: str
    min: float
    max: float
    count: int
    share: float | None


class CutRowOut(Schema):
    procedure: str
    name: str
    level: str
    cut_percent: float | None
    band: str | None
    case: str
    legal: str
    applied: str
    not_comparable: bool


class CutsOut(Schema):
    on: str
    scope: str
    tthc: int
    cut: int
    share: float | None
    not_comparable: int = Field(
        description="TTHC whose applied limit is in a unit not comparable with the legal one"
    )
    cut_20_80: int
    max_cut_percent: float | None
    bands: list[BandOut]
    rows: list[CutRowOut] | None = None


class DecisionOut(Schema):
    number: str
    kind: str
    signed_on: dt.date
    basis_effective_on: dt.date | None
    published_on: dt.date | None
    tthc: int
    signed_in_time: bool | None
    published_in_time: bool | None
    on_time: bool | None


class PublicationOut(Schema):
    period: str
    scope: str
    decisions: int
    tthc: int
    by_kind: dict[str, int]
    signed_in_time: int
    signed_judged: int
    signed_rate: float | None
    published_in_time: int
    published_judged: int
    published_rate: float | None
    not_yet_published: int
    on_time: int
    on_time_judged: int
    on_time_rate: float | None
    rows: list[DecisionOut]


class ReformOut(Schema):
    unit: str
    period: str
    cuts: CutsOut
    publication: PublicationOut


def _scope_period(request, unit: str, period: str) -> tuple[Scope, Period]:
    access = indicator_access(request.auth)
    if access is None:
        raise Forbidden(
            "Only leaders and TTHC control officers may read the indicators.",
            "Chỉ lãnh đạo và cán bộ kiểm soát TTHC được xem chỉ số.",
        )
    try:
        p = parse_period(period)
    except PeriodError as exc:
        raise Unprocessable(f"Invalid period: {period!r}", str(exc), field="period") from None
    try:
        scope = resolve_scope(unit)
    except ScopeError as exc:
        raise NotFound(f"No agency with identifier code {unit!r}", str(exc), field="unit") from None
    if not access.allows(scope):
        raise Forbidden(
            "You may not read the indicators of this unit.",
            "Bạn không được xem chỉ số của đơn vị này.",
            field="unit",
        )
    request._indicator_access = access
    return scope, p


@router.get(
    "",
    response={200: ReportOut, **ERRORS},
    summary="Decision 766 report of a unit and period",
    description="The JSON of `motcua indicators --format json`; `null` is not computable, never 0. "
    "With `compare=same_period`, `comparison` holds the same period a year earlier and the change in points.",
)
def report(request, q: Query[ReportQuery]):
    scope, period = _scope_period(request, q.unit, q.period)
    profile = get_profile(q.profile, extension_due=q.extension_due)
    if q.compare:
        cmp = compare_same_period(scope, period, profile, procedure=q.procedure)
        out = cmp["current"]
        out["comparison"] = {
            k: cmp[k] for k in ("previous_period", "previous_total", "change", "comparable", "groups")
        }
    else:
        out = indicator_report(scope, period, profile, procedure=q.procedure)
    out.setdefault("procedure", q.procedure)
    return out


@router.get(
    "/ranking",
    response={200: RankingOut, **ERRORS},
    summary="Units ranked by the share of their computable points",
    description="For the province: its departments and communes; for a unit: the units of its subtree.",
)
def ranking(request, q: Query[RankingQuery]):
    scope, period = _scope_period(request, q.unit, q.period)
    profile = get_profile(q.profile)
    units = rank_units(ranking_scopes(scope, request._indicator_access), period, profile)
    return {"profile": profile.code, "unit": scope.label, "period": period.label, "units": units}


@router.get(
    "/reform",
    response={200: ReformOut, **ERRORS},
    summary="Reform statistics: cut time limits and publication decisions",
    description="TTHC in force whose applied time limit is cut from the legal one (count, share, bands of "
    "the cut percentage) and the publication decisions signed in the period with their on-time rates.",
)
def reform(request, q: Query[ReformQuery]):
    scope, period = _scope_period(request, q.unit, q.period)
    on = q.on or period.last
    rows = procedure_cut_rows(scope, on=on)
    cuts = procedure_cut_stats(scope, on=on, rows=rows)
    if q.details:
        cuts["rows"] = [
            {**r, "cut_percent": None if r["cut_percent"] is None else float(r["cut_percent"])} for r in rows
        ]
    return {
        "unit": scope.label,
        "period": period.label,
        "cuts": cuts,
        "publication": publication_stats(period, scope),
    }
