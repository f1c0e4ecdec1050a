"""``motcua demo`` loads the Cà Mau demo, and a second run changes nothing."""

import datetime as dt
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from motcua.catalog.models import ProcedureVersion
from motcua.org.models import AdministrativeUnit, Agency, StaffAssignment
from motcua.worktime.selectors import get_calendar

pytestmark = pytest.mark.django_db


def _row_counts() -> dict[str, int]:
    return {
        m._meta.label: m.objects.count()
        for m in apps.get_models()
        if m._meta.app_label in {"accounts", "org", "worktime", "catalog"}
    }


def test_demo_loads_camau_and_is_idempotent():
    out = StringIO()
    call_command("demo", stdout=out)
    first = _row_counts()
    assert "MotCua@2026" in out.getvalue()

    communes = AdministrativeUnit.objects.filter(valid_to=None, level=3, parent__code="96")
    assert communes.count() == 64
    assert communes.filter(kind="ward").count() == 9
    assert Agency.objects.filter(kind=Agency.Kind.ONE_STOP, parent__admin_unit__in=communes).count() == 64
    assert Agency.objects.get(ident_code="000.00.00.H12").name == "Ủy ban nhân dân tỉnh Cà Mau"
    assert set(StaffAssignment.objects.values_list("role", flat=True)) == set(StaffAssignment.Role.values)

    current = ProcedureVersion.objects.filter(valid_to=None)
    assert current.count() >= 40
    assert set(current.values_list("level", flat=True)) == {"province", "commune"}
    assert current.values("field").distinct().count() >= 5

    calendar = get_calendar()  # the official 2026 New-Year swap that the package misses
    assert not calendar.is_working_day(dt.date(2026, 1, 2))
    assert calendar.is_working_day(dt.date(2026, 1, 10))

    call_command("demo", stdout=StringIO())
    assert _row_counts() == first
