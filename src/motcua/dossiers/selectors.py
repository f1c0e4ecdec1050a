"""Reads of dossiers, with authorization compiled into the query (design §3.10)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from motcua.org.models import Agency, StaffAssignment
from motcua.worktime.engine import TZ

from .lifecycle import allowed_actions
from .models import Dossier, DossierAction


def _staff_subtree_sql(user_id: int, on: dt.date) -> RawSQL:
    """Ids of the agencies a person is assigned to on ``on`` and everything under them."""
    agency, assignment = Agency._meta.db_table, StaffAssignment._meta.db_table
    sql = (
        f'WITH RECURSIVE subtree(id) AS (SELECT agency_id FROM "{assignment}" WHERE user_id = %s '
        f"AND (valid_from IS NULL OR valid_from <= %s) AND (valid_to IS NULL OR valid_to > %s) "
        f'UNION SELECT a.id FROM "{agency}" a JOIN subtree s ON a.parent_id = s.id) SELECT id FROM subtree'
    )
    return RawSQL(sql, [user_id, on, on])


def dossiers_visible_to(user, *, on: dt.date | None = None) -> QuerySet[Dossier]:
    """Dossiers ``user`` may see, as one query: those received or resolved in the subtree of a unit
    the person is assigned to (any role), and the person's own dossiers as applicant."""
    if user is None or not user.is_authenticated:
        return Dossier.objects.none()
    on = on or timezone.now().astimezone(TZ).date()
    where = Q(applicant_user_id=user.pk)
    where |= Q(receiving_unit_id__in=_staff_subtree_sql(user.pk, on))
    where |= Q(resolving_agency_id__in=_staff_subtree_sql(user.pk, on))
    return Dossier.objects.filter(where).select_related("receiving_unit", "resolving_agency", "case")


def dossier_by_code(code: str, *, user=None) -> Dossier | None:
    """A dossier by its code (or temporary reference), restricted to what ``user`` may see."""
    qs = (
        dossiers_visible_to(user)
        if user is not None
        else Dossier.objects.select_related("receiving_unit", "resolving_agency", "case")
    )
    return qs.filter(Q(code=code) | Q(code__isnull=True, temp_reference=code)).first()


def dossier_history(dossier: Dossier) -> QuerySet[DossierAction]:
    """The action log of a dossier in order (Decree 118/2025 Art. 21(3))."""
    return DossierAction.objects.filter(dossier=dossier).select_related("actor", "unit").order_by("at", "id")


def dossier_allowed_actions(dossier: Dossier, roles) -> list[str]:
    return allowed_actions(dossier, roles)
