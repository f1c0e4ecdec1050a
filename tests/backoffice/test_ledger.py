"""The ledger page (sổ theo dõi hồ sơ, issue 4 point 2): an officer picks one of their one-stop
units and a date range and downloads the PDF; another unit's ledger is refused."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.backoffice.selectors import ledger_units
from motcua.dossiers.models import Status
from motcua.org.models import StaffAssignment
from tests.dossiers.factories import VN, AgencyFactory, OneStopFactory, UserFactory, dossier_in
from tests.dossiers.test_printing import pdf_flat_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    province = AgencyFactory(ident_code="000.00.00.H12")
    a = AgencyFactory(ident_code="000.01.12.H12", parent=province)
    centre_a = OneStopFactory(ident_code="000.11.12.H12", parent=a)
    b = AgencyFactory(ident_code="000.02.12.H12", parent=province)
    centre_b = OneStopFactory(ident_code="000.12.12.H12", parent=b)
    officer = UserFactory(username="tiepnhan.a")
    StaffAssignment.objects.create(user=officer, agency=centre_a, role="receiving_officer")
    leader = UserFactory(username="lanhdao.a")
    StaffAssignment.objects.create(user=leader, agency=a, role="unit_leader")
    return {"a": a, "centre_a": centre_a, "centre_b": centre_b, "officer": officer, "leader": leader}


def test_the_units_offered_are_the_officers_one_stop_units(world):
    assert list(ledger_units(world["officer"])) == [world["centre_a"]]
    # A commune leader sees the commune's centre (below the committee).
    assert list(ledger_units(world["leader"])) == [world["centre_a"]]


def test_the_form_page_is_vietnamese(world, client):
    client.force_login(world["officer"])
    html = client.get("/can-bo/so-theo-doi/").content.decode()
    assert "Sổ theo dõi hồ sơ" in html and "Tải sổ theo dõi (PDF)" in html
    assert world["centre_a"].name in html and world["centre_b"].name not in html


def test_download_is_a_pdf_with_the_units_dossiers(world, client, tmp_path):
    w = world
    d = dossier_in(
        Status.PROCESSING,
        receiving_unit=w["centre_a"],
        resolving_agency=w["a"],
        applicant_name="Lê Thị Ánh",
        received_at=dt.datetime(2026, 3, 2, 9, 0, tzinfo=VN),
    )
    client.force_login(w["officer"])
    response = client.get(
        "/can-bo/so-theo-doi/",
        {"don_vi": w["centre_a"].pk, "tu_ngay": "2026-03-01", "den_ngay": "2026-03-31"},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    text = pdf_flat_text(response.content, tmp_path)
    assert d.code in text and "Lê Thị Ánh" in text


def test_another_units_ledger_and_bad_ranges_are_refused(world, client):
    w = world
    client.force_login(w["officer"])
    foreign = client.get(
        "/can-bo/so-theo-doi/",
        {"don_vi": w["centre_b"].pk, "tu_ngay": "2026-03-01", "den_ngay": "2026-03-31"},
    )
    assert foreign["Content-Type"].startswith("text/html")
    backwards = client.get(
        "/can-bo/so-theo-doi/",
        {"don_vi": w["centre_a"].pk, "tu_ngay": "2026-03-31", "den_ngay": "2026-03-01"},
    )
    assert "Ngày kết thúc phải sau ngày bắt đầu" in backwards.content.decode()
