"""Demo organisation of Cà Mau province: units, agencies with (placeholder) codes, demo staff.

``org_load_camau_demo()`` is idempotent: run it again and nothing changes (agency codes and
passwords that an administrator has changed are kept).
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from motcua.org.models import AdministrativeUnit, Agency, StaffAssignment
from motcua.org.selectors import commune_units
from motcua.org.services import (
    BACLIEU_PROVINCE_CODE,
    CAMAU_PROVINCE_CODE,
    DATA_DIR,
    REFORM_DATE,
    agency_ensure,
    org_load_history,
    org_load_units,
    province_code,
    staff_assignment_ensure,
    staff_user_ensure,
)

AGENCIES_FILE = DATA_DIR / "camau_agencies.json"
DEMO_PASSWORD = "MotCua@2026"
CAMAU_LEVEL1 = "H12"
BACLIEU_LEVEL1 = "H03"  # closed from 1/7/2025 (Decision 09/2025/QĐ-TTg): Cà Mau kept H12.

# Level-2 slots (Y1Y2) of the placeholder scheme, see ``placeholder_ident_code``.
FIRST_COMMUNE_SLOT = 31
FIRST_LEGACY_DISTRICT_SLOT = 21
COMMUNE_CENTRE_SLOT = "01"


def placeholder_ident_code(
    *, level2: int | str = 0, level3: int | str = 0, level4: int | str = 0, level1: str = CAMAU_LEVEL1
) -> str:
    """The ONE placeholder scheme for codes below level 1 (real ones are issued by the province).

    Structure ``V1V2V3.Z1Z2.Y1Y2.M1X1X2`` (Decision 20/2020/QĐ-TTg), each group the slot of the body
    under its parent:

    ================================  ===================  ==========================
    body                              code                 slots
    ================================  ===================  ==========================
    UBND tỉnh                         ``000.00.00.H12``    real (tthc-spec §5)
    province-level body (sở, ban)     ``000.00.YY.H12``    YY = 01–20 (data file)
    pre-2025 district UBND (closed)   ``000.00.YY.H12``    YY = 21–29
    commune UBND                      ``000.00.YY.H12``    YY = 31–94, by GSO code order
    unit under a body YY              ``000.ZZ.YY.H12``    ZZ = 01… (commune centre = 01)
    commune police                    ``000.YY.13.H12``    under Công an tỉnh (13), ZZ = commune YY
    reception point of a unit         ``VVV.ZZ.YY.H12``    VVV = 001…
    ================================  ===================  ==========================
    """
    return f"{int(level4):03d}.{int(level3):02d}.{int(level2):02d}.{level1}"


def ascii_slug(name: str) -> str:
    """ "Phường An Xuyên" → "anxuyen" (for demo user names)."""
    for prefix in ("Phường ", "Xã ", "Đặc khu "):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    name = name.replace("Đ", "D").replace("đ", "d")
    stripped = "".join(c for c in unicodedata.normalize("NFD", name) if unicodedata.category(c) != "Mn")
    return "".join(c for c in stripped.lower() if c.isalnum())


def _lower_first(name: str) -> str:
    """ "Xã Đất Mũi" → "xã Đất Mũi", as inside a sentence or an agency name."""
    return name[:1].lower() + name[1:]


@dataclass(frozen=True)
class DemoStaff:
    username: str
    full_name: str
    role: str
    agency_key: str  # short name of a province-level body, or "<role-slot>:<commune slug>"


R = StaffAssignment.Role
PROVINCE_STAFF = [
    DemoStaff("tiepnhan.tinh", "Nguyễn Thị Thu Hà", R.RECEIVING_OFFICER, "TTPVHCC tỉnh"),
    DemoStaff("chuyenvien.tuphap", "Trần Văn Minh", R.SPECIALIST, "Sở Tư pháp"),
    DemoStaff("lanhdao.tuphap", "Lê Hoàng Phúc", R.UNIT_LEADER, "Sở Tư pháp"),
    DemoStaff("chuyenvien.xaydung", "Phạm Thị Ngọc Ánh", R.SPECIALIST, "Sở Xây dựng"),
    DemoStaff("lanhdao.xaydung", "Võ Quốc Tuấn", R.UNIT_LEADER, "Sở Xây dựng"),
    DemoStaff("kiemsoat.tinh", "Huỳnh Thị Kim Loan", R.TTHC_CONTROL, "Văn phòng UBND tỉnh"),
    DemoStaff("lanhdao.tinh", "Đặng Văn Hùng", R.PROVINCE_LEADER, "UBND tỉnh"),
    DemoStaff("quantri", "Lý Minh Khang", R.ADMINISTRATOR, "UBND tỉnh"),
]
# Commune (GSO 2025 code) → (receiving officer, specialist, leader) full names.
COMMUNE_STAFF = {
    "32002": ("Đỗ Thị Mỹ Linh", "Bùi Văn Tâm", "Ngô Thanh Sơn"),  # phường An Xuyên
    "32248": ("Trương Thị Hồng Nhung", "Dương Văn Lợi", "Lâm Quốc Việt"),  # xã Đất Mũi
    "32025": ("Châu Thị Bích Trâm", "Tô Văn Khải", "Mai Xuân Thịnh"),  # phường Tân Thành
    "31882": ("Hồ Thị Cẩm Tú", "Phan Văn Đức", "Quách Hữu Nghĩa"),  # xã Vĩnh Thanh
}


@dataclass
class _Built:
    by_short_name: dict[str, Agency]
    commune_pc: dict[str, Agency]
    commune_centre: dict[str, Agency]


def _load_agencies() -> _Built:
    data = json.loads(AGENCIES_FILE.read_text(encoding="utf-8"))
    province = AdministrativeUnit.objects.get(code=province_code(CAMAU_PROVINCE_CODE), valid_from=REFORM_DATE)
    units = {u.code: u for u in commune_units(CAMAU_PROVINCE_CODE, on=REFORM_DATE)}
    by_short: dict[str, Agency] = {}

    pc, _ = agency_ensure(
        name=data["province"]["name"],
        valid_from=None,
        ident_code=placeholder_ident_code(),
        short_name=data["province"]["short_name"],
        kind=Agency.Kind.PEOPLES_COMMITTEE,
        parent=None,
        admin_unit=province,
    )
    by_short[pc.short_name] = pc
    for dept in data["departments"]:
        agency, _ = agency_ensure(
            name=dept["name"],
            valid_from=None,
            ident_code=placeholder_ident_code(level2=dept["slot"]),
            short_name=dept["short_name"],
            kind=dept["kind"],
            # Vertical bodies (police) answer to their ministry, not to the provincial UBND.
            parent=None if dept["kind"] == Agency.Kind.VERTICAL else pc,
            admin_unit=province,
        )
        by_short[agency.short_name] = agency
    dept_slot = {d["short_name"]: d["slot"] for d in data["departments"]}
    for unit in data["units"]:
        parent = by_short[unit["parent"]]
        valid_from = REFORM_DATE if unit["kind"] == Agency.Kind.ONE_STOP else None
        agency, _ = agency_ensure(
            name=unit["name"],
            valid_from=valid_from,
            ident_code=placeholder_ident_code(level2=dept_slot[unit["parent"]], level3=unit["slot"]),
            short_name=unit["short_name"],
            kind=unit["kind"],
            parent=parent,
            admin_unit=province,
            address=unit.get("address", ""),
        )
        by_short[agency.short_name] = agency
        for point in unit.get("reception_points", []):
            sub, _ = agency_ensure(
                name=point["name"],
                valid_from=valid_from,
                ident_code=placeholder_ident_code(
                    level2=dept_slot[unit["parent"]], level3=unit["slot"], level4=point["slot"]
                ),
                short_name=point["short_name"],
                kind=unit["kind"],
                parent=agency,
                admin_unit=units[point["commune_code"]],
                address=point["address"],
            )
            by_short[sub.short_name] = sub

    police = by_short["Công an tỉnh"]
    police_slot = dept_slot["Công an tỉnh"]
    commune_pc: dict[str, Agency] = {}
    commune_centre: dict[str, Agency] = {}
    for slot, commune in enumerate(sorted(units.values(), key=lambda u: u.code), start=FIRST_COMMUNE_SLOT):
        label = _lower_first(commune.name)
        cpc, _ = agency_ensure(
            name=f"Ủy ban nhân dân {label}",
            valid_from=REFORM_DATE,
            ident_code=placeholder_ident_code(level2=slot),
            short_name=f"UBND {label}",
            kind=Agency.Kind.PEOPLES_COMMITTEE,
            parent=pc,
            admin_unit=commune,
        )
        centre, _ = agency_ensure(
            name=f"Trung tâm Phục vụ hành chính công {label}",
            valid_from=REFORM_DATE,
            ident_code=placeholder_ident_code(level2=slot, level3=COMMUNE_CENTRE_SLOT),
            short_name=f"TTPVHCC {label}",
            kind=Agency.Kind.ONE_STOP,
            parent=cpc,
            admin_unit=commune,
        )
        agency_ensure(
            name=f"Công an {label}",
            valid_from=REFORM_DATE,
            ident_code=placeholder_ident_code(level2=police_slot, level3=slot),
            short_name=f"Công an {label}",
            kind=Agency.Kind.VERTICAL,
            parent=police,
            admin_unit=commune,
        )
        commune_pc[commune.code] = cpc
        commune_centre[commune.code] = centre

    _load_legacy_agencies(current_pc=pc)
    return _Built(by_short_name=by_short, commune_pc=commune_pc, commune_centre=commune_centre)


def _load_legacy_agencies(*, current_pc: Agency) -> None:
    """Bodies closed on 1/7/2025, kept so that old dossiers and codes still resolve."""
    old = {
        u.code: u
        for u in AdministrativeUnit.objects.filter(valid_from__isnull=True, valid_to=REFORM_DATE).filter(
            level__in=[AdministrativeUnit.Level.PROVINCE, AdministrativeUnit.Level.DISTRICT]
        )
    }
    agency_ensure(
        name="Ủy ban nhân dân tỉnh Bạc Liêu",
        valid_from=None,
        ident_code=placeholder_ident_code(level1=BACLIEU_LEVEL1),
        short_name="UBND tỉnh Bạc Liêu",
        kind=Agency.Kind.PEOPLES_COMMITTEE,
        parent=None,
        admin_unit=old[province_code(BACLIEU_PROVINCE_CODE)],
        valid_to=REFORM_DATE,
        successor=current_pc,
    )
    camau_districts = sorted(
        (u for u in old.values() if u.parent_id == old[province_code(CAMAU_PROVINCE_CODE)].pk),
        key=lambda u: u.code,
    )
    for slot, district in enumerate(camau_districts, start=FIRST_LEGACY_DISTRICT_SLOT):
        label = _lower_first(district.name)
        agency_ensure(
            name=f"Ủy ban nhân dân {label}",
            valid_from=None,
            ident_code=placeholder_ident_code(level2=slot),
            short_name=f"UBND {label}",
            kind=Agency.Kind.PEOPLES_COMMITTEE,
            parent=current_pc,
            admin_unit=district,
            valid_to=REFORM_DATE,
        )


def _load_staff(built: _Built) -> list[tuple[str, str, str]]:
    plan: list[tuple[DemoStaff, Agency]] = [(s, built.by_short_name[s.agency_key]) for s in PROVINCE_STAFF]
    for code, (receiving, specialist, leader) in COMMUNE_STAFF.items():
        slug = ascii_slug(built.commune_pc[code].admin_unit.name)
        plan += [
            (DemoStaff(f"tiepnhan.{slug}", receiving, R.RECEIVING_OFFICER, ""), built.commune_centre[code]),
            (DemoStaff(f"chuyenvien.{slug}", specialist, R.SPECIALIST, ""), built.commune_pc[code]),
            (DemoStaff(f"lanhdao.{slug}", leader, R.UNIT_LEADER, ""), built.commune_pc[code]),
        ]
    existing = set(
        get_user_model()
        .objects.filter(username__in=[s.username for s, _ in plan])
        .values_list("username", flat=True)
    )
    # Hashed once (all demo accounts share the password) and only when an account is missing.
    password_hash = make_password(DEMO_PASSWORD) if len(existing) < len(plan) else ""
    result = []
    for staff, agency in plan:
        user, _ = staff_user_ensure(
            username=staff.username,
            full_name=staff.full_name,
            password_hash=password_hash,
            is_staff=True,
            is_superuser=staff.role == R.ADMINISTRATOR,
        )
        staff_assignment_ensure(user=user, agency=agency, role=staff.role, valid_from=REFORM_DATE)
        result.append((staff.username, str(staff.role), agency.name))
    return result


@transaction.atomic
def org_load_camau_demo() -> list[tuple[str, str, str]]:
    """Load Cà Mau's units (2025 and 2023 history), agencies and demo staff.

    Returns ``(username, role, agency name)`` for each demo account (password ``MotCua@2026``).
    """
    org_load_units(province_codes=[CAMAU_PROVINCE_CODE])
    org_load_history()
    built = _load_agencies()
    return _load_staff(built)
