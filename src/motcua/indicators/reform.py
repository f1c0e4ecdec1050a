"""Reform statistics of the TTHC report that are not Decision 766 indicators (issue 6 point 3).

* **Cut time limits** (cắt giảm thời hạn giải quyết, tthc-spec §4.5 and §9: "1,499 of 2,008 TTHC
  with cut time, 392 cut by 20–80%"): among the TTHC in force on a day (one per procedure, its
  version in force), those whose applied time limit is shorter than the legal one in at least one
  case, for direct or online submission. A TTHC's cut percentage is the largest of its cases and
  channels (``ProcedureCase.limits`` and ``catalog.limits.cut_percent``: ``1 − applied/legal``);
  limits in units that cannot be compared (calendar days against working days) are counted
  apart as ``not_comparable`` and never as cut.
* **Publication decisions** (quyết định công bố, QĐCB): the decisions signed in a period, by kind,
  and the on-time rates of Decree 63/2010 Art. 15 (signed ≥ 5 working days before the legal basis
  takes effect) and Art. 24(2) (made public ≤ 5 working days after signature), counted per
  decision; a decision is on time when both hold. A date that is not known leaves the decision
  out of the rate's denominator (``unknown``), never counted as late.

Scopes: the province, or a unit — TTHC within its competence (``Scope.version_q``, the same rule
as the 766 TTHC denominators) and decisions issued by an agency of its subtree.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.utils import timezone

from motcua.catalog.limits import cut_percent
from motcua.catalog.models import (
    PUBLICATION_LEAD_WORKING_DAYS,
    PUBLICATION_UPLOAD_WORKING_DAYS,
    ProcedureCase,
    ProcedureVersion,
    PublicationDecision,
)
from motcua.org.selectors import agencies_in_subtree
from motcua.worktime.selectors import get_calendar

from .periods import Period
from .profiles import PROVINCE
from .selectors import PROVINCE_SCOPE, Scope

# Bands of the cut percentage: [low, high), the last one closed (a cut of 100% is impossible:
# an applied limit is > 0).
BANDS: tuple[tuple[str, str, Decimal, Decimal], ...] = (
    ("lt20", "Dưới 20%", Decimal(0), Decimal(20)),
    ("20_50", "Từ 20% đến dưới 50%", Decimal(20), Decimal(50)),
    ("50_80", "Từ 50% đến 80%", Decimal(50), Decimal(80)),
    ("gt80", "Trên 80%", Decimal(80), Decimal(100)),
)
# The report's headline band: "cut by 20–80%" (both ends included).
HEADLINE_LOW, HEADLINE_HIGH = Decimal(20), Decimal(80)


def _band(pct: Decimal) -> str:
    if pct < 20:
        return "lt20"
    if pct < 50:
        return "20_50"
    return "50_80" if pct <= 80 else "gt80"


def case_cut(case: ProcedureCase) -> tuple[Decimal | None, bool]:
    """(the largest cut percentage of the case's direct and online limits, or None when no limit
    is cut; whether some applied limit could not be compared with the legal one)."""
    best: Decimal | None = None
    not_comparable = False
    for channel in ("direct", "online"):
        legal, applied = case.limits(channel)
        if legal is None or applied is None or legal == applied:
            continue
        pct = cut_percent(legal, applied)
        if pct is None:
            not_comparable = True
        elif pct > 0 and (best is None or pct > best):
            best = pct
    return best, not_comparable


def _versions_in_force(scope: Scope, on: dt.date):
    return (
        ProcedureVersion.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=on),
            Q(procedure__abolished_on__isnull=True) | Q(procedure__abolished_on__gt=on),
            valid_from__lte=on,
        )
        .filter(scope.version_q())
        .select_related("procedure")
        .prefetch_related(Prefetch("cases", queryset=ProcedureCase.objects.order_by("order")))
        .order_by("procedure__code")
    )


def procedure_cut_rows(scope: Scope = PROVINCE_SCOPE, *, on: dt.date | None = None) -> list[dict]:
    """One row per TTHC in force on ``on`` (default today): its largest cut and the case that has
    it. Two queries."""
    on = on or timezone.localdate()
    rows = []
    for v in _versions_in_force(scope, on):
        best: Decimal | None = None
        best_case = None
        not_comparable = False
        for case in v.cases.all():
            pct, nc = case_cut(case)
            not_comparable |= nc
            if pct is not None and (best is None or pct > best):
                best, best_case = pct, case
        legal = applied = ""
        if best_case is not None:
            lg, ap = best_case.limits("direct")
            if cut_percent(lg, ap) != best:
                lg, ap = best_case.limits("online")
            legal, applied = str(lg), str(ap)
        rows.append(
            {
                "procedure": v.procedure.code,
                "name": v.name,
                "level": v.get_level_display(),
                "cut_percent": best,
                "band": _band(best) if best is not None else None,
                "case": best_case.name if best_case is not None else "",
                "legal": legal,
                "applied": applied,
                "not_comparable": not_comparable and best is None,
            }
        )
    return rows


def _share(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def procedure_cut_stats(scope: Scope = PROVINCE_SCOPE, *, on: dt.date | None = None, rows=None) -> dict:
    """``{on, scope, tthc, cut, share, not_comparable, cut_20_80, bands: [...]}`` for the TTHC in
    force on ``on`` (``share`` is ``None`` when there is no TTHC, never 0)."""
    on = on or timezone.localdate()
    rows = procedure_cut_rows(scope, on=on) if rows is None else rows
    cut = [r for r in rows if r["cut_percent"] is not None]
    bands = []
    for code, label, low, high in BANDS:
        n = sum(1 for r in cut if r["band"] == code)
        bands.append(
            {
                "code": code,
                "label": label,
                "min": float(low),
                "max": float(high),
                "count": n,
                "share": _share(n, len(cut)),
            }
        )
    return {
        "on": on.isoformat(),
        "scope": scope.label,
        "tthc": len(rows),
        "cut": len(cut),
        "share": _share(len(cut), len(rows)),
        "not_comparable": sum(1 for r in rows if r["not_comparable"]),
        "cut_20_80": sum(1 for r in cut if HEADLINE_LOW <= r["cut_percent"] <= HEADLINE_HIGH),
        "max_cut_percent": float(max(r["cut_percent"] for r in cut)) if cut else None,
        "bands": bands,
    }


def publication_stats(period: Period, scope: Scope = PROVINCE_SCOPE) -> dict:
    """Publication decisions signed in ``period`` (issued in the scope's subtree for a unit) and
    their on-time rates, per decision. Two queries and the working calendar."""
    decisions = PublicationDecision.objects.filter(signed_on__gte=period.first, signed_on__lte=period.last)
    if scope.kind != PROVINCE:
        decisions = decisions.filter(issuer__in=agencies_in_subtree(scope.agency).values("pk"))
    decisions = list(
        decisions.prefetch_related("versions", "abolished_procedures").order_by("signed_on", "number")
    )
    calendar = get_calendar()
    one = dt.timedelta(days=1)

    def working_days(a: dt.date, b: dt.date) -> int:  # in (a, b], as catalog.models counts
        return calendar.working_days_between(a + one, b + one)

    by_kind = {k: 0 for k in PublicationDecision.Kind.values}
    signed_ok = signed_judged = public_ok = public_judged = both_ok = both_judged = unpublished = 0
    rows = []
    for d in decisions:
        by_kind[d.kind] = by_kind.get(d.kind, 0) + 1
        signed = (
            None
            if d.basis_effective_on is None
            else working_days(d.signed_on, d.basis_effective_on) >= PUBLICATION_LEAD_WORKING_DAYS
        )
        public = (
            None
            if d.published_on is None
            else working_days(d.signed_on, d.published_on) <= PUBLICATION_UPLOAD_WORKING_DAYS
        )
        if d.published_on is None:
            unpublished += 1
        if signed is not None:
            signed_judged += 1
            signed_ok += signed
        if public is not None:
            public_judged += 1
            public_ok += public
        if signed is not None and public is not None:
            both_judged += 1
            both_ok += signed and public
        tthc = {v.procedure_id for v in d.versions.all()} | {p.pk for p in d.abolished_procedures.all()}
        rows.append(
            {
                "number": d.number,
                "kind": d.get_kind_display(),
                "signed_on": d.signed_on,
                "basis_effective_on": d.basis_effective_on,
                "published_on": d.published_on,
                "tthc": len(tthc),
                "signed_in_time": signed,
                "published_in_time": public,
                "on_time": None if signed is None or public is None else signed and public,
            }
        )
    return {
        "period": period.label,
        "scope": scope.label,
        "decisions": len(decisions),
        "tthc": sum(r["tthc"] for r in rows),
        "by_kind": by_kind,
        "signed_in_time": signed_ok,
        "signed_judged": signed_judged,
        "signed_rate": _share(signed_ok, signed_judged),
        "published_in_time": public_ok,
        "published_judged": public_judged,
        "published_rate": _share(public_ok, public_judged),
        "not_yet_published": unpublished,
        "on_time": both_ok,
        "on_time_judged": both_judged,
        "on_time_rate": _share(both_ok, both_judged),
        "rows": rows,
    }


def reform_report(scope: Scope, period: Period, *, on: dt.date | None = None) -> dict:
    """Both statistics: the cut limits of the catalogue in force on the period's last day (or
    ``on``), and the publication decisions signed in the period."""
    on = on or min(period.last, timezone.localdate())
    rows = procedure_cut_rows(scope, on=on)
    return {
        "scope": scope.label,
        "period": period.label,
        "cuts": procedure_cut_stats(scope, on=on, rows=rows),
        "cut_rows": rows,
        "publication": publication_stats(period, scope),
    }
