"""Who may act on a dossier (issue 3 point 6), in the services/selectors layer: officers on
dossiers whose receiving unit, resolving agency or current step's agency lies in the subtree of
a unit they are assigned to, with a role the table allows; applicants on their own dossiers with
applicant actions only."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from motcua.catalog.models import WorkflowStep
from motcua.dossiers.lifecycle import LifecycleError
from motcua.dossiers.models import DossierAction, Status
from motcua.dossiers.selectors import actor_assignments_for, actor_roles_for, dossiers_visible_to
from motcua.dossiers.services import dossier_act
from motcua.org.models import StaffAssignment

from .factories import MONDAY, AgencyFactory, OneStopFactory, UserFactory, dossier_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Province → commune A (committee, centre) and commune B (committee, centre)."""
    province = AgencyFactory(ident_code="000.00.00.H12")
    a = AgencyFactory(ident_code="000.01.12.H12", parent=province)
    centre_a = OneStopFactory(ident_code="000.11.12.H12", parent=a)
    b = AgencyFactory(ident_code="000.02.12.H12", parent=province)
    centre_b = OneStopFactory(ident_code="000.12.12.H12", parent=b)

    def staff(agency, role):
        user = UserFactory()
        StaffAssignment.objects.create(user=user, agency=agency, role=role)
        return user

    return {
        "province": province,
        "a": a,
        "centre_a": centre_a,
        "b": b,
        "centre_b": centre_b,
        "staff": staff,
    }


def test_roles_come_from_the_subtrees_that_hold_the_dossier(world):
    w, staff = world, world["staff"]
    d = dossier_in(Status.RECEIVED, receiving_unit=w["centre_a"], resolving_agency=w["b"])
    assert actor_roles_for(staff(w["centre_a"], "receiving_officer"), d) == {"receiving_officer"}
    assert actor_roles_for(staff(w["b"], "specialist"), d) == {"specialist"}
    assert actor_roles_for(staff(w["province"], "unit_leader"), d) == {"unit_leader"}
    # Commune A's committee is above the receiving centre; commune B's centre holds nothing.
    assert actor_roles_for(staff(w["a"], "unit_leader"), d) == {"unit_leader"}
    assert actor_roles_for(staff(w["centre_b"], "receiving_officer"), d) == set()
    stranger = AgencyFactory(ident_code="000.03.12.H12")
    assert actor_roles_for(staff(stranger, "unit_leader"), d) == set()


def test_roles_over_a_dossier_cost_one_query(world):
    w = world
    d = dossier_in(Status.RECEIVED, receiving_unit=w["centre_a"], resolving_agency=w["b"])
    user = w["staff"](w["centre_a"], "receiving_officer")
    StaffAssignment.objects.create(user=user, agency=w["b"], role="specialist")
    with CaptureQueriesContext(connection) as queries:
        found = actor_assignments_for(user, d)
    assert len(queries) == 1
    assert found == {"receiving_officer": w["centre_a"], "specialist": w["b"]}


def test_an_expired_assignment_gives_no_role(world):
    w = world
    d = dossier_in(Status.RECEIVED, receiving_unit=w["centre_a"], resolving_agency=w["a"])
    user = UserFactory()
    StaffAssignment.objects.create(
        user=user,
        agency=w["a"],
        role="specialist",
        valid_from=dt.date(2020, 1, 1),
        valid_to=dt.date(2021, 1, 1),
    )
    assert actor_roles_for(user, d) == set()
    assert actor_roles_for(user, d, on=dt.date(2020, 6, 1)) == {"specialist"}


def test_the_current_steps_agency_grants_its_roles(world):
    w = world
    d = dossier_in(Status.PROCESSING, receiving_unit=w["centre_a"], resolving_agency=w["a"], current_step=2)
    consulted = AgencyFactory(ident_code="000.40.00.H12")
    WorkflowStep.objects.filter(case=d.case, order=2).update(agency=consulted)
    specialist = world["staff"](consulted, "specialist")
    assert actor_roles_for(specialist, d) == {"specialist"}
    assert d in dossiers_visible_to(specialist)  # whoever may act may also open it
    d.current_step = 3
    assert actor_roles_for(specialist, d) == set()


def test_an_officer_of_one_commune_cannot_act_on_anothers_dossier(world):
    w = world
    d = dossier_in(Status.RECEIVED, receiving_unit=w["centre_a"], resolving_agency=w["a"])
    officer_b = w["staff"](w["centre_b"], "receiving_officer")
    leader_b = w["staff"](w["b"], "unit_leader")
    for user in (officer_b, leader_b):
        assert d not in dossiers_visible_to(user)
        with pytest.raises(LifecycleError) as err:
            dossier_act(dossier=d, action="forward", user=user)
        assert err.value.code == "not_authorized"
    d.refresh_from_db()
    assert d.version == 1 and not DossierAction.objects.filter(dossier=d).exists()


def test_an_officer_acts_with_the_role_the_table_allows_and_the_unit_is_logged(world):
    w = world
    d = dossier_in(Status.RECEIVED, receiving_unit=w["centre_a"], resolving_agency=w["a"])
    officer = w["staff"](w["centre_a"], "receiving_officer")
    specialist = w["staff"](w["a"], "specialist")
    with pytest.raises(LifecycleError) as err:
        dossier_act(dossier=d, action="approve", user=specialist)  # wrong status anyway
    assert err.value.code == "transition_not_allowed"
    logged = dossier_act(dossier=d, action="forward", user=officer, now=MONDAY)
    assert (logged.actor, logged.actor_role, logged.unit) == (officer, "receiving_officer", w["centre_a"])
    with pytest.raises(LifecycleError) as err:
        dossier_act(dossier=d, action="approve", user=specialist)
    assert err.value.code == "role_not_allowed"
    leader = w["staff"](w["a"], "unit_leader")
    assert dossier_act(dossier=d, action="approve", user=leader, now=MONDAY).unit == w["a"]


def test_a_person_with_several_roles_uses_the_one_the_table_allows(world):
    w = world
    d = dossier_in(Status.PROCESSING, receiving_unit=w["centre_a"], resolving_agency=w["a"])
    user = w["staff"](w["centre_a"], "receiving_officer")
    StaffAssignment.objects.create(user=user, agency=w["a"], role="unit_leader")
    logged = dossier_act(dossier=d, action="approve", user=user, now=MONDAY)
    assert (logged.actor_role, logged.unit) == ("unit_leader", w["a"])


def test_applicants_act_only_on_their_own_dossiers_with_applicant_actions(world):
    w = world
    citizen, other = UserFactory(), UserFactory()
    own = dossier_in(
        Status.SUBMITTED, receiving_unit=w["centre_a"], resolving_agency=w["a"], applicant_user=citizen
    )
    assert actor_roles_for(citizen, own) == {"applicant"}
    assert actor_roles_for(other, own) == set()
    assert own not in dossiers_visible_to(other)
    with pytest.raises(LifecycleError) as err:
        dossier_act(dossier=own, action="withdraw", user=other)
    assert err.value.code == "not_authorized"
    with pytest.raises(LifecycleError) as err:
        dossier_act(dossier=own, action="receive", user=citizen)
    assert err.value.code == "role_not_allowed"
    logged = dossier_act(dossier=own, action="withdraw", user=citizen)
    assert (logged.actor_role, logged.unit) == ("applicant", None)


def test_anonymous_holds_no_role(world):
    from django.contrib.auth.models import AnonymousUser

    d = dossier_in(Status.RECEIVED)
    assert actor_roles_for(AnonymousUser(), d) == set()
    assert actor_roles_for(None, d) == set()


@freeze_time(MONDAY + dt.timedelta(hours=2))
def test_dossier_act_honours_idempotency_and_version(world):
    from motcua.dossiers.lifecycle import ConcurrencyError

    w = world
    d = dossier_in(Status.RECEIVED, receiving_unit=w["centre_a"], resolving_agency=w["a"])
    officer = w["staff"](w["centre_a"], "receiving_officer")
    first = dossier_act(dossier=d, action="forward", user=officer, idempotency_key="k", expected_version=1)
    again = dossier_act(dossier=d, action="forward", user=officer, idempotency_key="k", expected_version=1)
    assert first.pk == again.pk and d.version == 2
    with pytest.raises(ConcurrencyError):
        dossier_act(dossier=d, action="forward", user=officer, expected_version=1)
