"""The dossiers behind a point: each dossier-based sub-indicator as queryset filters.

``drilldown_queryset(scope, period, profile, indicator="ON_TIME", part="late")`` returns the
dossiers that :mod:`motcua.indicators.selectors` counts in the numerator (``numerator``), the
denominator (``denominator``) or the difference (``rest``; ``late`` for ON_TIME), so that the
length of a list always equals the figure a leader clicked (``tests/indicators/test_drilldown.py``
checks it against :func:`selectors.indicator_counts`). The filters repeat the selectors' rules
(which date places a dossier in a period, the portal's on-time rule with the supplement and
terminal-status cases, the ``extension_due`` parameter); a change there must be made here too.

Catalog-based indicators (ONLINE_TTHC, PUBLIC_*, PAYMENT_TTHC_*, ONLINE_SERVICE_USED,
CITIZEN_DATA_CONNECTED_FORMALITY) count procedures, not dossiers, and have no dossier list; neither
have the indicators without a fact source (PAKN, certified e-copies). A numerator the selectors
report as ``None`` (no dossier of the scope records the fact) is not linked by the pages. ``worst_procedures`` ranks the procedures of a scope by their on-time share, with the same
filters.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Count,
    Max,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce

from motcua.dossiers.models import Channel, Dossier, PortalOutcome

from . import rollups
from .periods import Period
from .profiles import Profile
from .selectors import Scope, on_time_q, rollup_pairs_by_version

NUMERATOR, DENOMINATOR, REST = "numerator", "denominator", "rest"
PARTS = (NUMERATOR, DENOMINATOR, REST)


@dataclass(frozen=True)
class Drill:
    """How one sub-indicator's dossiers are selected and what its parts are called."""

    code: str
    numerator_label: str
    denominator_label: str
    rest_label: str
    rest_alias: str  # e.g. "late" for ON_TIME


DRILLS: dict[str, Drill] = {
    d.code: d
    for d in (
        Drill("ON_TIME", "Đúng hạn", "Đã giải quyết trong kỳ và còn tồn cuối kỳ", "Trễ hạn", "late"),
        Drill("DOSSIER_SYNC", "Đã đồng bộ DVCQG", "Tiếp nhận trong kỳ", "Chưa đồng bộ", "not_synced"),
        Drill("ONLINE_DOSSIER", "Nộp trực tuyến", "Tiếp nhận trong kỳ", "Không trực tuyến", "not_online"),
        Drill(
            "PAYMENT_DOSSIER",
            "Thanh toán trực tuyến",
            "Hồ sơ của TTHC có phí, lệ phí",
            "Chưa thanh toán trực tuyến",
            "not_paid_online",
        ),
        Drill(
            "ORIGINAL_RESULT_AVAILABLE",
            "Có kết quả điện tử",
            "Đã giải quyết, TTHC trả kết quả bản giấy",
            "Không có kết quả điện tử",
            "no_e_result",
        ),
        Drill(
            "SO_HOA_GIAY_TO_GIAI_QUYET",
            "Đã số hóa",
            "Tiếp nhận trong kỳ",
            "Chưa số hóa",
            "not_digitized",
        ),
        Drill(
            "DOSSIER_RECEIVING_SATISFACTION",
            "Đúng hạn, không phản ánh, không đánh giá không hài lòng",
            "Đã giải quyết trong kỳ",
            "Trễ hạn, có phản ánh hoặc không hài lòng",
            "unsatisfied",
        ),
        Drill(
            "REUSED_DIGITIZED_DATA",
            "Có thành phần tái sử dụng dữ liệu số hóa",
            "Tiếp nhận trong kỳ",
            "Không tái sử dụng",
            "not_reused",
        ),
        Drill(
            "SYNCED_WITH_DVCQG_PERSONAL_STORAGE",
            "Có thành phần từ kho dữ liệu cá nhân",
            "Tiếp nhận trong kỳ",
            "Không dùng kho dữ liệu cá nhân",
            "no_store",
        ),
        Drill(
            "CITIZEN_DATA_CONNECTED_DOSSIER",
            "Xác thực VNeID, khai thác CSDL dân cư hoặc kho dữ liệu",
            "Tiếp nhận trong kỳ",
            "Không kết nối dữ liệu công dân",
            "not_connected",
        ),
    )
}


class DrilldownError(ValueError):
    """An indicator without a dossier list, or an unknown part."""


def normalize_part(indicator: str, part: str) -> str:
    drill = DRILLS.get(indicator)
    if drill is None:
        raise DrilldownError(
            f"Chỉ số {indicator!r} không có danh sách hồ sơ (chỉ số theo thủ tục hoặc chưa có nguồn)."
        )
    part = (part or DENOMINATOR).strip().lower()
    if part == drill.rest_alias:
        part = REST
    if part not in PARTS:
        raise DrilldownError(f"Phần {part!r} không hợp lệ (numerator, denominator, {drill.rest_alias}).")
    return part


def part_label(indicator: str, part: str) -> str:
    drill = DRILLS[indicator]
    return {NUMERATOR: drill.numerator_label, DENOMINATOR: drill.denominator_label, REST: drill.rest_label}[
        part
    ]


def _on_time_q(period: Period, profile: Profile) -> tuple[Q, Q]:
    """(denominator, numerator) of ON_TIME, as ``selectors._dossier_counts`` counts them."""
    start, end = period.start, period.end
    finished = Q(received_at__isnull=False, finished_at__gte=start, finished_at__lt=end)
    open_at_end = Q(received_at__isnull=False, received_at__lt=end) & (
        Q(finished_at__isnull=True) | Q(finished_at__gte=end)
    )
    finished_on_time, open_on_time = on_time_q(profile, end)
    return finished | open_at_end, (finished & finished_on_time) | (open_at_end & open_on_time)


def indicator_filters(indicator: str, period: Period, profile: Profile) -> tuple[Q, Q]:
    """(denominator, numerator) filters of a dossier-based sub-indicator, over a queryset made by
    :func:`_base` (``paper_eff``/``fee_eff``: the dossier's own paper-result and fee facts, else
    its procedure version's, as the selectors read them)."""
    if indicator not in DRILLS:
        raise DrilldownError(f"Chỉ số {indicator!r} không có danh sách hồ sơ.")
    received = Q(received_at__gte=period.start, received_at__lt=period.end)
    finished = Q(received_at__isnull=False, finished_at__gte=period.start, finished_at__lt=period.end)
    paper = Q(paper_eff=True)
    e_result_ok = ~paper | Q(e_result=True)
    if indicator == "ON_TIME":
        return _on_time_q(period, profile)
    if indicator == "DOSSIER_SYNC":
        return received, received & Q(synced=True)
    if indicator == "ONLINE_DOSSIER":
        online = received & Q(channel=Channel.ONLINE)
        return received, online & e_result_ok if profile.params["online_requires_e_result"] else online
    if indicator == "PAYMENT_DOSSIER":
        fee = received & Q(fee_eff=True)
        return fee, fee & Q(paid_online=True)
    if indicator == "ORIGINAL_RESULT_AVAILABLE":
        return finished & paper, finished & paper & Q(e_result=True)
    if indicator == "SO_HOA_GIAY_TO_GIAI_QUYET":
        return received, received & Q(digitized=True) & e_result_ok
    if indicator == "REUSED_DIGITIZED_DATA":
        return received, received & Q(reused_components__gt=0)
    if indicator == "SYNCED_WITH_DVCQG_PERSONAL_STORAGE":
        return received, received & Q(store_components__gt=0)
    if indicator == "CITIZEN_DATA_CONNECTED_DOSSIER":
        return received, received & (
            Q(vneid_verified=True) | Q(population_data=True) | Q(store_components__gt=0)
        )
    # DOSSIER_RECEIVING_SATISFACTION: finished − late − with a PAKN or a dislike.
    return finished, finished & Q(outcome_portal=PortalOutcome.ON_TIME, petition=False) & ~Q(satisfied=False)


def _base(scope: Scope, procedure: str | None) -> QuerySet[Dossier]:
    qs = Dossier.objects.filter(scope.dossier_q()).alias(
        paper_eff=Coalesce("paper_result_required", "procedure_version__paper_result_required"),
        fee_eff=Coalesce("fee_bearing", "procedure_version__fee_bearing"),
    )
    if procedure:
        qs = qs.filter(procedure_version__procedure__code=procedure)
    return qs


def drilldown_queryset(
    scope: Scope,
    period: Period,
    profile: Profile,
    *,
    indicator: str,
    part: str = DENOMINATOR,
    procedure: str | None = None,
) -> QuerySet[Dossier]:
    """The dossiers behind ``part`` of ``indicator`` for a scope and period, by received moment
    (latest first). ``rest`` is the denominator without the numerator (the late ones for ON_TIME)."""
    part = normalize_part(indicator, part)
    den, num = indicator_filters(indicator, period, profile)
    base = _base(scope, procedure)
    if part == DENOMINATOR:
        qs = base.filter(den)
    elif part == NUMERATOR:
        qs = base.filter(num)
    else:
        # A subquery rather than ~num: SQL's NOT over nullable columns and F() comparisons would
        # drop the rows where a comparison is unknown.
        qs = base.filter(den).exclude(pk__in=base.filter(num).values("pk"))
    return qs.select_related("procedure_version__procedure", "receiving_unit", "resolving_agency").order_by(
        "-received_at", "-pk"
    )


def dossier_row(d: Dossier) -> dict:
    """What a drill-down list shows of a dossier: no personal data (applicant, contact)."""
    return {
        "code": d.code or d.temp_reference or str(d.pk),
        "procedure": d.procedure_version.procedure.code,
        "procedure_name": d.procedure_version.name,
        "receiving_unit": d.receiving_unit.name,
        "resolving_agency": d.resolving_agency.name,
        "channel": d.get_channel_display(),
        "status": d.get_status_display(),
        "received_at": d.received_at,
        "due_at": d.due_at,
        "finished_at": d.finished_at,
        "supplement_count": d.supplement_count,
        "extended": d.extended,
    }


# Sub-indicators whose per-procedure pair the rollups give exactly as the dossier filters do.
_ROLLUP_WORST = frozenset(
    {
        "ON_TIME",
        "DOSSIER_SYNC",
        "ONLINE_DOSSIER",
        "PAYMENT_DOSSIER",
        "ORIGINAL_RESULT_AVAILABLE",
        "SO_HOA_GIAY_TO_GIAI_QUYET",
    }
)


def worst_procedures(
    scope: Scope, period: Period, profile: Profile, *, limit: int = 10, indicator: str = "ON_TIME"
) -> list[dict]:
    """Procedures with the lowest share of ``indicator`` (default ON_TIME) in the scope and period,
    then the most dossiers left out of the numerator; one aggregate query (over the rollups when
    they serve the report, else over the dossiers)."""
    if indicator in _ROLLUP_WORST and rollups.current_source() != "facts":
        rows = _worst_from_rollups(scope, period, profile, indicator)
    else:
        den, num = indicator_filters(indicator, period, profile)
        rows = (
            _base(scope, None)
            .filter(den)
            .values("procedure_version__procedure__code")
            .annotate(
                name=Max("procedure_version__name"),
                denominator=Count("pk"),
                numerator=Count("pk", filter=num),
            )
            .order_by()
        )
    out = []
    for r in rows:
        d, n = r["denominator"], r["numerator"]
        out.append(
            {
                "procedure": r["procedure_version__procedure__code"],
                "name": r["name"],
                "numerator": n,
                "denominator": d,
                "rest": d - n,
                "ratio": round(n / d, 4) if d else None,
            }
        )
    out.sort(key=lambda x: (x["ratio"] if x["ratio"] is not None else 2, -x["rest"], x["procedure"]))
    return [r for r in out if r["rest"] > 0][:limit]


def _worst_from_rollups(scope: Scope, period: Period, profile: Profile, indicator: str) -> list[dict]:
    """The rows of the dossier query above, from :func:`selectors.rollup_pairs_by_version`: per
    procedure code, the summed pair and the greatest version name among versions counted."""
    from motcua.catalog.models import ProcedureVersion

    pairs = {
        pk: p[indicator]
        for pk, p in rollup_pairs_by_version(scope, period, profile).items()
        if p[indicator]["denominator"]
    }
    names = ProcedureVersion.objects.filter(pk__in=list(pairs)).values_list("pk", "procedure__code", "name")
    by_code: dict[str, dict] = {}
    for pk, code, name in names:
        row = by_code.setdefault(
            code, {"procedure_version__procedure__code": code, "name": name, "denominator": 0, "numerator": 0}
        )
        row["name"] = max(row["name"], name)
        row["denominator"] += pairs[pk]["denominator"]
        row["numerator"] += pairs[pk]["numerator"]
    return list(by_code.values())
