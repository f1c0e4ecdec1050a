"""Random walks through the table: the columns stay a fold of the action log, and a refused
action writes nothing (design §3.3, §3.4)."""

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.dossiers.lifecycle import APPLICANT, SYSTEM, TABLE, LifecycleError, allowed_actions
from motcua.dossiers.models import Dossier, DossierAction, Status
from motcua.dossiers.services import dossier_perform, dossier_receive, dossier_submit_online

from .conftest import ALL_STAFF_ROLES
from .factories import MONDAY, AgencyFactory, OneStopFactory, ProcedureCaseFactory

ALL_ROLES = [*ALL_STAFF_ROLES, APPLICANT, SYSTEM]
RULE_REFUSALS = {
    "supplement_window_passed",
    "extension_too_late",
    "extension_not_later",
    "already_extended",
    "no_next_step",
    "close_too_early",
}


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(online=st.booleans(), data=st.data())
def test_random_walk_keeps_columns_a_fold_of_the_log(online, data):
    case = ProcedureCaseFactory()
    one_stop, resolver = OneStopFactory(), AgencyFactory()
    common = {
        "case": case,
        "receiving_unit": one_stop,
        "resolving_agency": resolver,
        "applicant": {"applicant_type": "citizen", "name": "Võ Thị E"},
    }
    if online:
        d = dossier_submit_online(submitted_at=MONDAY, **common)
    else:
        d = dossier_receive(
            channel="direct", actor=None, roles=["receiving_officer"], received_at=MONDAY, **common
        )
    now = MONDAY
    previous_due = d.due_at
    for _ in range(data.draw(st.integers(min_value=1, max_value=12))):
        actions = allowed_actions(d, ALL_ROLES)
        if not actions:
            break
        action = data.draw(st.sampled_from(actions))
        now += timedelta(hours=data.draw(st.integers(min_value=0, max_value=40)))
        if action == "close_unanswered" and data.draw(st.booleans()):
            now += timedelta(days=15)
        payload = {"extend_value": data.draw(st.integers(0, 5)), "extend_unit": "working_days"}
        before = (d.version, DossierAction.objects.filter(dossier=d).count())
        try:
            dossier_perform(
                dossier=d, action=action, actor=None, roles=ALL_ROLES, payload=payload, reason="r", now=now
            )
        except LifecycleError as err:
            assert err.code in RULE_REFUSALS
            d.refresh_from_db()
            assert (d.version, DossierAction.objects.filter(dossier=d).count()) == before
            continue
        d = Dossier.objects.get(pk=d.pk)
        log = list(DossierAction.objects.filter(dossier=d).order_by("at", "id"))
        assert d.version == len(log)
        assert d.status == log[-1].to_status
        row = next(r for r in TABLE if r.action == action and log[-1].from_status in r.from_statuses)
        assert d.status == (row.to_status or log[-1].from_status)
        if d.received_at is not None:
            assert d.code and d.due_at and d.original_due_at
            assert d.original_due_at <= d.due_at
            if previous_due is not None and action != "supplement_received":
                assert d.due_at >= previous_due  # nothing but a supplement moves the due moment
        if d.status in (Status.RESOLVED, Status.RETURNED, Status.REJECTED, Status.CLOSED_UNANSWERED):
            if d.received_at is not None:
                assert d.outcome_legal and d.outcome_portal
        previous_due = d.due_at
