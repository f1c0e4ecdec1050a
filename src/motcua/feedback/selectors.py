"""Reads of the feedback app, with authorization compiled into the query (design §3.10), and the
counts the 766 satisfaction indicators need (tthc-spec §1.3 group 4)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import staff_subtree_sql  # the officer's unit subtree, one CTE
from motcua.worktime.engine import TZ

from .models import OPEN_PETITION_STATUSES, Evaluation, Petition, PetitionStatus


def _today() -> dt.date:
    return timezone.now().astimezone(TZ).date()


# ---------------------------------------------------------------------------------------------
# Petitions for staff
# ---------------------------------------------------------------------------------------------


def petitions_visible_to(user, *, on: dt.date | None = None) -> QuerySet[Petition]:
    """Petitions of the units in the subtree of a unit ``user`` is assigned to on ``on`` (any
    role): the responsible unit, or the dossier's receiving unit or resolving agency. One query."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Petition.objects.none()
    on = on or _today()
    subtree = staff_subtree_sql(user.pk, on)
    where = (
        Q(unit_id__in=subtree)
        | Q(dossier__receiving_unit_id__in=staff_subtree_sql(user.pk, on))
        | Q(dossier__resolving_agency_id__in=staff_subtree_sql(user.pk, on))
    )
    return Petition.objects.filter(where)


def overdue_petition_q(now: dt.datetime) -> Q:
    """Open past the deadline, or answered after it."""
    return Q(status__in=OPEN_PETITION_STATUSES, due_at__lt=now) | Q(answered_on_time=False)


def petition_list(user, *, status: str = "", overdue: bool = False, now: dt.datetime | None = None):
    """The staff list: visible petitions, open ones first by deadline, then the rest newest first."""
    qs = petitions_visible_to(user).select_related("unit", "dossier", "procedure")
    if status in PetitionStatus.values:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(overdue_petition_q(now or timezone.now()))
    return qs.order_by("status", "due_at", "-id")


def petition_for_staff(user, code: str) -> Petition | None:
    return (
        petitions_visible_to(user)
        .select_related("unit", "dossier", "procedure", "user", "handler")
        .filter(code=code)
        .first()
    )


# ---------------------------------------------------------------------------------------------
# Public status of a petition
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PublicPetition:
    """What the public status page shows: no content, no name, no contact data."""

    code: str
    category: str
    status: str
    status_label: str
    unit: str
    received_at: dt.datetime
    due_at: dt.datetime
    answered_at: dt.datetime | None
    answer: str
    overdue: bool


def petition_public(code: str, *, now: dt.datetime | None = None) -> PublicPetition | None:
    code = "".join((code or "").split()).upper()
    p = Petition.objects.select_related("unit").filter(code=code).first() if code else None
    if p is None:
        return None
    return PublicPetition(
        code=p.code,
        category=p.get_category_display(),
        status=p.status,
        status_label=p.get_status_display(),
        unit=p.unit.name,
        received_at=p.received_at,
        due_at=p.due_at,
        answered_at=p.answered_at,
        answer=p.answer,
        overdue=p.is_overdue(now or timezone.now()),
    )


# ---------------------------------------------------------------------------------------------
# For the 766 satisfaction indicators (group 4)
# ---------------------------------------------------------------------------------------------


def dossier_dissatisfied_q() -> Q:
    """On ``Dossier``: rated "not satisfied", or with a PAKN about it (indicator 5.4 subtracts
    these, with the late ones, from the finished dossiers)."""
    return Q(Exists(Evaluation.objects.filter(dossier_id=OuterRef("pk"), satisfied=False))) | Q(
        Exists(Petition.objects.filter(dossier_id=OuterRef("pk")))
    )


def petition_counts(
    *, unit_ids: QuerySet | None, start: dt.datetime, end: dt.datetime, now: dt.datetime | None = None
) -> dict[str, dict[str, int]]:
    """Numerator and denominator of 766 indicators 5.2 and 5.3 for petitions of the units
    ``unit_ids`` (a values("pk") queryset; None = the whole province) in ``[start, end)``.

    * 5.2 PETITION_PROCESSING_ON_TIME: answered on time ÷ petitions received or answered in the
      period; an open one past its deadline at the period end counts as late.
    * 5.3 PETITION_HANDLING_SATISFACTION: petitions received in the period − those disliked or
      overdue ÷ petitions received in the period.
    One aggregate query.
    """
    qs = Petition.objects.all() if unit_ids is None else Petition.objects.filter(unit_id__in=unit_ids)
    received = Q(received_at__gte=start, received_at__lt=end)
    answered = Q(answered_at__gte=start, answered_at__lt=end)
    overdue = Q(answered_on_time=False) | Q(answered_at__isnull=True, due_at__lt=min(end, now or end))
    c = qs.aggregate(
        handled=Count("pk", filter=received | answered),
        on_time=Count("pk", filter=(received | answered) & Q(answered_on_time=True)),
        first=Count("pk", filter=received),
        bad=Count("pk", filter=received & (Q(answer_satisfied=False) | overdue)),
    )
    return {
        "PETITION_PROCESSING_ON_TIME": {"numerator": c["on_time"], "denominator": c["handled"]},
        "PETITION_HANDLING_SATISFACTION": {"numerator": c["first"] - c["bad"], "denominator": c["first"]},
    }


def dossier_satisfaction_counts(dossiers: QuerySet[Dossier]) -> dict[str, int]:
    """Among ``dossiers`` (already filtered to the finished ones of a scope and period): how many
    were evaluated, rated not satisfied, and have a PAKN. One aggregate query."""
    return dossiers.aggregate(
        evaluated=Count("pk", filter=Q(evaluated=True)),
        not_satisfied=Count("pk", filter=Q(evaluation__satisfied=False)),
        with_petition=Count("pk", filter=Q(Exists(Petition.objects.filter(dossier_id=OuterRef("pk"))))),
    )
