"""A double (or sextuple) click on "Nộp hồ sơ" at the same moment makes one dossier: real threads
and connections, so PostgreSQL (the in-memory SQLite test database cannot wait on locks)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from motcua.dossiers.models import Dossier, DossierAction
from motcua.portal import services
from tests.portal.applyfixtures import PDF, make_citizen, make_place, upload

THREADS = 6

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="needs row locks and real concurrent connections"
    ),
]


def test_concurrent_submissions_of_one_draft_make_one_dossier(catalog, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    place = make_place()
    user = make_citizen()
    case = catalog["case"]
    draft = services.draft_save_place(
        user=user, version=catalog["birth"], case=case, receiving_unit=place["one_stop"], commune=None
    )
    services.draft_save_applicant(
        draft=draft,
        applicant={
            "applicant_type": "citizen",
            "name": "Trần Thị Bích Ngọc",
            "id_kind": "cccd",
            "id_number": "096185000321",
            "email": "ngoc@example.vn",
        },
        proxy={},
    )
    for component in case.components.all():
        services.draft_add_upload(draft=draft, component=component, upload=upload(f"{component.pk}.pdf", PDF))
    services.draft_components_done(draft=draft)
    services.draft_consent(draft=draft)

    results, errors = [], []
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def target():
        try:
            barrier.wait()
            mine = type(draft).objects.get(pk=draft.pk)
            out = services.draft_submit(draft=mine)
            with lock:
                results.append(out.pk)
        except BaseException as exc:  # noqa: BLE001 — reported by the assertion below
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert errors == []
    assert len(results) == THREADS and len(set(results)) == 1
    assert Dossier.objects.count() == 1
    assert DossierAction.objects.filter(action="submit_online").count() == 1
    assert Dossier.objects.get().components.count() == 2
