"""Through the API, at once: two officers acting on the same dossier (one 200, the other 409, one
action row, version +1), and two submissions with the same Idempotency-Key (one dossier). Real
threads and connections, so PostgreSQL (the in-memory SQLite test database cannot wait on locks).
"""

import threading

import pytest
from django.db import connection
from django.test import Client

from motcua.accounts.services import api_token_create
from motcua.catalog.models import ProcedureCase
from motcua.dossiers.models import Dossier, DossierAction, Status
from motcua.org.models import StaffAssignment
from tests.dossiers.factories import AgencyFactory, OneStopFactory, ProcedureCaseFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="needs row locks and real concurrent connections (PostgreSQL)"
    ),
]


def _at_once(*calls):
    """Run the calls in threads released together; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def target(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except BaseException as exc:  # reported by the assertions below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.fixture
def world():
    """A commune: committee (resolving), its one-stop centre, a procedure whose only agency is
    the committee; a receiving officer, and two leaders of the committee."""
    committee = AgencyFactory(ident_code="000.02.12.H12")
    centre = OneStopFactory(ident_code="000.10.12.H12", parent=committee)
    case = ProcedureCaseFactory()
    case.version.agencies.add(committee)

    def person(role, agency):
        user = UserFactory()
        StaffAssignment.objects.create(user=user, agency=agency, role=role)
        _, secret = api_token_create(user=user, name="t")
        return secret

    return {
        "case": case,
        "officer": person("receiving_officer", centre),
        "leaders": [person("unit_leader", committee), person("unit_leader", committee)],
        "committee": committee,
    }


def _client(secret) -> Client:
    return Client(headers={"authorization": f"Bearer {secret}"})


def _reception_body(world) -> dict:
    case = ProcedureCase.objects.select_related("version__procedure").get(pk=world["case"].pk)
    return {
        "procedure": case.version.procedure.code,
        "channel": "direct",
        "resolving_agency": world["committee"].ident_code,
        "applicant": {"name": "Phạm Văn D"},
    }


def _receive(world, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return _client(world["officer"]).post(
        "/api/v1/dossiers", _reception_body(world), content_type="application/json", headers=headers
    )


def test_two_officers_acting_at_once_one_wins_the_other_gets_409(world):
    created = _receive(world)
    assert created.status_code == 201, created.content
    code = created.json()["code"]

    def act(secret, action):
        def call():
            return _client(secret).post(
                f"/api/v1/dossiers/{code}/actions/{action}",
                {"expected_version": 1, "reason": "Hồ sơ không đủ điều kiện"},
                content_type="application/json",
            )

        return call

    first, second = world["leaders"]
    responses = _at_once(act(first, "forward"), act(second, "stop"))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 409], [r.content for r in responses]
    loser = next(r for r in responses if r.status_code == 409).json()
    assert loser["code"] == "version_conflict" and loser["field"] == "version"

    d = Dossier.objects.get(code=code)
    assert d.version == 2
    assert DossierAction.objects.filter(dossier=d).count() == 2  # receive + the winner's action
    winner = next(r for r in responses if r.status_code == 200).json()["action"]["action"]
    assert d.status == (Status.PROCESSING if winner == "forward" else Status.STOPPED)


def test_concurrent_actions_without_a_version_are_serialised(world):
    """Without ``expected_version`` both run, one after the other, under the row lock: the second
    sees the first's result (here: the last step reached, or a status that refuses it)."""
    code = _receive(world).json()["code"]

    def forward(secret):
        return lambda: _client(secret).post(
            f"/api/v1/dossiers/{code}/actions/forward", {}, content_type="application/json"
        )

    responses = _at_once(*(forward(s) for s in world["leaders"]))
    assert [r.status_code for r in responses] == [200, 200], [r.content for r in responses]
    d = Dossier.objects.get(code=code)
    assert d.version == 3 and d.current_step == 3
    assert DossierAction.objects.filter(dossier=d, action="forward").count() == 2


def test_two_submissions_with_the_same_key_make_one_dossier(world):
    responses = _at_once(lambda: _receive(world, key="same-key"), lambda: _receive(world, key="same-key"))
    assert all(not isinstance(r, BaseException) for r in responses), responses
    assert sorted(r.status_code for r in responses) in ([200, 201], [201, 201]), [
        r.content for r in responses
    ]
    assert responses[0].json()["code"] == responses[1].json()["code"]
    assert Dossier.objects.count() == 1
    assert DossierAction.objects.filter(idempotency_key="same-key").count() == 1
