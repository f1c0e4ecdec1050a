"""Two officers on the same dossier at once: one wins, the other gets ConcurrencyError (409), and
nothing is half-written; a creation retried concurrently makes one dossier. Real threads and
connections, so PostgreSQL (the in-memory SQLite test database cannot wait on locks)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from motcua.dossiers.lifecycle import ConcurrencyError
from motcua.dossiers.models import Dossier, DossierAction, DossierCodeCounter, Status
from motcua.dossiers.services import dossier_perform, dossier_receive

from .factories import MONDAY, AgencyFactory, OneStopFactory, ProcedureCaseFactory

THREADS = 6

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="needs row locks and real concurrent connections"
    ),
]


def _run(work):
    results, errors = [], []
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def target(i):
        try:
            barrier.wait()
            out = work(i)
            with lock:
                results.append(out)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors


def _receive(key=None):
    return dossier_receive(
        case=ProcedureCaseFactory._meta.model.objects.get(),
        channel="direct",
        receiving_unit=OneStopFactory._meta.model.objects.get(kind="one_stop"),
        resolving_agency=AgencyFactory._meta.model.objects.exclude(kind="one_stop").get(),
        applicant={"applicant_type": "citizen", "name": "Phạm Văn D"},
        actor=None,
        roles=["receiving_officer"],
        received_at=MONDAY,
        idempotency_key=key,
    )


@pytest.fixture
def world():
    ProcedureCaseFactory()
    OneStopFactory(ident_code="000.10.12.H12")
    AgencyFactory(ident_code="000.02.12.H12")


def test_concurrent_actions_with_the_same_version_one_wins(world):
    d = _receive()

    def work(i):
        return dossier_perform(
            dossier=d.pk,
            action="forward",
            actor=None,
            roles=["receiving_officer"],
            expected_version=1,
            now=MONDAY + timedelta(hours=1, minutes=i),
        )

    results, errors = _run(work)
    assert len(results) == 1
    assert len(errors) == THREADS - 1 and all(isinstance(e, ConcurrencyError) for e in errors)
    d.refresh_from_db()
    assert d.version == 2 and d.current_step == 2 and d.status == Status.PROCESSING
    assert DossierAction.objects.filter(dossier=d, action="forward").count() == 1


def test_concurrent_retries_of_a_reception_make_one_dossier_and_keep_codes_gap_free(world):
    results, errors = _run(lambda i: _receive(key="same-key").pk)
    assert errors == []
    assert len(set(results)) == 1
    assert Dossier.objects.count() == 1
    assert DossierCodeCounter.objects.get().last_number == 1
