"""``/org``: administrative units and agencies. Public: the units are law (Resolution
1655/NQ-UBTVQH15) and the agencies with their identifier codes are published (Decision
20/2020/QĐ-TTg), so no authentication."""

import datetime as dt
from typing import Literal

from django.db.models import Q
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from motcua.api.errors import ErrorOut
from motcua.api.pagination import Pagination, Rendered
from motcua.api.schemas import AgencyOut, Text, UnitOut
from motcua.catalog.text import fold
from motcua.org.models import AdministrativeUnit, Agency

router = Router(tags=["org"], auth=None)


class UnitFilters(Schema):
    province: str | None = Field(
        None,
        pattern=r"^\d{1,2}$",
        description="GSO province code (e.g. 96 Cà Mau): the province and its units",
    )
    level: int | None = Field(None, ge=1, le=3, description="1 province, 2 district, 3 commune")
    on: dt.date | None = Field(None, description="Units valid on this date (default: today)")


def _unit(u: AdministrativeUnit) -> dict:
    return {
        "code": u.code,
        "name": u.name,
        "kind": u.kind,
        "level": u.level,
        "parent_code": u.parent.code if u.parent_id else None,
        "valid_from": u.valid_from,
        "valid_to": u.valid_to,
    }


@router.get(
    "/units",
    response={200: list[UnitOut], 422: ErrorOut},
    summary="Administrative units",
    description="Units valid on `on` (default today): since 1/7/2025 provinces and communes; "
    "before, districts too. Ordered by GSO code.",
)
@paginate(Pagination)
def list_units(request, filters: Query[UnitFilters]):
    on = filters.on or timezone.localdate()
    qs = AdministrativeUnit.objects.valid_on(on).select_related("parent")
    if filters.province:
        code = f"{int(filters.province):02d}"
        province = Q(level=AdministrativeUnit.Level.PROVINCE)
        qs = qs.filter(
            (Q(code=code) & province)
            | Q(parent__code=code, parent__level=AdministrativeUnit.Level.PROVINCE)
            | Q(parent__parent__code=code, parent__parent__level=AdministrativeUnit.Level.PROVINCE)
        )
    if filters.level:
        qs = qs.filter(level=filters.level)
    return Rendered(qs.order_by("code", "valid_from"), _unit)


class AgencyFilters(Schema):
    kind: Literal[tuple(Agency.Kind.values)] | None = None  # type: ignore[valid-type]
    q: Text | None = Field(
        None, max_length=200, description="Words in the code, name or short name; diacritics ignored"
    )


def _agency(a: Agency) -> dict:
    return {
        "ident_code": a.ident_code,
        "name": a.name,
        "short_name": a.short_name,
        "kind": a.kind,
        "parent_ident_code": a.parent.ident_code if a.parent_id else None,
        "admin_unit_code": a.admin_unit.code if a.admin_unit_id else None,
        "address": a.address,
        "phone": a.phone,
        "email": a.email,
        "opens_saturday": a.opens_saturday,
    }


@router.get(
    "/agencies",
    response={200: list[AgencyOut], 422: ErrorOut},
    summary="Agencies in force",
    description="Agencies valid today, ordered by identifier code (Decision 20/2020/QĐ-TTg).",
)
@paginate(Pagination)
def list_agencies(request, filters: Query[AgencyFilters]):
    qs = (
        Agency.objects.valid_on(timezone.localdate())
        .select_related("parent", "admin_unit")
        .order_by("ident_code", "valid_from")
    )
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    words = fold(filters.q or "").split()
    if not words:
        return Rendered(qs, _agency)
    # SQLite's LIKE folds ASCII case only, so Vietnamese names are matched in Python: a province
    # has a few hundred agencies, read in one query.
    matches = [a for a in qs if all(w in fold(f"{a.ident_code} {a.name} {a.short_name}") for w in words)]
    return [_agency(a) for a in matches]
