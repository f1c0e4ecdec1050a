"""Authorization compiled into one query: unit subtree for staff, own dossiers for applicants."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.dossiers.models import Status
from motcua.dossiers.selectors import dossier_by_code, dossier_history, dossiers_visible_to
from motcua.org.models import StaffAssignment

from .factories import AgencyFactory, OneStopFactory, UserFactory, dossier_in

pytestmark = pytest.mark.django_db


def test_staff_see_their_subtree_applicants_their_own_in_one_query():
    province = AgencyFactory(ident_code="000.00.00.H12")
    commune_a = AgencyFactory(ident_code="000.01.12.H12", parent=province)
    commune_b = AgencyFactory(ident_code="000.02.12.H12")
    centre_b = OneStopFactory(ident_code="000.12.12.H12", parent=commune_b)
    mine = dossier_in(Status.PROCESSING, resolving_agency=commune_a, receiving_unit=centre_b)
    other = dossier_in(Status.PROCESSING, resolving_agency=commune_b, receiving_unit=centre_b)
    officer = UserFactory()
    StaffAssignment.objects.create(user=officer, agency=province, role="specialist")
    citizen = UserFactory()
    own = dossier_in(
        Status.RECEIVED, resolving_agency=commune_b, receiving_unit=centre_b, applicant_user=citizen
    )

    with CaptureQueriesContext(connection) as queries:
        seen = list(dossiers_visible_to(officer, on=dt.date(2026, 3, 2)))
    assert len(queries) == 1
    assert seen == [mine]
    assert list(dossiers_visible_to(citizen)) == [own]
    assert other not in dossiers_visible_to(citizen)
    assert dossier_by_code(other.code, user=officer) is None
    assert dossier_by_code(mine.code, user=officer) == mine
    assert list(dossier_history(mine)) == []


def test_staff_reads_of_personal_data_are_audited_applicant_reads_are_not():
    from motcua.dossiers.models import ImmutableError, PersonalDataAccess
    from motcua.dossiers.services import dossier_audit_personal_read

    citizen, officer = UserFactory(), UserFactory()
    d = dossier_in(Status.RECEIVED, applicant_user=citizen)
    dossier_audit_personal_read(dossier=d, user=citizen)
    dossier_audit_personal_read(dossier=d, user=officer, purpose="detail")
    access = PersonalDataAccess.objects.get()
    assert (access.user, access.purpose) == (officer, "detail")
    with pytest.raises(ImmutableError):
        access.save()


def test_admin_pages_render_read_only(admin_client):
    d = dossier_in(Status.RECEIVED)
    from motcua.dossiers.services import dossier_perform

    dossier_perform(dossier=d, action="forward", actor=None, roles=["receiving_officer"])
    changelist = admin_client.get("/admin/dossiers/dossier/", {"q": d.code, "status__exact": "processing"})
    assert changelist.status_code == 200 and d.code in changelist.content.decode()
    change = admin_client.get(f"/admin/dossiers/dossier/{d.pk}/change/")
    assert change.status_code == 200 and "forward" in change.content.decode()
    assert admin_client.get("/admin/dossiers/dossier/add/").status_code == 403
    assert admin_client.get("/admin/dossiers/dossieraction/").status_code == 200
