"""Writes for the organisation app: administrative units, their succession, agencies, staff.

Bulk loaders (``org_load_units``, ``org_load_history``) read trusted reference data (the
``vietnam-provinces`` package, the files in ``org/data/``) and write with bulk operations so that
all 34 provinces load in well under a second; they skip ``full_clean()`` for that reason. Every
other write goes through ``full_clean()``.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from vietnam_provinces import Province, VietNamDivisionType, Ward

from motcua.org.models import AdministrativeUnit, Agency, StaffAssignment, UnitSuccession

DATA_DIR = Path(__file__).resolve().parent / "data"
UNITS_2023_FILE = DATA_DIR / "units_2023_camau_baclieu.csv"
SUCCESSION_2025_FILE = DATA_DIR / "succession_2025_camau.csv"

# Law 72/2025/QH15 and Resolutions 202/2025/QH15, 1655/NQ-UBTVQH15 take effect on 1 July 2025.
REFORM_DATE = dt.date(2025, 7, 1)
CAMAU_PROVINCE_CODE = 96
BACLIEU_PROVINCE_CODE = 95
PROVINCE_MERGER_BASIS = "Nghị quyết 202/2025/QH15"
COMMUNE_MERGER_BASIS = "Nghị quyết 1655/NQ-UBTVQH15"

_KIND_2025 = {
    VietNamDivisionType.TINH: AdministrativeUnit.Kind.PROVINCE,
    VietNamDivisionType.THANH_PHO_TRUNG_UONG: AdministrativeUnit.Kind.CITY,
    VietNamDivisionType.XA: AdministrativeUnit.Kind.COMMUNE,
    VietNamDivisionType.PHUONG: AdministrativeUnit.Kind.WARD,
    VietNamDivisionType.DAC_KHU: AdministrativeUnit.Kind.SPECIAL_ZONE,
}
_UNIT_FIELDS = ("name", "kind", "level", "parent_id", "valid_to")


def province_code(code: int | str) -> str:
    """GSO codes are stored zero-padded: provinces on 2 digits, districts 3, communes 5."""
    return f"{int(code):02d}"


def commune_code(code: int | str) -> str:
    return f"{int(code):05d}"


@dataclass(repr=False)
class LoadCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    by_level: dict[int, int] = field(default_factory=dict)

    def add(self, other: LoadCounts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        for level, n in other.by_level.items():
            self.by_level[level] = self.by_level.get(level, 0) + n

    @property
    def changed(self) -> int:
        return self.created + self.updated

    def __repr__(self) -> str:
        levels = ", ".join(f"cấp {level}: {n}" for level, n in sorted(self.by_level.items()))
        text = f"mới {self.created}, cập nhật {self.updated}, không đổi {self.unchanged}"
        return f"{text} ({levels})" if levels else text

    __str__ = __repr__


def _upsert_units(
    rows: list[dict[str, Any]], *, valid_from: dt.date | None, valid_to: dt.date | None
) -> tuple[LoadCounts, dict[str, AdministrativeUnit]]:
    """Create or update one level of units keyed by (code, valid_from); rows carry ``parent_id``."""
    counts = LoadCounts()
    existing = {
        u.code: u
        for u in AdministrativeUnit.objects.filter(code__in=[r["code"] for r in rows], valid_from=valid_from)
    }
    to_create, to_update = [], []
    for row in rows:
        values = {**row, "valid_to": valid_to}
        unit = existing.get(row["code"])
        if unit is None:
            to_create.append(AdministrativeUnit(valid_from=valid_from, **values))
            continue
        if any(getattr(unit, f) != values[f] for f in _UNIT_FIELDS):
            for f in _UNIT_FIELDS:
                setattr(unit, f, values[f])
            to_update.append(unit)
        else:
            counts.unchanged += 1
    AdministrativeUnit.objects.bulk_create(to_create, batch_size=500)
    AdministrativeUnit.objects.bulk_update(to_update, _UNIT_FIELDS, batch_size=500)
    counts.created, counts.updated = len(to_create), len(to_update)
    if rows:
        counts.by_level[int(rows[0]["level"])] = len(rows)
    # Re-read so that created rows carry their primary keys on every database backend.
    units = {
        u.code: u
        for u in AdministrativeUnit.objects.filter(code__in=[r["code"] for r in rows], valid_from=valid_from)
    }
    return counts, units


@transaction.atomic
def org_load_units(*, province_codes: Iterable[int] | None = (CAMAU_PROVINCE_CODE,)) -> LoadCounts:
    """Load the 2025 two-level units (province → commune) from ``vietnam-provinces``.

    ``province_codes=None`` loads all 34 provinces (3,321 communes). Idempotent: rows are keyed by
    (code, valid_from = 1/7/2025); a second run reports only ``unchanged``.
    """
    if province_codes is None:
        provinces = list(Province.iter_all())
    else:
        provinces = [Province.from_code(int(c)) for c in province_codes]
    wanted = {int(p.code) for p in provinces}

    counts, province_units = _upsert_units(
        [
            {
                "code": province_code(p.code),
                "name": p.name,
                "kind": _KIND_2025[p.division_type],
                "level": AdministrativeUnit.Level.PROVINCE,
                "parent_id": None,
            }
            for p in provinces
        ],
        valid_from=REFORM_DATE,
        valid_to=None,
    )
    ward_rows = [
        {
            "code": commune_code(w.code),
            "name": w.name,
            "kind": _KIND_2025[w.division_type],
            "level": AdministrativeUnit.Level.COMMUNE,
            "parent_id": province_units[province_code(w.province_code)].pk,
        }
        for w in Ward.iter_all()
        if int(w.province_code) in wanted
    ]
    ward_counts, _ = _upsert_units(ward_rows, valid_from=REFORM_DATE, valid_to=None)
    counts.add(ward_counts)
    return counts


def _read_data_csv(path: Path) -> Iterator[dict[str, str]]:
    """A CSV from ``org/data``: ``#`` lines are the header comment (source, licence)."""
    with path.open(encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(line for line in fh if not line.startswith("#"))


def _upsert_successions(links: list[dict[str, Any]]) -> LoadCounts:
    counts = LoadCounts()
    existing = {
        (s.predecessor_id, s.successor_id): s
        for s in UnitSuccession.objects.filter(predecessor_id__in={link["predecessor_id"] for link in links})
    }
    fields = ("effective_date", "legal_basis", "is_partial", "note")
    to_create, to_update = [], []
    for link in links:
        current = existing.get((link["predecessor_id"], link["successor_id"]))
        if current is None:
            to_create.append(UnitSuccession(**link))
        elif any(getattr(current, f) != link[f] for f in fields):
            for f in fields:
                setattr(current, f, link[f])
            to_update.append(current)
        else:
            counts.unchanged += 1
    UnitSuccession.objects.bulk_create(to_create, batch_size=500)
    UnitSuccession.objects.bulk_update(to_update, fields, batch_size=500)
    counts.created, counts.updated = len(to_create), len(to_update)
    return counts


@transaction.atomic
def org_load_history() -> dict[str, LoadCounts]:
    """Load the pre-2025 three-level units of Cà Mau (96) and Bạc Liêu (95) and link them to the
    2025 units of the new Cà Mau.

    Old units are valid until 1/7/2025 (``valid_from`` unknown, left empty). Links:
    both old provinces → new Cà Mau (Resolution 202/2025/QH15); each old commune → the new
    commune(s) it went into (Resolution 1655/NQ-UBTVQH15, file ``succession_2025_camau.csv``);
    each old district → the new communes its communes went into (derived, always partial when
    more than one). Idempotent.
    """
    org_load_units(province_codes=[CAMAU_PROVINCE_CODE])

    rows_by_level: dict[int, list[dict[str, str]]] = defaultdict(list)
    for row in _read_data_csv(UNITS_2023_FILE):
        rows_by_level[int(row["level"])].append(row)

    unit_counts = LoadCounts()
    old_units: dict[str, AdministrativeUnit] = {}
    for level in sorted(rows_by_level):
        level_counts, units = _upsert_units(
            [
                {
                    "code": r["code"],
                    "name": r["name"],
                    "kind": r["kind"],
                    "level": level,
                    "parent_id": old_units[r["parent_code"]].pk if r["parent_code"] else None,
                }
                for r in rows_by_level[level]
            ],
            valid_from=None,
            valid_to=REFORM_DATE,
        )
        unit_counts.add(level_counts)
        old_units.update(units)

    new_units = {
        u.code: u
        for u in AdministrativeUnit.objects.filter(valid_from=REFORM_DATE).filter(
            code__in=[province_code(CAMAU_PROVINCE_CODE)]
        )
        | AdministrativeUnit.objects.filter(
            valid_from=REFORM_DATE,
            parent__code=province_code(CAMAU_PROVINCE_CODE),
            parent__valid_from=REFORM_DATE,
        )
    }
    new_province = new_units[province_code(CAMAU_PROVINCE_CODE)]
    links: list[dict[str, Any]] = [
        {
            "predecessor_id": old_units[province_code(code)].pk,
            "successor_id": new_province.pk,
            "effective_date": REFORM_DATE,
            "legal_basis": PROVINCE_MERGER_BASIS,
            "is_partial": False,
            "note": "Hợp nhất tỉnh Bạc Liêu và tỉnh Cà Mau thành tỉnh Cà Mau.",
        }
        for code in (BACLIEU_PROVINCE_CODE, CAMAU_PROVINCE_CODE)
    ]

    districts_by_id = {u.pk: u for u in old_units.values() if u.level == AdministrativeUnit.Level.DISTRICT}
    district_targets: dict[str, set[str]] = defaultdict(set)
    for row in _read_data_csv(SUCCESSION_2025_FILE):
        old = old_units[row["old_code"]]
        district_targets[districts_by_id[old.parent_id].code].add(row["new_code"])
        inferred = row["change"] == "Suy luận"
        links.append(
            {
                "predecessor_id": old.pk,
                "successor_id": new_units[row["new_code"]].pk,
                "effective_date": REFORM_DATE,
                "legal_basis": "" if inferred else COMMUNE_MERGER_BASIS,
                "is_partial": row["change"] == "Nhập một phần",
                "note": (
                    "Suy luận: đã nhập vào mã 32002 từ 01/01/2025 (danh mục GSO 04/01/2025)."
                    if inferred
                    else row["change"]
                ),
            }
        )

    for district_code, targets in sorted(district_targets.items()):
        for target in sorted(targets):
            links.append(
                {
                    "predecessor_id": old_units[district_code].pk,
                    "successor_id": new_units[target].pk,
                    "effective_date": REFORM_DATE,
                    "legal_basis": "Luật 72/2025/QH15; " + COMMUNE_MERGER_BASIS,
                    "is_partial": len(targets) > 1,
                    "note": "Suy ra từ bảng chuyển đổi cấp xã (cấp huyện chấm dứt hoạt động).",
                }
            )
    return {"units": unit_counts, "successions": _upsert_successions(links)}


# --- Agencies and staff --------------------------------------------------------------------


_AGENCY_FIELDS = {
    "ident_code",
    "name",
    "short_name",
    "kind",
    "parent",
    "admin_unit",
    "working_hours",
    "address",
    "phone",
    "email",
    "opens_saturday",
    "valid_from",
    "valid_to",
    "successor",
}


@transaction.atomic
def agency_create(
    *,
    ident_code: str,
    name: str,
    kind: str,
    short_name: str = "",
    parent: Agency | None = None,
    admin_unit: AdministrativeUnit | None = None,
    address: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    successor: Agency | None = None,
    **extra: Any,
) -> Agency:
    """Create an agency (cơ quan, đơn vị) after validating its QĐ 20/2020 code."""
    unknown = set(extra) - _AGENCY_FIELDS
    if unknown:
        raise TypeError(f"Unknown agency fields: {sorted(unknown)}")
    agency = Agency(
        ident_code=ident_code,
        name=name,
        kind=kind,
        short_name=short_name,
        parent=parent,
        admin_unit=admin_unit,
        address=address,
        valid_from=valid_from,
        valid_to=valid_to,
        successor=successor,
        **extra,
    )
    agency.full_clean()
    agency.save()
    return agency


@transaction.atomic
def agency_update(*, agency: Agency, **changes: Any) -> Agency:
    """Change some fields of an agency; saves only when something changed."""
    unknown = set(changes) - _AGENCY_FIELDS
    if unknown:
        raise TypeError(f"Unknown agency fields: {sorted(unknown)}")
    dirty = [f for f, v in changes.items() if getattr(agency, f) != v]
    if not dirty:
        return agency
    for f in dirty:
        setattr(agency, f, changes[f])
    agency.full_clean()
    agency.save()
    return agency


@transaction.atomic
def agency_ensure(
    *, name: str, valid_from: dt.date | None, ident_code: str, **fields: Any
) -> tuple[Agency, bool]:
    """Create the agency named ``name`` for that validity start, or bring its fields up to date.

    Matching is by (name, valid_from), and ``ident_code`` is only set on creation, so codes that an
    administrator has replaced (placeholders → codes from the province's decision) survive a re-run.
    """
    agency = Agency.objects.filter(name=name, valid_from=valid_from).first()
    if agency is None:
        return agency_create(name=name, valid_from=valid_from, ident_code=ident_code, **fields), True
    return agency_update(agency=agency, **fields), False


@transaction.atomic
def staff_assignment_create(
    *,
    user: Any,
    agency: Agency,
    role: str,
    is_reserve: bool = False,
    sending_agency: Agency | None = None,
    tasks: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> StaffAssignment:
    """Assign a person to a role at a unit (phân công, Circular 03/2025)."""
    assignment = StaffAssignment(
        user=user,
        agency=agency,
        role=role,
        is_reserve=is_reserve,
        sending_agency=sending_agency,
        tasks=tasks,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def staff_assignment_ensure(
    *, user: Any, agency: Agency, role: str, valid_from: dt.date | None = None, **fields: Any
) -> tuple[StaffAssignment, bool]:
    existing = StaffAssignment.objects.filter(
        user=user, agency=agency, role=role, valid_from=valid_from
    ).first()
    if existing is None:
        return staff_assignment_create(
            user=user, agency=agency, role=role, valid_from=valid_from, **fields
        ), True
    dirty = [f for f, v in fields.items() if getattr(existing, f) != v]
    if dirty:
        for f in dirty:
            setattr(existing, f, fields[f])
        existing.full_clean()
        existing.save()
    return existing, False


@transaction.atomic
def staff_user_ensure(
    *,
    username: str,
    full_name: str,
    password_hash: str,
    is_staff: bool = True,
    is_superuser: bool = False,
) -> tuple[Any, bool]:
    """Create an officer account, or update its name and flags. The password is set only on creation
    (``password_hash`` from ``make_password``), so a re-run never resets a changed password."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user = user_model(
            username=username, full_name=full_name, is_staff=is_staff, is_superuser=is_superuser
        )
        user.password = password_hash
        user.full_clean()
        user.save()
        return user, True
    changes = {"full_name": full_name, "is_staff": is_staff, "is_superuser": is_superuser}
    dirty = [f for f, v in changes.items() if getattr(user, f) != v]
    if dirty:
        for f in dirty:
            setattr(user, f, changes[f])
        user.save(update_fields=dirty)
    return user, False
