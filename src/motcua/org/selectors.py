"""Reads for the organisation app. Each selector costs one query, or a small bounded number."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from motcua.org.models import AdministrativeUnit, Agency, StaffAssignment, UnitSuccession

# Successions are at most a few hops deep (2023 commune → 2025 commune); the bound only guards
# against a cycle entered by hand in the admin.
MAX_SUCCESSION_HOPS = 10


class AmbiguousSuccessionError(LookupError):
    """An old unit was split: it has several current successors and no single answer exists."""

    def __init__(self, unit: AdministrativeUnit, candidates: list[AdministrativeUnit]):
        self.unit = unit
        self.candidates = candidates
        names = ", ".join(c.name for c in candidates)
        super().__init__(f"{unit.name} ({unit.code}) đã được chia cho nhiều đơn vị: {names}.")


def _today() -> dt.date:
    return timezone.localdate()


def _province_code(code: int | str) -> str:
    return f"{int(code):02d}"


# --- Administrative units ------------------------------------------------------------------


def unit_on(code: str, *, on: dt.date | None = None) -> AdministrativeUnit | None:
    """The version of the unit with this GSO code that was valid on ``on`` (default today)."""
    return (
        AdministrativeUnit.objects.valid_on(on or _today()).filter(code=code).order_by("-valid_from").first()
    )


def current_successors(unit: AdministrativeUnit, *, on: dt.date | None = None) -> list[AdministrativeUnit]:
    """The units valid on ``on`` (default today) that ``unit`` became, following succession links.

    A unit still valid on that date is its own answer. Split units give several answers (see
    ``UnitSuccession.is_partial``); a unit with no link gives none. One query per hop.
    """
    on = on or _today()
    if unit.is_valid_on(on):
        return [unit]
    found: dict[int, AdministrativeUnit] = {}
    frontier, seen = {unit.pk}, {unit.pk}
    for _ in range(MAX_SUCCESSION_HOPS):
        if not frontier:
            break
        links = UnitSuccession.objects.filter(
            predecessor_id__in=frontier, effective_date__lte=on
        ).select_related("successor")
        frontier = set()
        for link in links:
            successor = link.successor
            if successor.is_valid_on(on):
                found[successor.pk] = successor
            elif successor.pk not in seen:
                frontier.add(successor.pk)
            seen.add(successor.pk)
    return sorted(found.values(), key=lambda u: (u.level, u.code))


def resolve_current_unit(
    code: str, *, on: dt.date | None = None, today: dt.date | None = None
) -> AdministrativeUnit | None:
    """Which unit is a code written on ``on`` (e.g. on a 2024 dossier) today?

    Finds the version of ``code`` valid on ``on`` (default: today) and follows its successions to
    ``today``. Returns ``None`` for an unknown code or one with no successor, and raises
    ``AmbiguousSuccessionError`` when the old unit was split between several current units:
    use ``current_successors`` to list them.
    """
    today = today or _today()
    unit = unit_on(code, on=on or today)
    if unit is None:
        return None
    successors = current_successors(unit, on=today)
    if len(successors) > 1:
        raise AmbiguousSuccessionError(unit, successors)
    return successors[0] if successors else None


def commune_units(
    province_code: int | str = 96, *, on: dt.date | None = None
) -> QuerySet[AdministrativeUnit]:
    """Commune-level units (xã, phường, đặc khu) of a province valid on ``on`` (default today)."""
    on = on or _today()
    provinces = AdministrativeUnit.objects.valid_on(on).filter(
        code=_province_code(province_code), level=AdministrativeUnit.Level.PROVINCE
    )
    return (
        AdministrativeUnit.objects.valid_on(on)
        .filter(level=AdministrativeUnit.Level.COMMUNE)
        .filter(Q(parent__in=provinces) | Q(parent__parent__in=provinces))
        .order_by("code")
    )


# --- Agencies ------------------------------------------------------------------------------


def agencies_in_subtree(agency: Agency, *, include_self: bool = True) -> QuerySet[Agency]:
    """The agency and everything under it (one query: a recursive CTE inside ``IN``)."""
    table = Agency._meta.db_table
    sql = (
        f'WITH RECURSIVE subtree(id) AS (SELECT id FROM "{table}" WHERE id = %s '
        f'UNION SELECT a.id FROM "{table}" a JOIN subtree s ON a.parent_id = s.id) SELECT id FROM subtree'
    )
    qs = Agency.objects.filter(pk__in=RawSQL(sql, [agency.pk])).select_related("parent", "admin_unit")
    if not include_self:
        qs = qs.exclude(pk=agency.pk)
    return qs.order_by("ident_code")


def one_stop_units(province_code: int | str = 96, *, on: dt.date | None = None) -> QuerySet[Agency]:
    """One-stop units (TTPVHCC of the province and of each commune, their reception points) of a province."""
    on = on or _today()
    code = _province_code(province_code)
    in_province = Q(admin_unit__code=code, admin_unit__level=AdministrativeUnit.Level.PROVINCE) | Q(
        admin_unit__parent__code=code, admin_unit__parent__level=AdministrativeUnit.Level.PROVINCE
    )
    units = AdministrativeUnit.objects.valid_on(on)
    return (
        Agency.objects.valid_on(on)
        .filter(kind=Agency.Kind.ONE_STOP, admin_unit__in=units)
        .filter(in_province)
        .select_related("admin_unit", "parent")
        .order_by("ident_code")
    )


def peoples_committee_for(admin_unit: AdministrativeUnit, *, on: dt.date | None = None) -> Agency | None:
    """The People's Committee (UBND) of an administrative unit, valid on ``on`` (default today)."""
    return (
        Agency.objects.valid_on(on or _today())
        .filter(admin_unit=admin_unit, kind=Agency.Kind.PEOPLES_COMMITTEE)
        .order_by("-valid_from")
        .first()
    )


def agency_by_short_name(name: str, *, on: dt.date | None = None) -> Agency:
    """A province-level body by its short name ("Sở Tư pháp"); raises ``Agency.DoesNotExist``.

    Short names are unique among agencies valid on one date in the demo data; if several match,
    the one closest to the province (fewest ancestors) and then by code wins.
    """
    matches = list(
        Agency.objects.valid_on(on or _today())
        .filter(short_name=name)
        .select_related("parent__parent")
        .order_by("ident_code")
    )
    if not matches:
        raise Agency.DoesNotExist(f"Không tìm thấy cơ quan có tên ngắn {name!r}.")

    def depth(a: Agency) -> int:
        return 0 if a.parent_id is None else 1 if a.parent.parent_id is None else 2

    return min(matches, key=depth)


# --- Staff ---------------------------------------------------------------------------------


def staff_roles(user: Any, *, on: dt.date | None = None) -> list[tuple[str, Agency]]:
    """(role, agency) pairs of a person's assignments valid on ``on`` (default today); one query."""
    on = on or _today()
    assignments = (
        StaffAssignment.objects.valid_on(on)
        .filter(user=user)
        .filter(Q(agency__valid_from__isnull=True) | Q(agency__valid_from__lte=on))
        .filter(Q(agency__valid_to__isnull=True) | Q(agency__valid_to__gt=on))
        .select_related("agency")
        .order_by("role", "agency__ident_code")
    )
    return [(a.role, a.agency) for a in assignments]
