"""An evaluation and a petition change the dossier's satisfaction facts with ``update()``; the
766 rollups must follow in the same transaction, exactly as a rebuild from facts would give."""

from __future__ import annotations

import pytest

from motcua.dossiers.models import Dossier
from motcua.feedback.services import evaluation_submit, petition_submit
from motcua.indicators.rollups import rollup_rebuild
from tests.indicators.test_rollups import rollup_rows

from .conftest import SCORES, finish, receive

pytestmark = pytest.mark.django_db


def test_evaluation_and_petition_keep_rollups_equal_to_a_rebuild(world):
    unhappy = finish(receive(world, user=world["citizen"]))
    complained = finish(receive(world, user=world["citizen"]))
    before = rollup_rows()

    evaluation_submit(dossier=unhappy, user=world["citizen"], scores=SCORES, satisfied=False)
    petition_submit(
        category="handling",
        content="Kết quả trả chậm so với giấy hẹn.",
        idempotency_key="rollup-1",
        user=world["citizen"],
        dossier_code=complained.code,
    )
    assert Dossier.objects.get(pk=unhappy.pk).satisfied is False
    assert Dossier.objects.get(pk=complained.pk).petition is True

    incremental = rollup_rows()
    assert incremental != before  # the facts moved dossiers between satisfaction buckets
    rollup_rebuild()
    assert rollup_rows() == incremental
