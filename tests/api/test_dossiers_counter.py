"""A paper dossier answered at the counter instead of being received (Decree 118/2025 Art.
17(1)(c); Mẫu 02 / Mẫu 03): the service records it without a code and without a clock, and the
lifecycle goes on from there. Service level, with the factories of tests/dossiers."""

from datetime import timedelta

import pytest

from motcua.dossiers.lifecycle import LifecycleError
from motcua.dossiers.models import DossierAction, DossierCodeCounter, Status
from motcua.dossiers.services import dossier_answer_at_reception, dossier_perform, dossier_receive
from tests.dossiers.factories import MONDAY, AgencyFactory, OneStopFactory, ProcedureCaseFactory, UserFactory

pytestmark = pytest.mark.django_db

RECEIVING = ["receiving_officer"]


@pytest.fixture
def answer():
    case = ProcedureCaseFactory()
    centre = OneStopFactory(ident_code="000.10.12.H12")
    committee = AgencyFactory(ident_code="000.02.12.H12")
    officer = UserFactory()

    def _answer(action, **kwargs):
        kwargs.setdefault("reason", "Thiếu tờ khai")
        kwargs.setdefault("roles", RECEIVING)
        return dossier_answer_at_reception(
            action=action,
            case=case,
            channel="direct",
            receiving_unit=centre,
            resolving_agency=committee,
            applicant={"applicant_type": "citizen", "name": "Lê Thị E"},
            actor=officer,
            at=MONDAY,
            **kwargs,
        )

    _answer.case, _answer.centre, _answer.committee, _answer.officer = case, centre, committee, officer
    return _answer


def test_a_counter_refusal_has_no_code_and_no_clock(answer):
    d = answer("refuse_at_reception", payload={"grounds": "Không thuộc thẩm quyền"})
    assert d.status == Status.REFUSED and d.national_status == 3
    assert d.code is None and d.temp_reference.startswith("TMP-")
    assert (d.received_at, d.due_at, d.acceptance_due_at, d.finished_at) == (None, None, None, None)
    assert not DossierCodeCounter.objects.exists()  # no number taken
    log = d.actions.get()
    assert (log.action, log.from_status, log.to_status, log.reason) == (
        "refuse_at_reception",
        "",
        "refused",
        "Thiếu tờ khai",
    )
    assert log.payload == {"grounds": "Không thuộc thẩm quyền"}
    assert d.outcome_legal == "" and d.is_online is False


def test_a_counter_supplement_request_then_completed_then_received(answer):
    d = answer("request_supplement")
    assert d.status == Status.SUPPLEMENT_AT_RECEPTION and d.national_status == 5
    assert d.code is None and d.supplement_requested_at == MONDAY and d.supplement_count == 0
    dossier_perform(
        dossier=d, action="supplement_received", actor=None, roles=RECEIVING, now=MONDAY + timedelta(days=1)
    )
    assert d.status == Status.SUBMITTED and d.acceptance_due_at is not None
    dossier_perform(dossier=d, action="receive", actor=None, roles=RECEIVING, now=MONDAY + timedelta(days=1))
    assert d.status == Status.RECEIVED and d.code == "000.02.12.H12-260303-0001"
    assert d.received_at == MONDAY + timedelta(days=1)  # the clock starts at reception, not before


def test_an_unanswered_counter_supplement_is_closed_after_15_days(answer):
    d = answer("request_supplement")
    with pytest.raises(LifecycleError) as err:
        dossier_perform(
            dossier=d,
            action="close_unanswered",
            actor=None,
            roles=["system"],
            now=MONDAY + timedelta(days=14),
        )
    assert err.value.code == "close_too_early"
    dossier_perform(
        dossier=d, action="close_unanswered", actor=None, roles=["system"], now=MONDAY + timedelta(days=16)
    )
    assert d.status == Status.CLOSED_UNANSWERED and d.finished_at is None  # never received


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"reason": " "}, "reason_required"),
        ({"roles": ["specialist"]}, "role_not_allowed"),
    ],
)
def test_a_counter_answer_needs_a_reason_and_the_receiving_role(answer, kwargs, code):
    with pytest.raises(LifecycleError) as err:
        answer("request_supplement", **kwargs)
    assert err.value.code == code
    assert not DossierAction.objects.exists()


def test_only_the_two_counter_answers_exist(answer):
    with pytest.raises(LifecycleError) as err:
        answer("approve")
    assert (err.value.code, err.value.field) == ("payload_invalid", "outcome")


def test_one_idempotency_key_makes_one_dossier_whatever_the_outcome(answer):
    first = answer("request_supplement", idempotency_key="k-1")
    assert answer("request_supplement", idempotency_key="k-1") == first
    again = dossier_receive(
        case=answer.case,
        channel="direct",
        receiving_unit=answer.centre,
        resolving_agency=answer.committee,
        applicant={"applicant_type": "citizen", "name": "Lê Thị E"},
        actor=answer.officer,
        roles=RECEIVING,
        received_at=MONDAY,
        idempotency_key="k-1",
    )
    assert again == first and again.code is None
    assert DossierAction.objects.count() == 1
