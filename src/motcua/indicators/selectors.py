"""Counts for the 766 report, read from the dossier fact columns and the catalog.

A report costs a small fixed number of aggregate queries, whatever the number of dossiers: one
over dossiers (conditional ``Count(filter=Q(...))``), one over procedure versions (with
``Exists`` subqueries into dossiers), and for the province two over publication decisions.

Which date places a dossier in a period (tthc-spec §1.3):

* received in the period (``received_at``): DOSSIER_SYNC, ONLINE_SERVICE_USED, ONLINE_DOSSIER,
  PAYMENT_*, SO_HOA_GIAY_TO_GIAI_QUYET;
* finished in the period (``finished_at``, end of processing): ON_TIME (plus dossiers received
  before the period end and still open at it), DOSSIER_RECEIVING_SATISFACTION,
  ORIGINAL_RESULT_AVAILABLE;
* signature date of the publication decision: PUBLISH_ON_TIME, PUBLIC_UPDATE_ON_TIME;
* the catalogue in force on the last day: ONLINE_TTHC, PUBLIC_CONTENT_FULL and the TTHC
  denominators.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from motcua.catalog.models import (
    PUBLICATION_LEAD_WORKING_DAYS,
    PUBLICATION_UPLOAD_WORKING_DAYS,
    Component,
    Procedure,
    ProcedureCase,
    ProcedureVersion,
)
from motcua.dossiers.models import Channel, Dossier, PortalOutcome, Status
from motcua.org.models import AdministrativeUnit, Agency
from motcua.org.selectors import agencies_in_subtree
from motcua.worktime.selectors import get_calendar

from . import engine, rollups
from .models import Grain, Rollup
from .periods import Period, parse_period
from .profiles import AGENCY, COMMUNE, ONE_STOP, PROVINCE, Profile, get_profile

# Indicators with no fact source: not computable (None), never 0. The reuse, personal-store and
# VNeID/population ones are computed when some dossier of the scope and period records the fact
# (import, simulator; vneid from the online sign-in), else they stay None.
MISSING_SOURCES = {
    "PETITION_PROCESSING_ON_TIME": "phản ánh, kiến nghị (PAKN)",
    "PETITION_HANDLING_SATISFACTION": "phản ánh, kiến nghị (PAKN)",
    "ELECTRONIC_CERTIFIED_COPY": "chứng thực bản sao điện tử",
    "REUSED_DIGITIZED_DATA": "cờ tái sử dụng thành phần số hóa",
    "SYNCED_WITH_DVCQG_PERSONAL_STORAGE": "kho dữ liệu cá nhân DVCQG",
    "CITIZEN_DATA_CONNECTED_DOSSIER": "xác thực VNeID / CSDL dân cư",
    "CITIZEN_DATA_CONNECTED_FORMALITY": "xác thực VNeID / CSDL dân cư",
}


class ScopeError(LookupError):
    pass


@dataclass(frozen=True)
class Scope:
    kind: str
    label: str
    agency: Agency | None = None

    def dossier_q(self) -> Q:
        if self.kind == PROVINCE:
            return Q()
        subtree = agencies_in_subtree(self.agency).values("pk")
        if self.kind == ONE_STOP:
            return Q(receiving_unit__in=subtree)
        if self.kind == COMMUNE:
            # Sub-queries, not joins: the rollup sums stay index-only scans (rollups "before").
            in_unit = Agency.objects.filter(admin_unit_id=self.agency.admin_unit_id).values("pk")
            return (
                Q(resolving_agency__in=subtree)
                | Q(resolving_agency__in=in_unit)
                | Q(receiving_unit__in=in_unit)
            )
        return Q(resolving_agency__in=subtree)

    def version_q(self) -> Q:
        """TTHC within the scope's competence."""
        if self.kind == PROVINCE:
            return Q()
        level = getattr(self.agency.admin_unit, "level", None)
        if self.kind == COMMUNE or (self.kind == ONE_STOP and level == AdministrativeUnit.Level.COMMUNE):
            return Q(level=ProcedureVersion.Level.COMMUNE)
        if self.kind == ONE_STOP:
            return Q()
        through = ProcedureVersion.agencies.through
        return Q(
            Exists(
                through.objects.filter(
                    procedureversion_id=OuterRef("pk"),
                    agency_id__in=agencies_in_subtree(self.agency).values("pk"),
                )
            )
        )


PROVINCE_SCOPE = Scope(PROVINCE, "province")


def resolve_scope(code: str) -> Scope:
    """``province`` or an agency identifier code (the current agency with that code)."""
    if code.strip().lower() in ("province", "tinh", "tỉnh"):
        return PROVINCE_SCOPE
    agency = (
        Agency.objects.filter(ident_code=code.strip())
        .select_related("admin_unit")
        .order_by("valid_to", "-valid_from")  # NULL valid_to (current) first on SQLite and PostgreSQL
        .first()
    )
    if agency is None:
        raise ScopeError(f"Không tìm thấy cơ quan có mã định danh {code!r}")
    level = getattr(agency.admin_unit, "level", None)
    if agency.kind == Agency.Kind.ONE_STOP:
        kind = ONE_STOP
    elif agency.kind == Agency.Kind.PEOPLES_COMMITTEE and level == AdministrativeUnit.Level.COMMUNE:
        kind = COMMUNE
    else:
        kind = AGENCY
    return Scope(kind, agency.ident_code, agency)


def _pair(num, den) -> dict:
    return {"numerator": num, "denominator": den}


def on_time_q(profile: Profile, end: dt.datetime) -> tuple[Q, Q]:
    """The ON_TIME rule of the national portal (tthc-spec §1.3) as two filters on dossiers:
    ``(finished_on_time, open_on_time)`` — for dossiers finished in the period and for those still
    open at its ``end``. Shared by the counts here and the drill-down lists (:mod:`.drilldown`)."""
    # ON_TIME, finished dossiers: the stored 766 outcome (facts.portal_outcome, against the current
    # due moment). Against the original due moment, an extended dossier is judged by the same
    # portal rule in SQL: > 1 supplement late; closed while waiting for a supplement, measured at
    # the request; otherwise end − supplement waiting ≤ original due, i.e. end ≤ due + waiting.
    if profile.params["extension_due"] == "current":
        finished_on_time = Q(outcome_portal=PortalOutcome.ON_TIME)
        due = "due_at"
    else:
        due_plus_pause = ExpressionWrapper(
            F("original_due_at")
            + ExpressionWrapper(
                ExpressionWrapper(F("paused_minutes"), output_field=IntegerField())
                * Value(dt.timedelta(minutes=1), output_field=DurationField()),
                output_field=DurationField(),
            ),
            output_field=DateTimeField(),
        )
        closed = Q(status=Status.CLOSED_UNANSWERED, supplement_requested_at__isnull=False)
        finished_on_time = Q(extended=False, outcome_portal=PortalOutcome.ON_TIME) | (
            Q(extended=True, supplement_count__lte=1)
            & (
                Q(original_due_at__isnull=True)
                | (closed & Q(supplement_requested_at__lte=F("original_due_at")))
                | (~closed & Q(finished_at__lte=due_plus_pause))
            )
        )
        due = "original_due_at"
    # Open at the period end: measured at the period end, or at the supplement request while the
    # applicant has not come back; more than one supplement request is late.
    pending = Q(status=Status.SUPPLEMENT_REQUESTED, finished_at__isnull=True)
    open_on_time = Q(supplement_count__lte=1) & (
        Q(**{f"{due}__isnull": True})
        | (pending & Q(supplement_requested_at__lte=F(due)))
        | (~pending & Q(**{f"{due}__gte": end}))
    )
    return finished_on_time, open_on_time


def _dossier_counts(scope: Scope, period: Period, profile: Profile, procedure: str | None) -> dict:
    start, end = period.start, period.end
    received = Q(received_at__gte=start, received_at__lt=end)
    finished = Q(received_at__isnull=False, finished_at__gte=start, finished_at__lt=end)
    open_at_end = Q(received_at__isnull=False, received_at__lt=end) & (
        Q(finished_at__isnull=True) | Q(finished_at__gte=end)
    )
    # Paper result / fee: the dossier's own fact, else its procedure version's (older rows).
    paper = Q(paper_eff=True)
    fee = Q(fee_eff=True)
    e_result_ok = ~paper | Q(e_result=True)

    finished_on_time, open_on_time = on_time_q(profile, end)

    qs = Dossier.objects.filter(scope.dossier_q()).alias(
        paper_eff=Coalesce("paper_result_required", "procedure_version__paper_result_required"),
        fee_eff=Coalesce("fee_bearing", "procedure_version__fee_bearing"),
    )
    if procedure:
        qs = qs.filter(procedure_version__procedure__code=procedure)
    store_known = Q(store_components__isnull=False)
    citizen_known = Q(vneid_verified__isnull=False) | Q(population_data__isnull=False) | store_known
    c = qs.aggregate(
        received=Count("pk", filter=received),
        synced=Count("pk", filter=received & Q(synced=True)),
        online=Count(
            "pk",
            filter=received
            & Q(channel=Channel.ONLINE)
            & (e_result_ok if profile.params["online_requires_e_result"] else Q()),
        ),
        digitized=Count("pk", filter=received & Q(digitized=True) & e_result_ok),
        fee=Count("pk", filter=received & fee),
        paid=Count("pk", filter=received & fee & Q(paid_online=True)),
        finished=Count("pk", filter=finished),
        finished_on_time=Count("pk", filter=finished & finished_on_time),
        open=Count("pk", filter=open_at_end),
        open_on_time=Count("pk", filter=open_at_end & open_on_time),
        paper_finished=Count("pk", filter=finished & paper),
        paper_e_result=Count("pk", filter=finished & paper & Q(e_result=True)),
        reused=Count("pk", filter=received & Q(reused_components__gt=0)),
        reused_known=Count("pk", filter=received & Q(reused_components__isnull=False)),
        store=Count("pk", filter=received & Q(store_components__gt=0)),
        store_known=Count("pk", filter=received & store_known),
        citizen=Count(
            "pk",
            filter=received & (Q(vneid_verified=True) | Q(population_data=True) | Q(store_components__gt=0)),
        ),
        citizen_known=Count("pk", filter=received & citizen_known),
        sat_ok=Count(
            "pk",
            filter=finished & Q(outcome_portal=PortalOutcome.ON_TIME, petition=False) & ~Q(satisfied=False),
        ),
        sat_known=Count("pk", filter=finished & (Q(satisfied__isnull=False) | Q(petition=True))),
    )
    return _dossier_pairs(c)


def _dossier_pairs(c: dict) -> dict:
    """The indicator pairs from the aggregate counts (facts or rollups). A fact recorded for no
    dossier of the scope and period (reuse, personal store, VNeID, evaluation) leaves its
    indicator not computable (``None``), never 0."""

    def known(num: str, den: str) -> dict:
        flag = num.removesuffix("_ok")
        return _pair(c[num] if c[f"{flag}_known"] else None, c[den])

    return {
        "DOSSIER_SYNC": _pair(c["synced"], c["received"]),
        "ON_TIME": _pair(c["finished_on_time"] + c["open_on_time"], c["finished"] + c["open"]),
        "ONLINE_DOSSIER": _pair(c["online"], c["received"]),
        "PAYMENT_DOSSIER": _pair(c["paid"], c["fee"]),
        # finished − late − with a PAKN or a dislike (each dossier subtracted once).
        "DOSSIER_RECEIVING_SATISFACTION": known("sat_ok", "finished"),
        "ORIGINAL_RESULT_AVAILABLE": _pair(c["paper_e_result"], c["paper_finished"]),
        "SO_HOA_GIAY_TO_GIAI_QUYET": _pair(c["digitized"], c["received"]),
        "REUSED_DIGITIZED_DATA": known("reused", "received"),
        "SYNCED_WITH_DVCQG_PERSONAL_STORAGE": known("store", "received"),
        "CITIZEN_DATA_CONNECTED_DOSSIER": known("citizen", "received"),
        # Read by _catalog_counts: the formality indicator is computable only with such facts.
        "_citizen_known": c["citizen_known"],
    }


def _rollup_rows(scope: Scope, procedure: str | None):
    """The scope's rollup rows (``procedure``: of that procedure's versions), filtered by
    sub-queries only, so that :func:`before_sums` stays an index-only scan."""
    rows = Rollup.objects.filter(scope.dossier_q())
    if procedure:
        versions = ProcedureVersion.objects.filter(procedure__code=procedure).values("pk")
        rows = rows.filter(procedure_version__in=versions)
    return rows


def _rollup_dossier_counts(
    scope: Scope, period: Period, profile: Profile, procedure: str | None
) -> tuple[dict, dict[str, set[int]]]:
    """The same counts as :func:`_dossier_counts`, summed from the rollup rows, and the
    procedures with an online / paid / synced / citizen-data dossier received in the period
    (for the catalogue counts): one query over the period's rows grouped by procedure, and the
    "open at the end" history of :func:`before_sums`."""
    first, end = period.first, period.last + dt.timedelta(days=1)
    rows = _rollup_rows(scope, procedure)
    inside_sums, _, set_sums = rollup_columns(profile)
    agg = {f"s_{k}": Sum(col) for k, col in inside_sums.items()}
    agg.update({f"p_{k}": Sum(col) for k, col in set_sums.items()})
    c = dict.fromkeys(inside_sums, 0)
    sets: dict[str, set[int]] = {k: set() for k in set_sums}
    grouped = rows.filter(rollups.days_q(first, end)).values("procedure_version__procedure_id")
    for row in grouped.annotate(**agg).order_by():
        for k in c:
            c[k] += row[f"s_{k}"] or 0
        for k in sets:
            if row[f"p_{k}"]:
                sets[k].add(row["procedure_version__procedure_id"])
    c.update(before_sums(rows, [end], profile)[end][()])
    return rollup_pairs(c), sets


def rollup_pairs_by_version(scope: Scope, period: Period, profile: Profile) -> dict[int, dict]:
    """The dossier indicator pairs per procedure version (rollups; one query over the period's
    rows grouped by version, and :func:`before_sums` by version): what
    :func:`_rollup_dossier_counts` sums, kept apart for the worst-procedures list."""
    first, end = period.first, period.last + dt.timedelta(days=1)
    rows = _rollup_rows(scope, None)
    inside_sums, before_columns, _ = rollup_columns(profile)
    agg = {f"s_{k}": Sum(col) for k, col in inside_sums.items()}
    inside = {
        r["procedure_version_id"]: {k: r[f"s_{k}"] or 0 for k in inside_sums}
        for r in rows.filter(rollups.days_q(first, end))
        .values("procedure_version_id")
        .annotate(**agg)
        .order_by()
    }
    before = before_sums(rows, [end], profile, group_by=("procedure_version_id",))[end]
    zero_inside, zero_before = dict.fromkeys(inside_sums, 0), dict.fromkeys(before_columns, 0)
    return {
        version: rollup_pairs({**inside.get(version, zero_inside), **before.get((version,), zero_before)})
        for version in inside.keys() | {key[0] for key in before}
    }


# Above this many distinct end months, :func:`before_sums` groups the month rows by month and
# cumulates them in Python (the trend) rather than one filtered sum per end (the ranking).
_FILTERED_ENDS = 4


def before_sums(
    rows, ends: list[dt.date], profile: Profile, group_by: tuple[str, ...] = ()
) -> dict[dt.date, dict[tuple, dict[str, int]]]:
    """The "open at the period end" sums for each of ``ends``: per group key (the values of
    ``group_by``), the sums of the "before" counters of :func:`rollup_columns` over every rollup row of ``rows``
    before the end — the rows of :func:`rollups.days_q` ``(None, end)``.

    Apart from the period's own sums, and in at most two queries whatever the number of ends or
    groups: the month rows before the ends' months, which reference only the day, the grouping
    columns and the before counters, so that PostgreSQL reads them from the partial covering
    index ``indicators_rollup_month_open`` (migration 0004, an index-only scan) rather than the
    whole history of the wide table; and, only for an end inside a month, the day rows of that
    month before it (a few days). ``rows`` must filter by plain columns or ``IN`` sub-queries
    (:func:`_rollup_rows`): a join would read the table. A group with no row before an end is
    absent from that end's map or zero there; without ``group_by``, the only key is ``()``."""
    _, columns, _ = rollup_columns(profile)
    ends = sorted(set(ends))
    out: dict[dt.date, dict[tuple, dict[str, int]]] = {end: {} for end in ends}
    if not ends:
        return out

    def add(end: dt.date, key: tuple, row: dict, tag: str) -> None:
        sums = out[end].setdefault(key, dict.fromkeys(columns, 0))
        for k in columns:
            sums[k] += row[f"{k}{tag}"] or 0

    def grouped(qs, agg: dict):
        if not group_by:
            return [{**qs.aggregate(**agg)}]
        return qs.values(*group_by).annotate(**agg).order_by()

    months = sorted({end.replace(day=1) for end in ends})
    month_rows = rows.filter(grain=Grain.MONTH, day__lt=months[-1])
    if len(months) <= _FILTERED_ENDS:
        agg = {}
        for i, m in enumerate(months):
            within = None if m == months[-1] else Q(day__lt=m)
            agg.update({f"{k}_{i}": Sum(col, filter=within) for k, col in columns.items()})
        for row in grouped(month_rows, agg):
            key = tuple(row[g] for g in group_by)
            for end in ends:
                add(end, key, row, f"_{months.index(end.replace(day=1))}")
    else:
        agg = {f"{k}_": Sum(col) for k, col in columns.items()}
        for row in month_rows.values(*group_by, "day").annotate(**agg).order_by():
            key = tuple(row[g] for g in group_by)
            for end in ends:
                if row["day"] < end.replace(day=1):
                    add(end, key, row, "_")

    partial = [end for end in ends if end.day != 1]
    if partial:
        spans = [Q(day__gte=end.replace(day=1), day__lt=end) for end in partial]
        any_span = Q()
        agg = {}
        for i, span in enumerate(spans):
            any_span |= span
            agg.update({f"{k}_{i}": Sum(col, filter=span) for k, col in columns.items()})
        for row in grouped(rows.filter(any_span, grain=Grain.DAY), agg):
            key = tuple(row[g] for g in group_by)
            for i, end in enumerate(partial):
                add(end, key, row, f"_{i}")
    if not group_by:
        for end in ends:
            out[end].setdefault((), dict.fromkeys(columns, 0))
    return out


def rollup_columns(profile: Profile) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """The rollup counters read for ``profile``: ``(inside, before, sets)``, each a map from a
    count name to a column — summed over the period, summed over every day before its end, and
    the per-procedure flags of the catalogue counts (shared with :mod:`.grouped`)."""
    orig = profile.params["extension_due"] != "current"
    online = "online_e_ok" if profile.params["online_requires_e_result"] else "online"
    inside_sums = {
        "received": "received",
        "synced": "synced",
        "online": online,
        "digitized": "digitized_e_ok",
        "fee": "fee",
        "paid": "paid",
        "finished": "finished",
        "finished_on_time": "fin_on_time_orig" if orig else "fin_on_time",
        "paper_finished": "paper_finished",
        "paper_e_result": "paper_e_result",
        "reused": "reused",
        "reused_known": "reused_known",
        "store": "store",
        "store_known": "store_known",
        "citizen": "citizen",
        "citizen_known": "citizen_known",
        "sat_ok": "sat_ok",
        "sat_known": "sat_known",
    }
    before_sums = {
        "b_received": "received",
        "b_open_stop": "open_stop",
        "b_oot_start": "oot_orig_start" if orig else "oot_start",
        "b_oot_stop": "oot_orig_stop" if orig else "oot_stop",
    }
    set_sums = {"online": "online", "paid": "paid_any", "synced": "synced", "citizen": "citizen"}
    return inside_sums, before_sums, set_sums


def rollup_pairs(c: dict) -> dict:
    """The indicator pairs from the rollup sums of :func:`rollup_columns` (inside and before)."""
    c = {**c, "open": c["b_received"] - c["b_open_stop"], "open_on_time": c["b_oot_start"] - c["b_oot_stop"]}
    return _dossier_pairs(c)


def _versions(period: Period):
    last = period.last
    return ProcedureVersion.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=last),
        Q(procedure__abolished_on__isnull=True) | Q(procedure__abolished_on__gt=last),
        valid_from__lte=last,
    )


def _catalog_counts(
    scope: Scope,
    period: Period,
    procedure: str | None,
    *,
    procedure_sets: dict[str, set[int]] | None = None,
) -> dict:
    """``procedure_sets`` (rollups, DuckDB): the procedure ids with an online / paid online /
    synced / citizen-data dossier received in the period, computed with the dossier counts;
    without it, ``Exists`` sub-queries into the dossiers."""
    versions = _versions(period).filter(scope.version_q())
    if procedure:
        versions = versions.filter(procedure__code=procedure)
    if procedure_sets is not None:
        has = {k: Q(procedure_id__in=sorted(v)) for k, v in procedure_sets.items()}
    else:
        in_period = Dossier.objects.filter(
            scope.dossier_q(),
            received_at__gte=period.start,
            received_at__lt=period.end,
            procedure_version__procedure_id=OuterRef("procedure_id"),
        )
        connected = Q(vneid_verified=True) | Q(population_data=True) | Q(store_components__gt=0)
        has = {
            "online": Q(Exists(in_period.filter(channel=Channel.ONLINE))),
            "paid": Q(Exists(in_period.filter(paid_online=True))),
            "synced": Q(Exists(in_period.filter(synced=True))),
            "citizen": Q(Exists(in_period.filter(connected))),
        }
    online, fee, complete, citizens = (catalog_q()[k] for k in ("online", "fee", "complete", "citizens"))
    c = versions.aggregate(
        tthc=Count("pk"),
        online=Count("pk", filter=online),
        online_used=Count("pk", filter=online & has["online"]),
        fee=Count("pk", filter=fee),
        fee_paid=Count("pk", filter=fee & has["paid"]),
        fee_synced=Count("pk", filter=fee & has["synced"]),
        complete=Count("pk", filter=complete),
        for_citizens=Count("pk", filter=citizens),
        citizens_connected=Count("pk", filter=citizens & has["citizen"]),
    )
    return catalog_pairs(c)


def catalog_q() -> dict[str, Q]:
    """The per-version conditions of the catalogue counts (shared with :mod:`.grouped`)."""
    # 766 indicator 4.5a: TTHC whose target persons are Vietnamese citizens, overseas Vietnamese or
    # foreigners (matched on the published text).
    citizens = (
        Q(target_persons__icontains="công dân")
        | Q(target_persons__icontains="định cư")
        | Q(target_persons__icontains="nước ngoài")
    )
    complete = (
        ~Q(name="")
        & ~Q(steps_text="")
        & ~Q(target_persons="")
        & ~Q(implementing_agency_text="")
        & ~Q(legal_basis="")
        & Q(Exists(Component.objects.filter(case__version_id=OuterRef("pk"))))
        & Q(Exists(ProcedureCase.objects.filter(version_id=OuterRef("pk"), legal_direct_value__isnull=False)))
    )
    online = ~Q(online_level=ProcedureVersion.OnlineLevel.NONE)
    return {"online": online, "fee": Q(fee_bearing=True), "complete": complete, "citizens": citizens}


def catalog_pairs(c: dict) -> dict:
    return {
        "ONLINE_TTHC": _pair(c["online"], c["tthc"]),
        "ONLINE_SERVICE_USED": _pair(c["online_used"], c["online"]),
        "PAYMENT_TTHC_USED": _pair(c["fee_paid"], c["fee"]),
        "PAYMENT_TTHC_INTEGRATED": _pair(c["fee_synced"], c["fee"]),
        "PUBLIC_CONTENT_FULL": _pair(c["complete"], c["tthc"]),
        "CITIZEN_DATA_CONNECTED_FORMALITY": _pair(c["citizens_connected"], c["for_citizens"]),
    }


def publication_decisions(first: dt.date, last: dt.date, procedure: str | None) -> list[tuple[int, object]]:
    """``(procedure id, decision)`` for the decisions signed in ``[first, last]`` that publish a
    version or abolish a procedure (two queries)."""
    versions = ProcedureVersion.objects.filter(
        decision__signed_on__gte=first, decision__signed_on__lte=last
    ).select_related("decision")
    abolished = Procedure.objects.filter(
        abolished_by__signed_on__gte=first, abolished_by__signed_on__lte=last
    ).select_related("abolished_by")
    if procedure:
        versions = versions.filter(procedure__code=procedure)
        abolished = abolished.filter(code=procedure)
    return [(v.procedure_id, v.decision) for v in versions] + [(p.pk, p.abolished_by) for p in abolished]


def _publication_counts(
    period: Period,
    procedure: str | None,
    *,
    signed: list[tuple[int, object]] | None = None,
    calendar=None,
) -> dict:
    """Per TTHC (one count per period; any late publication makes the period late). ``signed``:
    :func:`publication_decisions` of the period, and ``calendar``, already read."""
    if signed is None:
        signed = publication_decisions(period.first, period.last, procedure)
    decisions: dict[int, list] = {}
    for procedure_id, decision in signed:
        decisions.setdefault(procedure_id, []).append(decision)
    # One calendar for all the dates (PublicationDecision's own methods read it once per call).
    calendar = calendar or get_calendar()
    one = dt.timedelta(days=1)

    def working_days(a: dt.date, b: dt.date) -> int:  # in (a, b], as catalog.models does
        return calendar.working_days_between(a + one, b + one)

    def signed_in_time(d) -> bool | None:
        if not d.basis_effective_on:
            return None
        return working_days(d.signed_on, d.basis_effective_on) >= PUBLICATION_LEAD_WORKING_DAYS

    def published_in_time(d) -> bool:
        return d.published_on is not None and (
            working_days(d.signed_on, d.published_on) <= PUBLICATION_UPLOAD_WORKING_DAYS
        )

    signed_ok = signed_judged = public_ok = 0
    for decs in decisions.values():
        judged = [signed_in_time(d) for d in decs]
        if all(j is not None for j in judged):
            signed_judged += 1
            signed_ok += all(judged)
        public_ok += all(published_in_time(d) for d in decs)
    return {
        "PUBLISH_ON_TIME": _pair(signed_ok, signed_judged),
        "PUBLIC_UPDATE_ON_TIME": _pair(public_ok, len(decisions)),
    }


def indicator_counts(
    scope: Scope, period: Period, profile: Profile | None = None, *, procedure: str | None = None
) -> dict:
    """Numerator and denominator of every indicator of ``profile`` for ``scope`` and ``period``
    (``procedure``: drill down to one procedure code). Missing fact sources are ``None``."""
    profile = profile or get_profile()
    # The rollups (rebuilt by the migration that creates them, then kept up to date with each
    # action) unless a caller asks for the facts: rollups.use_source("facts").
    from_rollups = rollups.current_source() != "facts"
    if from_rollups:
        dossier_counts, sets = _rollup_dossier_counts(scope, period, profile, procedure)
        return assemble_counts(scope, period, procedure, dossier_counts, procedure_sets=sets)
    return assemble_counts(scope, period, procedure, _dossier_counts(scope, period, profile, procedure))


def assemble_counts(
    scope: Scope,
    period: Period,
    procedure: str | None,
    dossier_counts: dict,
    *,
    procedure_sets: dict[str, set[int]] | None = None,
    catalog: dict | None = None,
    publication: dict | None = None,
) -> dict:
    """The dossier pairs (from facts, rollups or DuckDB) plus the catalog and publication counts
    (``catalog``/``publication``: already computed, by :mod:`.grouped`)."""
    counts: dict = {code: None for code in MISSING_SOURCES}
    counts.update(dossier_counts)
    citizen_known = counts.pop("_citizen_known")
    if catalog is None:
        catalog = _catalog_counts(scope, period, procedure, procedure_sets=procedure_sets)
    catalog = dict(catalog)
    if not citizen_known:  # no dossier records the fact: not computable, not 0
        catalog["CITIZEN_DATA_CONNECTED_FORMALITY"] = _pair(
            None, catalog["CITIZEN_DATA_CONNECTED_FORMALITY"]["denominator"]
        )
    counts.update(catalog)
    if scope.kind == PROVINCE:
        counts.update(publication if publication is not None else _publication_counts(period, procedure))
    return counts


def indicator_report(
    scope: Scope, period: Period | str, profile: Profile | str | None = None, *, procedure: str | None = None
) -> dict:
    """The report of :func:`motcua.indicators.engine.compute_report` for a scope and period."""
    if isinstance(period, str):
        period = parse_period(period)
    if profile is None or isinstance(profile, str):
        profile = get_profile(profile or "dvcqg-2026")
    counts = indicator_counts(scope, period, profile, procedure=procedure)
    return report_from_counts(scope, period, profile, counts, procedure=procedure)


def report_from_counts(
    scope: Scope, period: Period, profile: Profile, counts: dict, *, procedure: str | None = None
) -> dict:
    """The scoring of :func:`indicator_report`, for counts already assembled (:mod:`.grouped`)."""
    report = engine.compute_report(
        profile, counts, unit=scope.label, period=period.label, scope_kind=scope.kind
    )
    if procedure:
        report["procedure"] = procedure
    return report


def compare_same_period(
    scope: Scope, period: Period | str, profile: Profile | str | None = None, *, procedure: str | None = None
) -> dict:
    """Cùng kỳ: this period against the same period a year earlier, with the change in points."""
    if isinstance(period, str):
        period = parse_period(period)
    current = indicator_report(scope, period, profile, procedure=procedure)
    previous = indicator_report(scope, period.previous_year(), profile, procedure=procedure)
    return engine.compare_reports(current, previous)


def rank_units(scopes: list[Scope], period: Period | str, profile: Profile | str | None = None) -> list[dict]:
    """Units ranked by ``total / max_total`` (the share of the points they could be scored on),
    then by total; units with nothing computable come last. A handful of grouped queries for all
    the units together (:func:`.grouped.scope_reports`), whatever their number."""
    from .grouped import scope_reports

    if isinstance(period, str):
        period = parse_period(period)
    if profile is None or isinstance(profile, str):
        profile = get_profile(profile or "dvcqg-2026")
    return ranking_rows(scopes, scope_reports(scopes, period, profile))


def ranking_rows(scopes: list[Scope], reports: list[dict]) -> list[dict]:
    """The ranking of :func:`rank_units` from one report per scope (in the same order)."""
    rows = []
    for scope, r in zip(scopes, reports, strict=True):
        share = r["total"] / r["max_total"] if r["total"] is not None and r["max_total"] else None
        rows.append(
            {
                "unit": scope.label,
                "name": scope.agency.name if scope.agency else "Toàn tỉnh",
                "total": r["total"],
                "max_total": r["max_total"],
                "share": None if share is None else round(share, 4),
                "not_computable": r["not_computable"],
            }
        )
    rows.sort(key=lambda x: (x["share"] is None, -(x["share"] or 0), -(x["total"] or 0), x["unit"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank if row["share"] is not None else None
    return rows


__all__ = [
    "AGENCY",
    "COMMUNE",
    "ONE_STOP",
    "PROVINCE",
    "PROVINCE_SCOPE",
    "Scope",
    "ScopeError",
    "compare_same_period",
    "indicator_counts",
    "indicator_report",
    "rank_units",
    "resolve_scope",
]
