"""Indicator facts: early / on time / late by the legal rule (Circular 01/2018 Art. 13, by date)
and by the DVCQG 766 rule (tthc-spec §1.3), with a supplement and an extension."""

from datetime import datetime, timedelta

import pytest

from motcua.dossiers.facts import legal_outcome, portal_outcome
from motcua.dossiers.services import dossier_perform, dossier_receive

from .factories import MONDAY, VN

pytestmark = pytest.mark.django_db


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=VN)


def act(d, action, when, roles=("unit_leader",), **kw):
    kw.setdefault("reason", "Lý do")
    dossier_perform(dossier=d, action=action, actor=None, roles=list(roles), now=when, **kw)


@pytest.fixture
def received(case, one_stop, resolver):
    """Received Mon 2/3/2026 09:00, due Thu 5/3 09:00, forwarded to appraisal."""
    d = dossier_receive(
        case=case,
        channel="direct",
        receiving_unit=one_stop,
        resolving_agency=resolver,
        applicant={"applicant_type": "citizen", "name": "Lê Văn C"},
        actor=None,
        roles=["receiving_officer"],
        received_at=MONDAY,
    )
    act(d, "forward", at(2, 10), roles=["receiving_officer"])
    return d


def finish(d, when):
    act(d, "approve", when - timedelta(minutes=30))
    act(d, "resolve", when)
    d.refresh_from_db()
    return d


@pytest.mark.parametrize(
    ("finished", "legal", "portal"),
    [
        (at(4, 16), "early", "on_time"),
        (at(5, 8), "on_time", "on_time"),
        (at(5, 9), "on_time", "on_time"),
        # Same day as the due date but after the moment: on time by date, late for DVCQG.
        (at(5, 16), "on_time", "late"),
        (at(6, 10), "late", "late"),
    ],
)
def test_early_on_time_late(received, finished, legal, portal):
    d = finish(received, finished)
    assert (d.outcome_legal, d.outcome_portal, d.outcome_vs_original) == (legal, portal, legal)
    assert d.finished_at == finished


def test_unfinished_dossier_has_no_outcome(received):
    received.refresh_from_db()
    assert (received.outcome_legal, received.outcome_portal) == ("", "")


def test_one_supplement_restart_and_subtracted_wait(received):
    act(received, "request_supplement", at(3, 9), roles=["specialist"])
    act(received, "supplement_received", at(4, 14), roles=["applicant"])
    d = finish(received, at(9, 15))  # due Mon 9/3 14:00 after the restart
    assert d.due_at == at(9, 14)
    assert d.outcome_legal == "on_time"
    # DVCQG: end − (completion − request) = 9/3 15:00 − 29 h ≤ due.
    assert d.outcome_portal == "on_time"


def test_more_than_one_supplement_is_late_for_the_portal(received):
    act(received, "request_supplement", at(2, 11), roles=["specialist"])
    act(received, "supplement_received", at(2, 14), roles=["applicant"])
    act(received, "request_supplement", at(3, 9), roles=["specialist"])
    act(received, "supplement_received", at(3, 10), roles=["applicant"])
    d = finish(received, at(4, 9))
    assert d.supplement_count == 2
    assert d.outcome_legal == "early"
    assert d.outcome_portal == "late"


def test_extension_late_against_original_on_time_against_current(received):
    act(received, "apologize_and_extend", at(3, 9), payload={"new_due_at": at(6, 17)})
    d = finish(received, at(6, 10))
    assert (d.original_due_at, d.due_at, d.extended) == (at(5, 9), at(6, 17), True)
    assert d.outcome_legal == "on_time"
    assert d.outcome_portal == "on_time"
    assert d.outcome_vs_original == "late"


def test_closed_unanswered_is_measured_at_the_request(received):
    act(received, "request_supplement", at(3, 9), roles=["specialist"])
    act(received, "close_unanswered", at(20, 9), roles=["system"])
    received.refresh_from_db()
    assert received.outcome_portal == "on_time"  # measured at Tue 09:00
    assert received.outcome_legal == "early"  # the agency's part ended at the request


def test_pure_rules():
    due = at(5, 9)
    assert legal_outcome(at(5, 23, 59), due) == "on_time"
    assert legal_outcome(at(6, 0, 0), due) == "late"
    assert legal_outcome(at(6, 0, 0), None) == "on_time"
    assert portal_outcome(finished=at(5, 10), due=due, paused=timedelta(hours=1)) == "on_time"
    assert portal_outcome(finished=at(5, 10), due=due, paused=timedelta(minutes=59)) == "late"
    assert portal_outcome(finished=at(3, 10), due=due, supplement_count=2) == "late"
