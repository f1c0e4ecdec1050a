"""Reads of dossiers, with authorization compiled into the query (design §3.10)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from motcua.catalog.models import WorkflowStep
from motcua.org.models import Agency, StaffAssignment
from motcua.worktime.engine import TZ

from .lifecycle import APPLICANT, allowed_actions
from .models import Dossier, DossierAction, Status


def _staff_subtree_sql(user_id: int, on: dt.date) -> RawSQL:
    """Ids of the agencies a person is assigned to on ``on`` and everything under them."""
    agency, assignment = Agency._meta.db_table, StaffAssignment._meta.db_table
    sql = (
        f'WITH RECURSIVE subtree(id) AS (SELECT agency_id FROM "{assignment}" WHERE user_id = %s '
        f"AND (valid_from IS NULL OR valid_from <= %s) AND (valid_to IS NULL OR valid_to > %s) "
        f'UNION SELECT a.id FROM "{agency}" a JOIN subtree s ON a.parent_id = s.id) SELECT id FROM subtree'
    )
    return RawSQL(sql, [user_id, on, on])


def _today() -> dt.date:
    return timezone.now().astimezone(TZ).date()


def dossiers_visible_to(user, *, on: dt.date | None = None) -> QuerySet[Dossier]:
    """Dossiers ``user`` may see, as one query: those received, resolved or at a workflow step
    of an agency in the subtree of a unit the person is assigned to (any role), and the
    person's own dossiers as applicant. The same units as :func:`actor_roles_for`, so whoever
    may act on a dossier may also open it."""
    if user is None or not user.is_authenticated:
        return Dossier.objects.none()
    on = on or _today()
    where = Q(applicant_user_id=user.pk)
    where |= Q(receiving_unit_id__in=_staff_subtree_sql(user.pk, on))
    where |= Q(resolving_agency_id__in=_staff_subtree_sql(user.pk, on))
    where |= Exists(
        WorkflowStep.objects.filter(
            case_id=OuterRef("case_id"),
            order=OuterRef("current_step"),
            agency_id__in=_staff_subtree_sql(user.pk, on),
        )
    )
    return Dossier.objects.filter(where).select_related("receiving_unit", "resolving_agency", "case")


def overdue_q(now: dt.datetime) -> Q:
    """Received, not finished, not waiting for the applicant's supplement, and past the current
    due moment at ``now``."""
    return Q(received_at__isnull=False, finished_at__isnull=True, due_at__isnull=False, due_at__lt=now) & ~Q(
        status=Status.SUPPLEMENT_REQUESTED
    )


def _dossier_agencies_and_ancestors_sql(dossier: Dossier) -> RawSQL:
    """Ids of the dossier's receiving unit, resolving agency and current step's agency, and of
    every agency above them: an assignment to any of these covers the dossier."""
    agency, step = Agency._meta.db_table, WorkflowStep._meta.db_table
    sql = (
        f'WITH RECURSIVE up(id, parent_id) AS (SELECT id, parent_id FROM "{agency}" '
        f'WHERE id IN (%s, %s) OR id IN (SELECT agency_id FROM "{step}" WHERE case_id = %s '
        f'AND "order" = %s AND agency_id IS NOT NULL) '
        f'UNION SELECT a.id, a.parent_id FROM "{agency}" a JOIN up u ON a.id = u.parent_id) '
        "SELECT id FROM up"
    )
    params = [dossier.receiving_unit_id, dossier.resolving_agency_id, dossier.case_id, dossier.current_step]
    return RawSQL(sql, params)


def actor_assignments_for(user, dossier: Dossier, *, on: dt.date | None = None) -> dict[str, Agency]:
    """Staff roles ``user`` holds over ``dossier`` (issue 3 point 6), each with the agency of the
    assignment that grants it: an assignment valid on ``on`` (default today) to an agency whose
    subtree contains the dossier's receiving unit, resolving agency or current step's agency.
    One query."""
    if user is None or not getattr(user, "is_authenticated", False):
        return {}
    on = on or _today()
    assignments = (
        StaffAssignment.objects.valid_on(on)
        .filter(user_id=user.pk, agency_id__in=_dossier_agencies_and_ancestors_sql(dossier))
        .filter(Q(agency__valid_from__isnull=True) | Q(agency__valid_from__lte=on))
        .filter(Q(agency__valid_to__isnull=True) | Q(agency__valid_to__gt=on))
        .select_related("agency")
        .order_by("role", "agency__ident_code")
    )
    found: dict[str, Agency] = {}
    for assignment in assignments:
        found.setdefault(assignment.role, assignment.agency)
    return found


def actor_roles_for(user, dossier: Dossier, *, on: dt.date | None = None) -> set[str]:
    """The lifecycle roles ``user`` may use on ``dossier``: the staff roles of
    :func:`actor_assignments_for`, plus ``applicant`` on the person's own dossier. Empty: the
    person may not act on it at all."""
    roles = set(actor_assignments_for(user, dossier, on=on))
    if user is not None and dossier.applicant_user_id is not None and dossier.applicant_user_id == user.pk:
        roles.add(APPLICANT)
    return roles


def roles_at_unit(user, unit: Agency, *, on: dt.date | None = None) -> set[str]:
    """Staff roles ``user`` holds at ``unit`` or at an agency above it (one query)."""
    on = on or _today()
    table = Agency._meta.db_table
    ancestors = RawSQL(
        f'WITH RECURSIVE up(id, parent_id) AS (SELECT id, parent_id FROM "{table}" WHERE id = %s '
        f'UNION SELECT a.id, a.parent_id FROM "{table}" a JOIN up u ON a.id = u.parent_id) SELECT id FROM up',
        [unit.pk],
    )
    return set(
        StaffAssignment.objects.valid_on(on)
        .filter(user_id=user.pk, agency_id__in=ancestors)
        .values_list("role", flat=True)
    )


def dossier_by_code(code: str, *, user=None) -> Dossier | None:
    """A dossier by its code (or temporary reference), restricted to what ``user`` may see."""
    qs = (
        dossiers_visible_to(user)
        if user is not None
        else Dossier.objects.select_related("receiving_unit", "resolving_agency", "case")
    )
    return (
        qs.filter(Q(code=code) | Q(code__isnull=True, temp_reference=code))
        .select_related("procedure_version__procedure", "address_unit")
        .first()
    )


def dossier_history(dossier: Dossier) -> QuerySet[DossierAction]:
    """The action log of a dossier in order (Decree 118/2025 Art. 21(3))."""
    return DossierAction.objects.filter(dossier=dossier).select_related("actor", "unit").order_by("at", "id")


def dossier_allowed_actions(dossier: Dossier, roles) -> list[str]:
    return allowed_actions(dossier, roles)


# --- counter reception: shared by the API and the back office ------------------------------


def counter_units_for(user, *, on: dt.date | None = None) -> list[Agency]:
    """One-stop units (Bộ phận Một cửa) where ``user`` is a receiving officer on ``on``: the
    units at whose counter the person may receive paper dossiers. One query."""
    from motcua.org.selectors import staff_roles

    receiving = StaffAssignment.Role.RECEIVING_OFFICER.value
    return [a for role, a in staff_roles(user, on=on) if role == receiving and a.kind == Agency.Kind.ONE_STOP]


def resolving_agency_for(version, *, commune=None, fallback_unit=None) -> Agency | None:
    """The competent agency of a dossier of ``version``: for a commune-level procedure the
    People's Committee (or police) of ``commune``, else of ``fallback_unit`` (the applicant's or
    the receiving unit's administrative unit); otherwise the first agency named on the version.
    Whether a commune other than the receiving unit's is allowed (non-boundary reception) is the
    service's rule, not this selector's."""
    from motcua.catalog.selectors import resolving_agency_candidates

    admin_unit = (commune or fallback_unit) if version.competent_at_commune else None
    return resolving_agency_candidates(version, admin_unit=admin_unit).first()
