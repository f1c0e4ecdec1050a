"""Shared world for the feedback tests: a province with two communes, each with a People's
Committee and a one-stop centre; officers of each; a citizen with an account; a case with three
steps; helpers that bring a dossier to its result through the real services."""

from __future__ import annotations

import pytest
from django.utils import timezone

from motcua.dossiers.services import dossier_perform, dossier_receive
from motcua.org.models import StaffAssignment
from tests.dossiers.factories import AgencyFactory, OneStopFactory, ProcedureCaseFactory, UserFactory

PASSWORD = "MotCua@2026"


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    from motcua.worktime.selectors import clear_calendar_cache

    clear_calendar_cache()
    yield
    clear_calendar_cache()


def _staff(agency, role, username):
    user = UserFactory(username=username, email=f"{username}@example.gov.vn")
    user.set_password(PASSWORD)
    user.save()
    StaffAssignment.objects.create(user=user, agency=agency, role=role)
    return user


@pytest.fixture
def world(db):
    return build_world()


def build_world() -> dict:
    """The objects of :func:`world` (also used by the browser test)."""
    province = AgencyFactory(ident_code="000.00.00.H12", name="UBND tỉnh")
    a = AgencyFactory(ident_code="000.01.12.H12", parent=province, name="UBND xã A")
    centre_a = OneStopFactory(ident_code="000.11.12.H12", parent=a, name="Trung tâm PVHCC xã A")
    b = AgencyFactory(ident_code="000.02.12.H12", parent=province, name="UBND xã B")
    centre_b = OneStopFactory(ident_code="000.12.12.H12", parent=b, name="Trung tâm PVHCC xã B")
    citizen = UserFactory(
        username="congdan", email="congdan@example.vn", first_name="Lan", last_name="Trần Thị"
    )
    citizen.set_password(PASSWORD)
    citizen.save()
    other = UserFactory(username="nguoikhac", email="nguoikhac@example.vn")
    return {
        "province": province,
        "a": a,
        "b": b,
        "centre_a": centre_a,
        "centre_b": centre_b,
        "case": ProcedureCaseFactory(),
        "citizen": citizen,
        "other": other,
        "rec_a": _staff(centre_a, "receiving_officer", "tiepnhan.a"),
        "spec_a": _staff(a, "specialist", "chuyenvien.a"),
        "rec_b": _staff(centre_b, "receiving_officer", "tiepnhan.b"),
        "lead_province": _staff(province, "unit_leader", "lanhdao.tinh"),
    }


def receive(w, *, commune="a", user=None, email="congdan@example.vn", phone="", now=None):
    """A dossier received at the commune's centre through the real service."""
    applicant = {"applicant_type": "citizen", "name": "Trần Thị Lan", "email": email, "phone": phone}
    if user is not None:
        applicant["user"] = user
    return dossier_receive(
        case=w["case"],
        channel="direct",
        receiving_unit=w[f"centre_{commune}"],
        resolving_agency=w[commune],
        applicant=applicant,
        actor=w[f"rec_{commune}"],
        roles=["receiving_officer"],
        received_at=now or timezone.now(),
    )


def finish(dossier, *, until="return_result"):
    """forward ×2 → approve → resolve → return_result (stops after ``until``)."""
    steps = [
        ("forward", "receiving_officer"),
        ("forward", "specialist"),
        ("approve", "unit_leader"),
        ("resolve", "unit_leader"),
        ("return_result", "receiving_officer"),
    ]
    for action, role in steps:
        dossier_perform(dossier=dossier, action=action, actor=None, roles=[role])
        if action == until:
            break
    dossier.refresh_from_db()
    return dossier


SCORES = {
    "time_score": 2,
    "agencies_score": 2,
    "contacts_score": 1,
    "publicity_score": 2,
    "conduct_score": 2,
    "lawfulness_score": 2,
    "explanation_score": None,
    "online_score": None,
}
