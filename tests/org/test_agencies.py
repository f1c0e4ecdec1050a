import pytest
from django.core.exceptions import ValidationError

from motcua.org.models import IDENT_CODE_RE, AdministrativeUnit, Agency, StaffAssignment
from motcua.org.selectors import (
    agencies_in_subtree,
    agency_by_short_name,
    one_stop_units,
    peoples_committee_for,
    staff_roles,
    unit_on,
)
from motcua.org.services import REFORM_DATE, agency_create, agency_update

PROVINCE_BODIES = [
    "Văn phòng UBND tỉnh",
    "Sở Tư pháp",
    "Sở Xây dựng",
    "Sở Tài chính",
    "Sở Nông nghiệp và Môi trường",
    "Sở Nội vụ",
    "Sở Công Thương",
    "Sở Y tế",
    "Sở Giáo dục và Đào tạo",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Khoa học và Công nghệ",
    "Ban Quản lý Khu kinh tế",
    "Công an tỉnh",
    "Văn phòng đăng ký đất đai",
    "Trung tâm Trợ giúp pháp lý nhà nước",
    "Chi cục Thủy sản",
    "Chi cục Chăn nuôi và Thú y",
    "Phòng Cảnh sát giao thông",
]


def test_codes_are_valid_and_unique(demo):
    codes = list(Agency.objects.values_list("ident_code", flat=True))
    assert len(codes) == len(set(codes))
    assert all(IDENT_CODE_RE.fullmatch(c) and len(c) <= 35 for c in codes)
    assert Agency.objects.get(ident_code="000.00.00.H12").short_name == "UBND tỉnh"
    for agency in Agency.objects.all():
        agency.full_clean()


def test_province_bodies_by_short_name(demo):
    for short_name in PROVINCE_BODIES:
        assert agency_by_short_name(short_name).short_name == short_name
    assert agency_by_short_name("Sở Tư pháp").name == "Sở Tư pháp tỉnh Cà Mau"
    assert agency_by_short_name("Công an tỉnh").kind == Agency.Kind.VERTICAL
    land = agency_by_short_name("Văn phòng đăng ký đất đai")
    assert land.parent == agency_by_short_name("Sở Nông nghiệp và Môi trường")
    with pytest.raises(Agency.DoesNotExist):
        agency_by_short_name("Sở không có")


def test_one_centre_per_commune_and_the_provincial_centre(demo):
    centres = one_stop_units(96)
    communes = AdministrativeUnit.objects.filter(level=3, valid_from=REFORM_DATE)
    commune_centres = centres.filter(admin_unit__in=communes, parent__kind=Agency.Kind.PEOPLES_COMMITTEE)
    assert commune_centres.count() == 64
    assert set(commune_centres.values_list("admin_unit", flat=True)) == set(
        communes.values_list("pk", flat=True)
    )
    provincial = centres.get(short_name="TTPVHCC tỉnh")
    assert provincial.name == "Trung tâm Phục vụ hành chính công tỉnh Cà Mau"
    assert provincial.parent.short_name == "Văn phòng UBND tỉnh"
    assert "Trần Hưng Đạo" in provincial.address
    assert provincial.children.get().admin_unit.name == "Phường Bạc Liêu"  # reception point 2


def test_each_commune_has_pc_centre_and_police(demo):
    dat_mui = unit_on("32248")
    pc = peoples_committee_for(dat_mui)
    assert pc.name == "Ủy ban nhân dân xã Đất Mũi"
    assert pc.parent.ident_code == "000.00.00.H12"
    assert pc.children.get(kind=Agency.Kind.ONE_STOP).name == "Trung tâm Phục vụ hành chính công xã Đất Mũi"
    police = Agency.objects.get(name="Công an xã Đất Mũi")
    assert police.kind == Agency.Kind.VERTICAL and police.parent.short_name == "Công an tỉnh"
    assert Agency.objects.filter(kind=Agency.Kind.PEOPLES_COMMITTEE, admin_unit__level=3).count() == 64


def test_legacy_agencies(demo):
    bac_lieu = Agency.objects.get(ident_code="000.00.00.H03")
    assert bac_lieu.valid_to == REFORM_DATE
    assert bac_lieu.successor.ident_code == "000.00.00.H12"
    assert not Agency.objects.current().filter(pk=bac_lieu.pk).exists()
    districts = Agency.objects.filter(valid_to=REFORM_DATE, admin_unit__level=2)
    assert districts.count() == 9
    assert peoples_committee_for(
        unit_on("973", on=REFORM_DATE.replace(year=2024)), on=REFORM_DATE.replace(year=2024)
    )


def test_subtree_selector_and_query_count(demo, django_assert_max_num_queries):
    nnmt = agency_by_short_name("Sở Nông nghiệp và Môi trường")
    with django_assert_max_num_queries(1):
        names = {a.short_name for a in agencies_in_subtree(nnmt)}
    assert names == {
        "Sở Nông nghiệp và Môi trường",
        "Văn phòng đăng ký đất đai",
        "Chi cục Thủy sản",
        "Chi cục Chăn nuôi và Thú y",
    }
    province = agency_by_short_name("UBND tỉnh")
    with django_assert_max_num_queries(1):
        everything = [(a.ident_code, a.parent and a.parent.name) for a in agencies_in_subtree(province)]
    # UBND tỉnh, 12 bodies under it, 4 units + 2 centre entries, 64 × (PC + centre), 9 old districts.
    assert len(everything) == 1 + 12 + 4 + 2 + 128 + 9
    police = agency_by_short_name("Công an tỉnh")
    assert agencies_in_subtree(police, include_self=False).count() == 65


@pytest.mark.parametrize(
    "code", ["000.00.00.h12", "00.00.00.H12", "000.00.00.112", "000-00-00-H12", "000.00.00.H123"]
)
def test_bad_ident_code_is_refused(db, code):
    with pytest.raises(ValidationError) as exc:
        agency_create(ident_code=code, name="Cơ quan thử", kind=Agency.Kind.OTHER)
    assert "Mã định danh điện tử" in exc.value.message_dict["ident_code"][0]


def test_agency_update_validates(db):
    agency = agency_create(ident_code="000.00.99.H12", name="Cơ quan thử", kind=Agency.Kind.OTHER)
    with pytest.raises(ValidationError):
        agency_update(agency=agency, ident_code="sai")
    agency.refresh_from_db()
    assert agency_update(agency=agency, ident_code="000.01.99.H12").ident_code == "000.01.99.H12"


def test_staff_roles_cover_every_role(demo, settings):
    from motcua.accounts.models import User

    from .conftest import FAST_HASHERS

    settings.PASSWORD_HASHERS = FAST_HASHERS  # the module fixture hashed with these

    roles = set(StaffAssignment.objects.values_list("role", flat=True))
    assert roles == set(StaffAssignment.Role.values)
    listed = {(username, role) for username, role, _ in demo}
    assert ("tiepnhan.tinh", "receiving_officer") in listed
    assert ("lanhdao.datmui", "unit_leader") in listed
    assert {u for u, _, _ in demo} >= {"tiepnhan.anxuyen", "chuyenvien.anxuyen", "lanhdao.anxuyen", "quantri"}

    admin = User.objects.get(username="quantri")
    assert admin.is_staff and admin.is_superuser and admin.check_password("MotCua@2026")
    officer = User.objects.get(username="chuyenvien.tuphap")
    assert officer.is_staff and not officer.is_superuser and officer.full_name == "Trần Văn Minh"


def test_staff_roles_selector(demo, django_assert_num_queries):
    from motcua.accounts.models import User

    user = User.objects.get(username="tiepnhan.datmui")
    with django_assert_num_queries(1):
        roles = [(role, agency.name) for role, agency in staff_roles(user)]
    assert roles == [("receiving_officer", "Trung tâm Phục vụ hành chính công xã Đất Mũi")]
    assert staff_roles(user, on=REFORM_DATE.replace(year=2024)) == []


def test_demo_is_idempotent(demo):
    from motcua.accounts.models import User
    from motcua.org.demo import org_load_camau_demo

    before = (Agency.objects.count(), User.objects.count(), StaffAssignment.objects.count())
    assert org_load_camau_demo() == demo
    assert (Agency.objects.count(), User.objects.count(), StaffAssignment.objects.count()) == before


def test_replaced_code_survives_a_rerun(demo):
    from motcua.org.demo import org_load_camau_demo

    agency = agency_by_short_name("Sở Tư pháp")
    agency_update(agency=agency, ident_code="000.00.05.H12".replace("05", "77"))
    org_load_camau_demo()
    agency.refresh_from_db()
    assert agency.ident_code == "000.00.77.H12"
