"""Dossier services: reception, the clock through the worktime engine, the action-specific rules,
idempotency, optimistic concurrency and the immutable action log."""

from datetime import datetime

import pytest
from django.core.exceptions import ValidationError

from motcua.dossiers.lifecycle import ConcurrencyError, LifecycleError
from motcua.dossiers.models import Dossier, DossierAction, ImmutableError, Status
from motcua.dossiers.services import dossier_perform, dossier_receive, dossier_submit_online

from .factories import MONDAY, VN, ProcedureCaseFactory, dossier_in

pytestmark = pytest.mark.django_db

APPLICANT = {"applicant_type": "citizen", "name": "Trần Thị B", "phone": "0912345678"}
RECEIVING = ["receiving_officer"]
SPECIALIST = ["specialist"]
LEADER = ["unit_leader"]


def at(day: int, hour: int, minute: int = 0, month: int = 3, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN)


@pytest.fixture
def receive(case, one_stop, resolver, officer):
    def _receive(when=MONDAY, **kwargs):
        return dossier_receive(
            case=kwargs.pop("case", case),
            channel=kwargs.pop("channel", "direct"),
            receiving_unit=one_stop,
            resolving_agency=resolver,
            applicant=kwargs.pop("applicant", APPLICANT),
            actor=officer,
            roles=RECEIVING,
            received_at=when,
            **kwargs,
        )

    return _receive


def perform(dossier, action, when, roles=LEADER, **kwargs):
    kwargs.setdefault("reason", "Lý do")
    return dossier_perform(dossier=dossier, action=action, actor=None, roles=roles, now=when, **kwargs)


# --- Reception -----------------------------------------------------------------------------


def test_receive_at_counter_snapshots_rules_and_allocates_the_resolving_agency_code(receive, resolver):
    d = receive(components=[{"name": "Tờ khai", "originals": 1, "file": "dossiers/x.pdf"}])
    assert d.status == Status.RECEIVED and d.national_status == 2
    assert d.code == "000.02.12.H12-260302-0001"  # resolving agency's identifier (Art. 28)
    assert d.received_at == MONDAY
    assert d.due_at == d.original_due_at == at(5, 9)  # Mon 09:00 + 3 working days = Thu 09:00
    assert (d.limit_value, d.limit_unit, d.supplement_policy, d.law_framework) == (
        3,
        "working_days",
        "restart",
        "2025",
    )
    assert d.hours_windows == {"windows": [["07:00", "11:30"], ["13:30", "17:00"]], "cutoff": "15:00"}
    assert d.current_step == 1 and d.step_due_at == at(2, 15)  # 0.5 working day for the first step
    assert d.digitized is True and d.is_online is False
    assert d.components.get().originals == 1
    log = d.actions.get()
    assert (log.action, log.from_status, log.to_status, log.actor_role) == (
        "receive",
        "",
        "received",
        "receiving_officer",
    )
    assert receive().code == "000.02.12.H12-260302-0002"


def test_due_moment_over_tet_2026_comes_from_the_engine(receive):
    # Fri 13/2/2026 09:00 + 3 working days; 16–20/2 are the Tết Bính Ngọ days off.
    d = receive(when=at(13, 9, month=2))
    assert d.due_at == at(25, 9, month=2)


def test_law_framework_is_chosen_by_reception_date(receive):
    assert receive(when=datetime(2025, 6, 30, 9, 0, tzinfo=VN)).law_framework == "2018"
    assert receive(when=datetime(2025, 7, 1, 9, 0, tzinfo=VN)).law_framework == "2025"


def test_reception_by_a_non_receiving_role_is_refused(case, one_stop, resolver):
    with pytest.raises(LifecycleError) as err:
        dossier_receive(
            case=case,
            channel="direct",
            receiving_unit=one_stop,
            resolving_agency=resolver,
            applicant=APPLICANT,
            actor=None,
            roles=SPECIALIST,
            received_at=MONDAY,
        )
    assert err.value.code == "role_not_allowed"
    assert not Dossier.objects.exists()


def test_receiving_unit_must_be_one_stop(case, resolver):
    with pytest.raises(LifecycleError) as err:
        dossier_receive(
            case=case,
            channel="direct",
            receiving_unit=resolver,
            resolving_agency=resolver,
            applicant=APPLICANT,
            actor=None,
            roles=RECEIVING,
            received_at=MONDAY,
        )
    assert err.value.field == "receiving_unit"


def test_identity_mismatch_is_a_field_error_and_nothing_is_written(receive):
    with pytest.raises(ValidationError) as err:
        receive(applicant={**APPLICANT, "id_kind": "cccd", "id_number": "12345"})
    assert "id_number" in err.value.message_dict
    assert not Dossier.objects.exists()


def test_receive_is_idempotent(receive):
    first = receive(idempotency_key="k-1")
    again = receive(idempotency_key="k-1")
    assert again.pk == first.pk
    assert Dossier.objects.count() == 1


def test_online_submission_then_acceptance_starts_the_clock(case, one_stop, resolver):
    saturday_evening = at(7, 20)
    d = dossier_submit_online(
        case=case,
        receiving_unit=one_stop,
        resolving_agency=resolver,
        applicant=APPLICANT,
        submitted_at=saturday_evening,
    )
    assert d.status == Status.SUBMITTED and d.national_status == 1
    assert d.code is None and d.temp_reference
    # Art. 17(2)(c): 8 working hours, counted from Monday 07:00.
    assert d.acceptance_due_at == at(9, 17)
    assert d.due_at is None and d.is_online
    perform(d, "receive", at(9, 10), roles=RECEIVING)
    d.refresh_from_db()
    assert d.code == "000.02.12.H12-260309-0001"
    assert d.received_at == at(9, 10) and d.due_at == at(12, 10)


def test_online_supplement_at_reception_restarts_the_acceptance_window(case, one_stop, resolver):
    d = dossier_submit_online(
        case=case,
        receiving_unit=one_stop,
        resolving_agency=resolver,
        applicant=APPLICANT,
        submitted_at=MONDAY,
    )
    perform(d, "request_supplement", at(2, 10), roles=RECEIVING)
    perform(d, "supplement_received", at(3, 9), roles=["applicant"])
    d.refresh_from_db()
    assert d.status == Status.SUBMITTED and d.supplement_count == 0
    assert d.acceptance_due_at == at(4, 9)  # Tue 09:00 + 8 working hours = Wed 09:00


# --- Rules of particular actions -------------------------------------------------------------


def test_supplement_during_appraisal_only_within_3_working_days(receive):
    d = receive()
    perform(d, "forward", at(2, 10), roles=RECEIVING)
    with pytest.raises(LifecycleError) as err:
        perform(d, "request_supplement", at(5, 9, 1), roles=SPECIALIST)
    assert err.value.code == "supplement_window_passed"
    perform(d, "request_supplement", at(5, 9), roles=SPECIALIST)  # exactly 3 working days: allowed
    d.refresh_from_db()
    assert d.status == Status.SUPPLEMENT_REQUESTED and d.national_status == 5 and d.supplement_count == 1


def test_supplement_restart_policy(receive):
    d = receive()
    perform(d, "request_supplement", at(3, 9), roles=SPECIALIST)
    perform(d, "supplement_received", at(4, 14), roles=["applicant"])
    d.refresh_from_db()
    # Decree 118/2025 Art. 19(5): the full 3 working days again from Wed 14:00.
    assert d.status == Status.PROCESSING
    assert d.due_at == d.original_due_at == at(9, 14)
    assert d.paused_working_minutes == 11 * 60  # Tue 09:00 → Wed 14:00 in working time
    assert d.paused_minutes == 29 * 60


def test_supplement_pause_policy_is_snapshotted_at_reception(receive, settings):
    settings.MOTCUA_SUPPLEMENT_POLICY = "pause"
    d = receive()
    settings.MOTCUA_SUPPLEMENT_POLICY = "restart"  # a later change does not rewrite the dossier
    perform(d, "request_supplement", at(3, 9), roles=SPECIALIST)
    perform(d, "supplement_received", at(4, 14), roles=["applicant"])
    d.refresh_from_db()
    assert d.supplement_policy == "pause"
    assert d.due_at == at(6, 14)  # Thu 09:00 + the 11 working hours waited


def test_forward_sets_step_due_from_the_workflow_budgets(receive):
    d = receive()
    perform(d, "forward", at(2, 15), roles=RECEIVING, payload={"assignee_id": None})
    d.refresh_from_db()
    assert d.current_step == 2 and d.step_due_at == at(4, 9)  # 1.5 working days from Mon 15:00
    perform(d, "forward", at(4, 9), roles=SPECIALIST)
    d.refresh_from_db()
    assert d.current_step == 3 and d.step_due_at == at(5, 9)
    with pytest.raises(LifecycleError) as err:
        perform(d, "forward", at(4, 10), roles=SPECIALIST)
    assert err.value.code == "no_next_step"


def test_extension_once_at_least_one_working_day_before_and_later(receive):
    d = receive()
    with pytest.raises(LifecycleError) as err:  # Wed 10:00: 7 working hours before Thu 09:00
        perform(d, "apologize_and_extend", at(4, 10), payload={"new_due_at": at(6, 17)})
    assert err.value.code == "extension_too_late"
    with pytest.raises(LifecycleError) as err:
        perform(d, "apologize_and_extend", at(3, 9), payload={"new_due_at": at(5, 9)})
    assert err.value.code == "extension_not_later"
    perform(d, "apologize_and_extend", at(4, 9), payload={"extend_value": 2, "extend_unit": "working_days"})
    d.refresh_from_db()
    assert d.extended and d.original_due_at == at(5, 9) and d.due_at == at(9, 9)
    assert d.status == Status.RECEIVED
    with pytest.raises(LifecycleError) as err:
        perform(d, "apologize_and_extend", at(4, 10), payload={"new_due_at": at(10, 17)})
    assert err.value.code == "already_extended"


def test_stop_at_applicant_request_until_the_decision_not_after(receive):
    d = receive()
    perform(d, "stop", at(3, 9), roles=["applicant"])
    d.refresh_from_db()
    assert d.status == Status.STOPPED and d.stop_initiator == "applicant" and d.national_status == 7
    assert d.finished_at == at(3, 9)

    e = receive()
    perform(e, "forward", at(2, 10), roles=RECEIVING)
    perform(e, "approve", at(3, 10))
    with pytest.raises(LifecycleError):
        perform(e, "stop", at(3, 11), roles=["applicant"])
    perform(e, "resolve", at(3, 12))
    with pytest.raises(LifecycleError) as err:
        perform(e, "stop", at(3, 13), roles=["unit_leader"])
    assert err.value.code == "transition_not_allowed"


def test_an_applicant_cannot_pass_their_stop_off_as_the_agency_s(receive):
    d = receive()
    with pytest.raises(LifecycleError) as err:
        perform(d, "stop", at(3, 9), roles=["applicant"], payload={"initiator": "agency"})
    assert err.value.field == "initiator"
    perform(d, "stop", at(3, 9), roles=RECEIVING, payload={"initiator": "applicant"})  # a paper request
    d.refresh_from_db()
    assert d.stop_initiator == "applicant"


def test_close_unanswered_only_after_15_days_and_only_under_decree_118(receive):
    d = receive()
    perform(d, "request_supplement", at(3, 9), roles=SPECIALIST)
    with pytest.raises(LifecycleError) as err:
        perform(d, "close_unanswered", at(18, 8, 59), roles=["system"])
    assert err.value.code == "close_too_early"
    perform(d, "close_unanswered", at(18, 9), roles=["system"])
    d.refresh_from_db()
    assert d.status == Status.CLOSED_UNANSWERED and d.national_status == 8

    old = receive(when=datetime(2025, 6, 2, 9, 0, tzinfo=VN))
    perform(old, "request_supplement", datetime(2025, 6, 3, 9, 0, tzinfo=VN), roles=SPECIALIST)
    with pytest.raises(LifecycleError) as err:
        perform(old, "close_unanswered", datetime(2025, 7, 30, 9, 0, tzinfo=VN), roles=["system"])
    assert err.value.code == "not_in_framework"


def test_reason_is_required_for_refusals_supplements_and_stops(receive):
    d = receive()
    with pytest.raises(LifecycleError) as err:
        perform(d, "request_supplement", at(2, 10), roles=SPECIALIST, reason=" ")
    assert err.value.code == "reason_required" and err.value.field == "reason"


def test_obligation_paid_online_and_e_result_are_facts(receive):
    d = receive()
    perform(d, "forward", at(2, 10), roles=RECEIVING)
    perform(d, "request_financial_obligation", at(2, 11), roles=SPECIALIST)
    d.refresh_from_db()
    assert d.national_status == 6
    perform(d, "obligation_paid", at(2, 14), roles=["system"], payload={"online": True})
    perform(d, "approve", at(3, 10))
    perform(d, "resolve", at(3, 11))
    perform(d, "return_result", at(3, 15), roles=RECEIVING, payload={"e_result": True})
    d.refresh_from_db()
    assert d.paid_online and d.e_result and d.returned_at == at(3, 15)
    assert d.status == Status.RETURNED and d.national_status == 10
    assert d.finished_at == at(3, 11)  # end of processing is resolve, not return
    assert [a.action for a in d.actions.order_by("at", "id")] == [
        "receive",
        "forward",
        "request_financial_obligation",
        "obligation_paid",
        "approve",
        "resolve",
        "return_result",
    ]


# --- Idempotency, concurrency, immutability --------------------------------------------------


def test_idempotency_key_returns_the_same_action(receive):
    d = receive()
    first = perform(d, "forward", at(2, 10), roles=RECEIVING, idempotency_key="abc")
    again = perform(d, "forward", at(2, 11), roles=RECEIVING, idempotency_key="abc")
    assert again.pk == first.pk
    d.refresh_from_db()
    assert d.version == 2 and d.current_step == 2
    assert d.actions.filter(action="forward").count() == 1


def test_stale_version_raises_concurrency_error(receive):
    d = receive()
    perform(d, "forward", at(2, 10), roles=RECEIVING, expected_version=1)
    with pytest.raises(ConcurrencyError) as err:
        perform(d, "consult", at(2, 11), roles=SPECIALIST, expected_version=1)
    assert err.value.code == "version_conflict"
    d.refresh_from_db()
    assert d.status == Status.PROCESSING and d.version == 2


def test_action_log_rows_are_immutable(receive):
    d = receive()
    log = d.actions.get()
    log.reason = "changed"
    with pytest.raises(ImmutableError):
        log.save()
    with pytest.raises(ImmutableError):
        log.delete()
    with pytest.raises(ImmutableError):
        DossierAction.objects.filter(pk=log.pk).update(reason="x")
    with pytest.raises(ImmutableError):
        DossierAction.objects.filter(pk=log.pk).delete()
    assert DossierAction.objects.get(pk=log.pk).reason == ""


def test_factory_dossier_is_consistent():
    d = dossier_in(Status.SUBMITTED)
    assert d.code is None and d.received_at is None
    assert ProcedureCaseFactory().workflow_steps.count() == 3
