"""The rollups' record of the states a transaction stored (``rollups._stored_states``): it saves
the reception the state read of its own action, and must never be trusted across a rolled-back
savepoint or transaction."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from motcua.dossiers.models import Channel, Dossier
from motcua.dossiers.services import dossier_perform, dossier_receive
from motcua.indicators.models import DossierRollupState

from .conftest import TZ
from .test_rollups import ALL_ROLES, assert_rebuild_equals_incremental

T0 = dt.datetime(2025, 8, 4, 9, tzinfo=TZ)


def receive(world, at=T0) -> Dossier:
    return dossier_receive(
        case=world.c_plain,
        channel=Channel.DIRECT,
        receiving_unit=world.centre,
        resolving_agency=world.department,
        applicant={"applicant_type": "citizen", "name": "Nguyễn Văn A", "phone": "0912345678"},
        actor=None,
        roles=["receiving_officer"],
        received_at=at,
    )


def state_reads(ctx) -> list[str]:
    table = DossierRollupState._meta.db_table
    return [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT") and table in q["sql"]]


def test_a_reception_does_not_read_back_the_state_it_wrote(world):
    with CaptureQueriesContext(connection) as ctx:
        d = receive(world)
    assert state_reads(ctx) == []
    assert DossierRollupState.objects.get(dossier=d).received_day == T0.date()
    assert_rebuild_equals_incremental()


def test_a_later_action_in_a_new_transaction_reads_the_stored_state(world):
    d = receive(world)
    with CaptureQueriesContext(connection) as ctx:
        dossier_perform(
            dossier=d, action="forward", actor=None, roles=ALL_ROLES, now=T0 + dt.timedelta(hours=2)
        )
    # The test's transaction is still open, so the record may answer; either way the rollups agree.
    assert len(state_reads(ctx)) <= 1
    assert_rebuild_equals_incremental()


def test_a_rolled_back_savepoint_is_not_trusted(world):
    d = receive(world)
    d.refresh_from_db()
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            d.synced = True
            d.save()  # the state row now says synced … inside the savepoint only
            raise RuntimeError
    # The savepoint is gone: the row says "not synced" again. Saving the same change must count it.
    with CaptureQueriesContext(connection) as ctx:
        d.save()
    assert len(state_reads(ctx)) == 1
    assert DossierRollupState.objects.get(dossier=d).flags & 1  # SYNCED
    assert_rebuild_equals_incremental()


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_is_not_trusted(world):
    d = receive(world)
    d.refresh_from_db()

    @transaction.atomic  # one Atomic object reused by every call, as the services' decorators
    def save_synced(dossier, fail: bool):
        dossier.synced = True
        dossier.save()
        if fail:
            raise RuntimeError

    with pytest.raises(RuntimeError):
        save_synced(d, True)
    assert not DossierRollupState.objects.get(dossier=d).flags & 1
    save_synced(d, False)  # the same change again, in a new transaction of the same decorator
    assert DossierRollupState.objects.get(dossier=d).flags & 1
    assert_rebuild_equals_incremental()
