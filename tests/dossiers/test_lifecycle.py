"""The lifecycle table, exhaustively: each row from each source status, every other status refused,
every other role refused (design §3.4)."""

from datetime import timedelta

import pytest

from motcua.dossiers.lifecycle import (
    ACTIONS,
    APPLICANT,
    NEW,
    SYSTEM,
    TABLE,
    LifecycleError,
    allowed_actions,
    lifecycle_markdown,
    transition_for,
)
from motcua.dossiers.models import NATIONAL_STATUS, DossierAction, Status, national_status
from motcua.dossiers.services import dossier_perform

from .conftest import ALL_STAFF_ROLES
from .factories import MONDAY, UserFactory, dossier_in

ALL_ROLES = [*ALL_STAFF_ROLES, APPLICANT, SYSTEM]
STATUSES = [s.value for s in Status]


def _context(action: str, dossier) -> dict:
    """Arguments that satisfy the action's own rule, so that only the table decides."""
    now = MONDAY + timedelta(hours=2)
    payload: dict = {}
    if action == "close_unanswered":
        now = MONDAY + timedelta(days=16)
    if action == "apologize_and_extend":
        payload["new_due_at"] = (dossier.due_at or MONDAY) + timedelta(days=5)
    return {"now": now, "payload": payload, "reason": "Lý do theo mẫu"}


ALLOWED = [
    pytest.param(row, status, id=f"{row.action}-from-{status}")
    for row in TABLE
    for status in row.from_statuses
    if status != NEW
]


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "status"), ALLOWED)
def test_row_allowed_from_each_source_status(row, status):
    dossier = dossier_in(status)
    actor = UserFactory()
    role = sorted(row.roles)[0]
    action = dossier_perform(
        dossier=dossier, action=row.action, actor=actor, roles=[role], **_context(row.action, dossier)
    )
    dossier.refresh_from_db()
    assert dossier.status == (row.to_status or status)
    assert dossier.version == 2
    assert action.action == row.action
    assert action.from_status == status
    assert action.to_status == dossier.status
    assert action.actor_role == role
    assert row.action in allowed_actions(dossier_in(status), [role])


REFUSED = [
    pytest.param(action, status, id=f"{action}-from-{status}")
    for action in ACTIONS
    for status in STATUSES
    if not any(row.action == action and status in row.from_statuses for row in TABLE)
]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "status"), REFUSED)
def test_action_refused_from_every_other_status(action, status):
    dossier = dossier_in(status)
    with pytest.raises(LifecycleError) as err:
        dossier_perform(
            dossier=dossier, action=action, actor=None, roles=ALL_ROLES, **_context(action, dossier)
        )
    assert err.value.code == "transition_not_allowed"
    assert err.value.field == "status"
    dossier.refresh_from_db()
    assert dossier.status == status and dossier.version == 1
    assert not DossierAction.objects.filter(dossier=dossier).exists()
    assert action not in allowed_actions(dossier, ALL_ROLES)


ROLE_REFUSED = [
    pytest.param(row, role, id=f"{row.action}-{row.from_statuses[-1]}-by-{role}")
    for row in TABLE
    for role in ALL_ROLES
    if role not in row.roles and row.from_statuses[-1] != NEW
]


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "role"), ROLE_REFUSED)
def test_row_refused_to_other_roles(row, role):
    status = row.from_statuses[-1]
    dossier = dossier_in(status)
    with pytest.raises(LifecycleError) as err:
        dossier_perform(
            dossier=dossier, action=row.action, actor=None, roles=[role], **_context(row.action, dossier)
        )
    assert err.value.code == "role_not_allowed"
    dossier.refresh_from_db()
    assert dossier.version == 1


def test_unknown_action_is_refused():
    with pytest.raises(LifecycleError) as err:
        transition_for("teleport", Status.RECEIVED)
    assert err.value.code == "unknown_action"


def test_every_status_maps_to_a_national_code_1_to_10():
    assert set(NATIONAL_STATUS) == set(STATUSES)
    assert set(NATIONAL_STATUS.values()) == set(range(1, 11))
    assert national_status(Status.STOPPED, "applicant") == 7
    assert national_status(Status.STOPPED, "agency") == 8


def test_table_is_well_formed():
    for row in TABLE:
        assert row.basis, row
        assert row.roles, row
        assert set(row.from_statuses) <= {*STATUSES, NEW}
        assert row.to_status is None or row.to_status in STATUSES
    # One target per (action, source status): the table is deterministic.
    pairs = [(row.action, s) for row in TABLE for s in row.from_statuses]
    assert len(pairs) == len(set(pairs))


def test_docs_lifecycle_md_is_generated_from_the_table():
    import io
    from pathlib import Path

    from django.core.management import call_command

    out = io.StringIO()
    call_command("lifecycledoc", stdout=out)
    assert out.getvalue() == lifecycle_markdown()
    committed = Path(__file__).resolve().parents[2] / "docs" / "lifecycle.md"
    assert committed.read_text(encoding="utf-8") == out.getvalue(), (
        "run: motcua lifecycledoc > docs/lifecycle.md"
    )
