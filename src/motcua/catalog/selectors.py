"""Reads from the catalog."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet

from motcua.org.models import AdministrativeUnit, Agency

from .limits import Limit, cut_percent
from .models import Field, ProcedureCase, ProcedureVersion, PublicationDecision
from .text import fold

CUT_BANDS = (
    ("0–20%", Decimal(0), Decimal(20)),
    ("20–50%", Decimal(20), Decimal(50)),
    ("50–80%", Decimal(50), Decimal(80)),
    ("≥80%", Decimal(80), None),
)


def current_versions(
    *, level: str | None = None, field: Field | str | None = None
) -> QuerySet[ProcedureVersion]:
    """Versions in force (valid_to empty) of procedures not abolished, optionally by level and field.

    ``field`` is a Field or its code.
    """
    qs = ProcedureVersion.objects.filter(valid_to__isnull=True, procedure__abolished_on__isnull=True)
    if level:
        qs = qs.filter(level=level)
    if field is not None:
        qs = qs.filter(field=field) if isinstance(field, Field) else qs.filter(field__code=field)
    return qs.select_related("procedure", "field").order_by("procedure__code")


def versions_on(date: dt.date) -> QuerySet[ProcedureVersion]:
    """Versions in force on ``date`` (for dossiers received that day)."""
    return ProcedureVersion.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=date), valid_from__lte=date
    ).select_related("procedure", "field")


def search_procedures(query: str, *, level: str | None = None) -> QuerySet[ProcedureVersion]:
    """Current versions whose code or name contains every word of ``query``, ignoring diacritics."""
    qs = current_versions(level=level)
    for word in fold(query).split():
        qs = qs.filter(search_text__contains=word)
    return qs


def case_limits(case: ProcedureCase, channel: str = "direct") -> tuple[Limit, Limit]:
    """(legal, applied) limits of ``case`` for ``channel`` ("direct" or "online"), each (value, unit)."""
    return case.limits(channel)


def resolving_agency_candidates(
    version: ProcedureVersion, *, admin_unit: AdministrativeUnit | None = None
) -> QuerySet[Agency]:
    """Agencies that may resolve a dossier of ``version``.

    For commune-level procedures given to "the commune concerned", the People's Committee (or the
    police) of ``admin_unit`` (every current commune one when no unit is given); otherwise the
    agencies named on the version.
    """
    current = Q(valid_to__isnull=True)
    if version.competent_at_commune:
        if version.competent_agency_kind == ProcedureVersion.CompetentKind.POLICE:
            kind = Q(kind=Agency.Kind.VERTICAL) & (
                Q(name__icontains="công an") | Q(short_name__icontains="công an")
            )
        else:
            kind = Q(kind=Agency.Kind.PEOPLES_COMMITTEE)
        where = Q(admin_unit=admin_unit) if admin_unit is not None else Q(admin_unit__level=3)
        return Agency.objects.filter(current & kind & where).order_by("ident_code")
    # As version.agencies.filter(current) (the same join), by id, so that a compiled form of this
    # query can bind the version (dossiers.selectors.first_resolving_agency).
    return Agency.objects.filter(current, procedure_versions=version.pk).order_by("ident_code")


def cut_statistics() -> dict:
    """Procedures in force, how many have a cut limit on any case and channel, and the cut bands.

    Each procedure counts once, with its largest comparable cut (the Cà Mau reports count
    procedures, e.g. "1,499 of 2,008 TTHC cut, 392 by 20–80%").
    """
    versions = current_versions().prefetch_related(
        Prefetch("cases", queryset=ProcedureCase.objects.order_by("order"))
    )
    total = cut = 0
    bands = {label: 0 for label, _, _ in CUT_BANDS}
    for version in versions:
        total += 1
        best = None
        for case in version.cases.all():
            for channel in ("direct", "online"):
                legal, applied = case.limits(channel)
                pct = cut_percent(legal, applied)
                if pct is not None and pct > 0 and (best is None or pct > best):
                    best = pct
        if best is None:
            continue
        cut += 1
        for label, low, high in CUT_BANDS:
            if best >= low and (high is None or best < high):
                bands[label] += 1
                break
    return {
        "procedures": total,
        "cut": cut,
        "cut_share": round(cut / total * 100, 1) if total else 0.0,
        "bands": bands,
        "cut_20_80": bands["20–50%"] + bands["50–80%"],
    }


def publication_statistics() -> dict:
    """QĐCB signed and made public on time (Decree 63/2010 Arts. 15 and 24(2))."""
    decisions = list(PublicationDecision.objects.all())
    judged = [d.is_on_time for d in decisions if d.is_on_time is not None]
    on_time = sum(1 for ok in judged if ok)
    return {
        "decisions": len(decisions),
        "judged": len(judged),
        "on_time": on_time,
        "on_time_share": round(on_time / len(judged) * 100, 1) if judged else 0.0,
    }
