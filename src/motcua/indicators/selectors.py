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
    Value,
)

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

from . import engine
from .periods import Period, parse_period
from .profiles import AGENCY, COMMUNE, ONE_STOP, PROVINCE, Profile, get_profile

# Indicators whose facts no screen or import records yet: not computable (None), never 0.
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
            unit = self.agency.admin_unit_id
            return (
                Q(resolving_agency__in=subtree)
                | Q(resolving_agency__admin_unit_id=unit)
                | Q(receiving_unit__admin_unit_id=unit)
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


def _dossier_counts(scope: Scope, period: Period, profile: Profile, procedure: str | None) -> dict:
    start, end = period.start, period.end
    received = Q(received_at__gte=start, received_at__lt=end)
    finished = Q(received_at__isnull=False, finished_at__gte=start, finished_at__lt=end)
    open_at_end = Q(received_at__isnull=False, received_at__lt=end) & (
        Q(finished_at__isnull=True) | Q(finished_at__gte=end)
    )
    paper = Q(procedure_version__paper_result_required=True)
    e_result_ok = ~paper | Q(e_result=True)

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

    qs = Dossier.objects.filter(scope.dossier_q())
    if procedure:
        qs = qs.filter(procedure_version__procedure__code=procedure)
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
        fee=Count("pk", filter=received & Q(procedure_version__fee_bearing=True)),
        paid=Count("pk", filter=received & Q(procedure_version__fee_bearing=True, paid_online=True)),
        finished=Count("pk", filter=finished),
        finished_on_time=Count("pk", filter=finished & finished_on_time),
        open=Count("pk", filter=open_at_end),
        open_on_time=Count("pk", filter=open_at_end & open_on_time),
        paper_finished=Count("pk", filter=finished & paper),
        paper_e_result=Count("pk", filter=finished & paper & Q(e_result=True)),
    )
    return {
        "DOSSIER_SYNC": _pair(c["synced"], c["received"]),
        "ON_TIME": _pair(c["finished_on_time"] + c["open_on_time"], c["finished"] + c["open"]),
        "ONLINE_DOSSIER": _pair(c["online"], c["received"]),
        "PAYMENT_DOSSIER": _pair(c["paid"], c["fee"]),
        # "− dossiers with a PAKN or a dislike": no evaluation outcome is recorded yet.
        "DOSSIER_RECEIVING_SATISFACTION": _pair(None, c["finished"]),
        "ORIGINAL_RESULT_AVAILABLE": _pair(c["paper_e_result"], c["paper_finished"]),
        "SO_HOA_GIAY_TO_GIAI_QUYET": _pair(c["digitized"], c["received"]),
    }


def _versions(period: Period):
    last = period.last
    return ProcedureVersion.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=last),
        Q(procedure__abolished_on__isnull=True) | Q(procedure__abolished_on__gt=last),
        valid_from__lte=last,
    )


def _catalog_counts(scope: Scope, period: Period, procedure: str | None) -> dict:
    versions = _versions(period).filter(scope.version_q())
    if procedure:
        versions = versions.filter(procedure__code=procedure)
    in_period = Dossier.objects.filter(
        scope.dossier_q(),
        received_at__gte=period.start,
        received_at__lt=period.end,
        procedure_version__procedure_id=OuterRef("procedure_id"),
    )
    online = ~Q(online_level=ProcedureVersion.OnlineLevel.NONE)
    fee = Q(fee_bearing=True)
    complete = (
        ~Q(name="")
        & ~Q(steps_text="")
        & ~Q(target_persons="")
        & ~Q(implementing_agency_text="")
        & ~Q(legal_basis="")
        & Q(Exists(Component.objects.filter(case__version_id=OuterRef("pk"))))
        & Q(Exists(ProcedureCase.objects.filter(version_id=OuterRef("pk"), legal_direct_value__isnull=False)))
    )
    c = versions.aggregate(
        tthc=Count("pk"),
        online=Count("pk", filter=online),
        online_used=Count("pk", filter=online & Q(Exists(in_period.filter(channel=Channel.ONLINE)))),
        fee=Count("pk", filter=fee),
        fee_paid=Count("pk", filter=fee & Q(Exists(in_period.filter(paid_online=True)))),
        fee_synced=Count("pk", filter=fee & Q(Exists(in_period.filter(synced=True)))),
        complete=Count("pk", filter=complete),
    )
    return {
        "ONLINE_TTHC": _pair(c["online"], c["tthc"]),
        "ONLINE_SERVICE_USED": _pair(c["online_used"], c["online"]),
        "PAYMENT_TTHC_USED": _pair(c["fee_paid"], c["fee"]),
        "PAYMENT_TTHC_INTEGRATED": _pair(c["fee_synced"], c["fee"]),
        "PUBLIC_CONTENT_FULL": _pair(c["complete"], c["tthc"]),
    }


def _publication_counts(period: Period, procedure: str | None) -> dict:
    """Per TTHC (one count per period; any late publication makes the period late)."""
    versions = ProcedureVersion.objects.filter(
        decision__signed_on__gte=period.first, decision__signed_on__lte=period.last
    ).select_related("decision")
    abolished = Procedure.objects.filter(
        abolished_by__signed_on__gte=period.first, abolished_by__signed_on__lte=period.last
    ).select_related("abolished_by")
    if procedure:
        versions = versions.filter(procedure__code=procedure)
        abolished = abolished.filter(code=procedure)
    decisions: dict[int, list] = {}
    for v in versions:
        decisions.setdefault(v.procedure_id, []).append(v.decision)
    for p in abolished:
        decisions.setdefault(p.pk, []).append(p.abolished_by)
    # One calendar for all the dates (PublicationDecision's own methods read it once per call).
    calendar = get_calendar()
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
    counts: dict = {code: None for code in MISSING_SOURCES}
    counts.update(_dossier_counts(scope, period, profile, procedure))
    counts.update(_catalog_counts(scope, period, procedure))
    if scope.kind == PROVINCE:
        counts.update(_publication_counts(period, procedure))
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
    then by total; units with nothing computable come last. Two queries per unit."""
    if isinstance(period, str):
        period = parse_period(period)
    if profile is None or isinstance(profile, str):
        profile = get_profile(profile or "dvcqg-2026")
    rows = []
    for scope in scopes:
        r = indicator_report(scope, period, profile)
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
