"""Who may read the 766 dashboard, its exports and the indicators API, and for which scopes.

Leaders only (issue 6 point 4): a province leader (lãnh đạo tỉnh), a unit leader (lãnh đạo đơn
vị) and a TTHC control officer (cán bộ kiểm soát TTHC). A province leader, and a TTHC control
officer of a province-level body (the control office of the provincial People's Committee,
Decree 63/2010 Art. 33), see the province and every unit; a unit leader, or a TTHC control
officer of a commune, sees the unit of the assignment and the units under it. Everybody else is
refused (403).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from motcua.org.models import AdministrativeUnit, Agency, StaffAssignment
from motcua.org.selectors import agencies_in_subtree, staff_roles

from .profiles import PROVINCE
from .selectors import PROVINCE_SCOPE, Scope, resolve_scope

Role = StaffAssignment.Role
LEADER_ROLES = frozenset({Role.PROVINCE_LEADER, Role.UNIT_LEADER, Role.TTHC_CONTROL})

# Agencies offered as scopes: departments, People's Committees (communes) and one-stop units.
SCOPE_KINDS = (Agency.Kind.DEPARTMENT, Agency.Kind.PEOPLES_COMMITTEE, Agency.Kind.ONE_STOP)


@dataclass(frozen=True)
class IndicatorAccess:
    """``province``: the whole province and every unit; otherwise ``agency_ids`` (subtrees)."""

    province: bool
    agency_ids: frozenset[int] = frozenset()

    def allows(self, scope: Scope) -> bool:
        if self.province:
            return True
        return scope.kind != PROVINCE and scope.agency is not None and scope.agency.pk in self.agency_ids

    def agency_q(self, prefix: str = "") -> Q:
        return Q() if self.province else Q(**{f"{prefix}pk__in": self.agency_ids})


def _commune_level(agency: Agency) -> bool:
    unit = agency.admin_unit
    return unit is not None and unit.level == AdministrativeUnit.Level.COMMUNE


def indicator_access(user, *, on: dt.date | None = None) -> IndicatorAccess | None:
    """The person's access to the indicators, or ``None`` (not a leader): a few queries."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    pairs = [(role, agency) for role, agency in staff_roles(user, on=on) if role in LEADER_ROLES]
    if not pairs:
        return None
    ids: set[int] = set()
    for role, agency in pairs:
        if role == Role.PROVINCE_LEADER or (role == Role.TTHC_CONTROL and not _commune_level(agency)):
            return IndicatorAccess(province=True)
        ids.update(agencies_in_subtree(agency).values_list("pk", flat=True))
    return IndicatorAccess(province=False, agency_ids=frozenset(ids))


def scope_agencies(access: IndicatorAccess, *, on: dt.date | None = None) -> list[Agency]:
    """Agencies offered in the scope picker, in force on ``on`` (default today): departments,
    People's Committees below the province and one-stop units (not their reception points)."""
    on = on or timezone.localdate()
    qs = (
        Agency.objects.valid_on(on)
        .filter(kind__in=SCOPE_KINDS)
        # The province's own People's Committee is the "province" scope.
        .exclude(
            Q(kind=Agency.Kind.PEOPLES_COMMITTEE, parent__isnull=True)
            & ~Q(admin_unit__level=AdministrativeUnit.Level.COMMUNE)
        )
        .exclude(kind=Agency.Kind.ONE_STOP, parent__kind=Agency.Kind.ONE_STOP)
        .filter(access.agency_q())
        .select_related("admin_unit")
        .order_by("kind", "name")
    )
    return list(qs)


def default_scope(access: IndicatorAccess) -> Scope:
    if access.province:
        return PROVINCE_SCOPE
    agencies = [a for a in scope_agencies(access)]
    # The highest unit of the assignments: the one with no allowed parent.
    top = [a for a in agencies if a.parent_id not in access.agency_ids] or agencies
    if not top:
        raise LookupError("Không có đơn vị nào trong phạm vi được xem.")
    return resolve_scope(top[0].ident_code)


def ranking_scopes(scope: Scope, access: IndicatorAccess, *, on: dt.date | None = None) -> list[Scope]:
    """The units ranked under ``scope``: for the province its departments and communes; for a
    unit, the departments, People's Committees and one-stop units of its subtree (itself left out)."""
    agencies = scope_agencies(access, on=on)
    if scope.kind == PROVINCE:
        chosen = [
            a
            for a in agencies
            if a.kind == Agency.Kind.DEPARTMENT
            or (a.kind == Agency.Kind.PEOPLES_COMMITTEE and _commune_level(a))
        ]
    else:
        subtree = set(agencies_in_subtree(scope.agency).values_list("pk", flat=True))
        chosen = [a for a in agencies if a.pk in subtree and a.pk != scope.agency.pk]
    return [resolve_scope_for(a) for a in chosen]


def resolve_scope_for(agency: Agency) -> Scope:
    """:func:`selectors.resolve_scope` without a query for an agency already read."""
    from .profiles import AGENCY, COMMUNE, ONE_STOP

    if agency.kind == Agency.Kind.ONE_STOP:
        kind = ONE_STOP
    elif agency.kind == Agency.Kind.PEOPLES_COMMITTEE and _commune_level(agency):
        kind = COMMUNE
    else:
        kind = AGENCY
    return Scope(kind, agency.ident_code, agency)
