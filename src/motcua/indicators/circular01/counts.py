"""Reading the Circular 01/2018 counts of a scope and period from the database, and the report
and ranking built on them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.apps import apps
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from motcua.dossiers.models import Channel, Dossier, DossierAction, DossierSource, Status, StopInitiator

from ..periods import Period, parse_period
from ..profiles import get_profile
from ..selectors import Scope, indicator_counts
from .params import EVALUATION_FIELDS, get_params
from .scoring import evaluate, rank_reports


def circular01_counts(
    scope: Scope,
    period: Period,
    params: Mapping | None = None,
    *,
    procedure: str | None = None,
    now: dt.datetime | None = None,
) -> dict:
    """The counts :func:`evaluate` needs for ``scope`` (``selectors.Scope``) and ``period``.

    One aggregate query over dossiers (the per-dossier indices and index 9's late online
    dossiers), one over their evaluations, two for index 8 (:func:`_petition_counts`; ``now``
    bounds "overdue" for a period not over yet) plus
    :func:`motcua.indicators.selectors.indicator_counts` for index 9's TTHC and dossier shares
    (ONLINE_TTHC; ONLINE_DOSSIER without the e-result condition).
    """
    params = get_params(**dict(params or {}))
    start, end = period.start, period.end
    outcome = "outcome_legal" if params["extension_due"] == "current" else "outcome_vs_original"
    due = "due_at" if params["extension_due"] == "current" else "original_due_at"
    population = Q(received_at__isnull=False, finished_at__gte=start, finished_at__lt=end) & ~(
        Q(status=Status.WITHDRAWN) | Q(status=Status.STOPPED, stop_initiator=StopInitiator.APPLICANT)
    )
    early, on_time, late = (Q(**{outcome: v}) for v in ("early", "on_time", "late"))
    single = Q(is_group=False)
    remote = Q(channel__in=list(params["remote_channels"]))
    at_reception = (
        DossierAction.objects.filter(
            dossier_id=OuterRef("pk"),
            action="request_supplement",
            to_status=Status.SUPPLEMENT_AT_RECEPTION,
        )
        .order_by()
        .values("dossier_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    online = Q(channel=Channel.ONLINE)
    finished_late = Q(received_at__isnull=False, finished_at__gte=start, finished_at__lt=end) & late
    open_overdue = (
        Q(received_at__isnull=False, received_at__lt=end)
        & (Q(finished_at__isnull=True) | Q(finished_at__gte=end))
        & Q(**{f"{due}__lt": end})
    )

    qs = Dossier.objects.filter(scope.dossier_q())
    if procedure:
        qs = qs.filter(procedure_version__procedure__code=procedure)
    evaluated = _evaluation_counts(qs.filter(population), params["from_evaluations"])
    petitions = (
        _petition_counts(qs.filter(population), end, min(end, now or timezone.now()), params)
        if params["index8_petitions"]
        else None
    )
    qs = qs.annotate(
        contacts=Coalesce(Subquery(at_reception, output_field=IntegerField()), Value(0))
        + F("supplement_count")
    )
    c = qs.aggregate(
        t2=Count("pk", filter=population & early),
        t1=Count("pk", filter=population & on_time),
        t0=Count("pk", filter=population & late),
        a2=Count("pk", filter=population & single & early),
        a1=Count("pk", filter=population & single & on_time),
        a0=Count("pk", filter=population & single & late),
        group=Count("pk", filter=population & ~single),
        c2=Count("pk", filter=population & Q(contacts=0)),
        c1=Count("pk", filter=population & Q(contacts=1)),
        c0=Count("pk", filter=population & Q(contacts__gt=1)),
        g2=Count("pk", filter=population & remote),
        g1=Count("pk", filter=population & ~remote),
        online_late=Count("pk", filter=online & (finished_late | open_overdue)),
    )
    base = indicator_counts(
        scope, period, get_profile("dvcqg-2026", online_requires_e_result=False), procedure=procedure
    )
    tthc, dossiers = base.get("ONLINE_TTHC") or {}, base.get("ONLINE_DOSSIER") or {}
    time = {2: c["t2"], 1: c["t1"], 0: c["t0"]}
    counts = {
        "C01_1_TIME": time,
        "C01_2_AGENCY_TIME": (
            {2: c["a2"], 1: c["a1"], 0: c["a0"], "group_excluded": c["group"]}
            if params["index2_single_agency"]
            else None
        ),
        "C01_3_CONTACTS": {2: c["c2"], 1: c["c1"], 0: c["c0"]},
        "C01_4_AGENCIES": {2: c["g2"], 1: c["g1"], 0: 0},
        "C01_5_ONE_STOP": None,
        "C01_6_PUBLICATION": None,
        "C01_7_ATTITUDE": dict(time) if params["assume_no_complaints"] else None,  # unless evaluated
        "C01_8_PETITIONS": petitions,
        "C01_9_ONLINE": {
            "tthc": tthc.get("denominator"),
            "online_tthc": tthc.get("numerator"),
            "received": dossiers.get("denominator"),
            "online": dossiers.get("numerator"),
            "online_late": c["online_late"],
        },
    }
    counts.update(evaluated)
    return counts


def _evaluation_counts(dossiers, codes: tuple[str, ...]) -> dict:
    """Per-index 2/1/0 distributions from the citizens' evaluations of ``dossiers`` (one query);
    ``None`` per index when the evaluation app is not installed."""
    if not codes:
        return {}
    if not apps.is_installed("motcua.feedback"):
        return dict.fromkeys(codes)
    from motcua.feedback.models import Evaluation

    agg = Evaluation.objects.filter(dossier__in=dossiers.values("pk")).aggregate(
        **{
            f"{code}__{p}": Count("pk", filter=Q(**{EVALUATION_FIELDS[code]: p}))
            for code in codes
            for p in (2, 1, 0)
        }
    )
    return {code: {p: agg[f"{code}__{p}"] for p in (2, 1, 0)} for code in codes}


def _petition_counts(population: QuerySet, end: dt.datetime, cut: dt.datetime, params: dict) -> dict | None:
    """Index 8 from the PAKN (``feedback.Petition``) about the population's dossiers, as they stood
    at the period end (``cut``: the end, or now for a period not over yet); ``None`` when the
    feedback app is not installed. Two aggregate queries.

    Only dossiers whose PAKN fact is known count (``dossiers``): received on this system, where
    PAKN are filed through the feedback app, or imported with their evaluation (``evaluated``;
    the import's ``{satisfied, petition}``); the others are counted in ``unknown``. A known
    dossier flagged ``petition`` without a PAKN record here is counted in ``unrecorded`` (its
    handling is unknown, so the index is not computable).

    Of the PAKN received before the end: ``on_time`` answered on time before the end; ``late``
    answered late, or open and past its deadline at ``cut`` (the latter also ``prolonged``, or
    every late one under ``petitions_prolonged='late'``); ``pending`` open and not yet due (left
    out); ``closed_unanswered`` closed without an answer before the end (withdrawn, outside the
    unit's competence: left out, or late under ``petitions_closed_unanswered='late'``).
    """
    if not apps.is_installed("motcua.feedback"):
        return None
    from motcua.feedback.models import Petition

    known = Q(source=DossierSource.LIVE) | Q(evaluated=True)
    recorded = Exists(Petition.objects.filter(dossier_id=OuterRef("pk")))
    d = population.aggregate(
        dossiers=Count("pk", filter=known),
        unknown=Count("pk", filter=~known),
        unrecorded=Count("pk", filter=known & Q(petition=True) & ~Q(recorded)),
    )
    answered = Q(answered_at__lt=end)
    closed = Q(answered_at__isnull=True, closed_at__lt=end)
    still_open = ~answered & ~closed
    overdue = still_open & Q(due_at__lt=cut)
    # answered_on_time is written with the answer; a row without it is judged from its times.
    in_time = Q(answered_on_time=True) | Q(answered_on_time__isnull=True, answered_at__lte=F("due_at"))
    p = Petition.objects.filter(
        dossier__in=population.filter(known).values("pk"), received_at__lt=end
    ).aggregate(
        on_time=Count("pk", filter=answered & in_time),
        late_answered=Count("pk", filter=answered & ~in_time),
        overdue=Count("pk", filter=overdue),
        pending=Count("pk", filter=still_open & ~Q(due_at__lt=cut)),
        closed_unanswered=Count("pk", filter=closed),
    )
    closed_late = p["closed_unanswered"] if params["petitions_closed_unanswered"] == "late" else 0
    late = p["late_answered"] + p["overdue"] + closed_late
    prolonged = late if params["petitions_prolonged"] == "late" else p["overdue"]
    return {
        **d,
        "total": p["on_time"] + late,
        "on_time": p["on_time"],
        "late": late,
        "prolonged": prolonged,
        "pending": p["pending"],
        "closed_unanswered": p["closed_unanswered"],
    }


def circular01_report(
    scope: Scope, period: Period | str, params: Mapping | None = None, *, procedure: str | None = None
) -> dict:
    """The evaluation of ``scope`` for ``period`` (a :class:`periods.Period` or its label)."""
    if isinstance(period, str):
        period = parse_period(period)
    params = get_params(**dict(params or {}))
    counts = circular01_counts(scope, period, params, procedure=procedure)
    report = evaluate(counts, params=params, unit=scope.label, period=period.label)
    report["unit_name"] = scope.agency.name if getattr(scope, "agency", None) else "Toàn tỉnh"
    if procedure:
        report["procedure"] = procedure
    return report


def rank_units(scopes: list[Scope], period: Period | str, params: Mapping | None = None) -> list[dict]:
    """Units ranked by their Circular 01/2018 evaluation (see :func:`rank_reports`)."""
    if isinstance(period, str):
        period = parse_period(period)
    return rank_reports([circular01_report(s, period, params) for s in scopes])
