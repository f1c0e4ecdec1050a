"""Catalog and dossiers for the public portal tests (factories from tests/dossiers)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache

from motcua.catalog.models import Component, Fee, ProcedureCase
from motcua.dossiers.services import dossier_receive
from tests.dossiers.factories import (
    MONDAY,
    AgencyFactory,
    FieldFactory,
    OneStopFactory,
    ProcedureVersionFactory,
    UserFactory,
)

APPLICANT = {
    "applicant_type": "citizen",
    "name": "Nguyễn Văn An",
    "id_kind": "cccd",
    "id_number": "096123456789",
    "phone": "0912345678",
    "email": "an@example.vn",
    "address": "Số 12 đường Phan Ngọc Hiển, phường An Xuyên",
}


@pytest.fixture(autouse=True)
def _clear_cache():
    """The look-up rate limit counts in the cache: each test starts with a fresh allowance."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def catalog(db):
    """Three procedures: birth registration (commune, cut 30% direct, online full), a land one
    (province) and a second civil-status one, plus an agency named on the land one."""
    civil = FieldFactory(code="ho-tich", name="Hộ tịch")
    land = FieldFactory(code="dat-dai", name="Đất đai")
    dept = AgencyFactory(ident_code="000.00.05.H12", name="Sở Nông nghiệp và Môi trường", kind="specialized")
    birth = ProcedureVersionFactory(
        procedure__code="1.001193",
        name="Thủ tục đăng ký khai sinh",
        field=civil,
        level="commune",
        online_level="full",
        competent_at_commune=True,
        competent_agency_kind="peoples_committee",
        implementing_agency_text="Ủy ban nhân dân cấp xã",
        non_boundary=True,
        legal_basis="Luật Hộ tịch năm 2014",
        result_text="Giấy khai sinh",
    )
    case = ProcedureCase.objects.create(
        version=birth,
        order=1,
        name="Đăng ký khai sinh thông thường",
        legal_direct_value=Decimal(10),
        legal_direct_unit="working_days",
        applied_direct_value=Decimal(7),
        applied_direct_unit="working_days",
    )
    Component.objects.create(
        case=case,
        order=1,
        name="Tờ khai đăng ký khai sinh",
        originals=1,
        form_name="Mẫu tờ khai khai sinh",
        form_url="https://example.vn/mau/to-khai-khai-sinh.docx",
    )
    Component.objects.create(case=case, order=2, name="Giấy chứng sinh", originals=1)
    Fee.objects.create(version=birth, order=1, name="Lệ phí đăng ký khai sinh", amount_vnd=0)
    land_version = ProcedureVersionFactory(
        procedure__code="2.000815", name="Đăng ký biến động đất đai", field=land, level="province"
    )
    land_version.agencies.add(dept)
    ProcedureCase.objects.create(
        version=land_version,
        order=1,
        name="Trường hợp chung",
        legal_direct_value=Decimal(10),
        legal_direct_unit="working_days",
    )
    death = ProcedureVersionFactory(procedure__code="1.000656", name="Thủ tục đăng ký khai tử", field=civil)
    ProcedureCase.objects.create(
        version=death, order=1, name="Chung", legal_direct_value=Decimal(1), legal_direct_unit="working_days"
    )
    return {"birth": birth, "land": land_version, "death": death, "case": case, "dept": dept}


@pytest.fixture
def received(catalog):
    """A dossier received at the counter through the service (so it has a look-up secret)."""
    one_stop = OneStopFactory(
        ident_code="000.10.12.H12", name="Trung tâm Phục vụ hành chính công phường An Xuyên"
    )
    resolver = AgencyFactory(ident_code="000.02.12.H12", name="UBND phường An Xuyên")
    return dossier_receive(
        case=catalog["case"],
        channel="direct",
        receiving_unit=one_stop,
        resolving_agency=resolver,
        applicant=APPLICANT,
        components=[{"name": "Tờ khai đăng ký khai sinh", "originals": 1}],
        actor=UserFactory(username="tiepnhan"),
        roles=["receiving_officer"],
        received_at=MONDAY,
    )
