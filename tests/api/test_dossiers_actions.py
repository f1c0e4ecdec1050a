"""``POST /api/v1/dossiers/{code}/actions/{action}`` for every row of the lifecycle table: allowed
from its source status to a person holding the row's role over the dossier (200), refused from
a status outside the row (409), refused to a role outside it (403)."""

from unittest import mock

import pytest
from django.test import Client

from motcua.accounts.services import api_token_create
from motcua.dossiers.lifecycle import ACTIONS, APPLICANT, NEW, SYSTEM, TABLE
from motcua.dossiers.models import DossierAction, Status
from motcua.org.models import StaffAssignment
from tests.api.conftest import assert_error
from tests.dossiers.factories import UserFactory, dossier_in
from tests.dossiers.test_lifecycle import _context

pytestmark = pytest.mark.django_db

HUMAN_ROLES = [r.value for r in StaffAssignment.Role] + [APPLICANT]


def _dossier(status):
    dossier = dossier_in(status)
    if dossier.code is None:  # not received: addressed by its temporary reference
        dossier.temp_reference = f"TMP-{dossier.pk:010d}"
        dossier.save(update_fields=["temp_reference"])
    return dossier


def _person(dossier, role):
    """A user holding ``role`` over ``dossier`` (assigned to its resolving agency, or its applicant)."""
    user = UserFactory()
    if role == APPLICANT:
        dossier.applicant_user = user
        dossier.save(update_fields=["applicant_user"])
    else:
        StaffAssignment.objects.create(user=user, agency=dossier.resolving_agency, role=role)
    _, secret = api_token_create(user=user, name="t")
    return user, Client(headers={"authorization": f"Bearer {secret}"})


def _at(now):
    # Not freezegun: its fake date classes reach pydantic's lazily built schemas.
    return mock.patch("django.utils.timezone.now", return_value=now)


def _post(client, dossier, action, context):
    body = {"reason": context["reason"], "payload": context["payload"], "expected_version": dossier.version}
    return client.post(
        f"/api/v1/dossiers/{dossier.code or dossier.temp_reference}/actions/{action}",
        body,
        content_type="application/json",
    )


ROWS = [
    pytest.param(row, status, id=f"{row.action}-from-{status}")
    for row in TABLE
    for status in row.from_statuses
    if status != NEW
]


@pytest.mark.parametrize(("row", "status"), ROWS)
def test_every_row_through_the_api(row, status):
    dossier = _dossier(status)
    role = sorted(row.roles - {SYSTEM})[0]
    user, client = _person(dossier, role)
    context = _context(row.action, dossier)
    with _at(context["now"]):
        response = _post(client, dossier, row.action, context)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["action"]["action"] == row.action and body["action"]["actor_role"] == role
    assert body["dossier"]["status"] == (row.to_status or status)
    assert body["dossier"]["version"] == 2
    assert DossierAction.objects.get(dossier=dossier).actor == user


REFUSED_STATUS = [
    pytest.param(
        action,
        next(s for s in Status.values if not any(r.action == action and s in r.from_statuses for r in TABLE)),
        id=action,
    )
    for action in ACTIONS
]


@pytest.mark.parametrize(("action", "status"), REFUSED_STATUS)
def test_every_action_refused_from_a_status_outside_its_rows(action, status):
    dossier = _dossier(status)
    roles = {role for row in TABLE if row.action == action for role in row.roles} - {SYSTEM}
    _, client = _person(dossier, sorted(roles - {APPLICANT})[0] if roles - {APPLICANT} else APPLICANT)
    context = _context(action, dossier)
    with _at(context["now"]):
        response = _post(client, dossier, action, context)
    assert_error(response, 409, code="transition_not_allowed", field="status")
    assert not DossierAction.objects.filter(dossier=dossier).exists()


ROLE_REFUSED = [
    pytest.param(row, role, id=f"{row.action}-{row.from_statuses[-1]}-by-{role}")
    for row in TABLE
    for role in HUMAN_ROLES
    if role not in row.roles and row.from_statuses[-1] != NEW
]


@pytest.mark.parametrize(("row", "role"), ROLE_REFUSED[::3])
def test_rows_refused_to_other_roles_are_403(row, role):
    status = row.from_statuses[-1]
    dossier = _dossier(status)
    _, client = _person(dossier, role)
    context = _context(row.action, dossier)
    with _at(context["now"]):
        response = _post(client, dossier, row.action, context)
    assert_error(response, 403, code="role_not_allowed")
    assert not DossierAction.objects.filter(dossier=dossier).exists()
