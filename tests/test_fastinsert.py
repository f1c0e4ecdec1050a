"""CompiledInsert writes the row that save() writes and sends the same signals."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models.signals import post_save, pre_save
from django.forms.models import model_to_dict

from motcua.dossiers.models import Dossier, DossierAction, PersonalDataAccess
from motcua.fastinsert import CompiledInsert
from tests.dossiers.factories import MONDAY, DossierFactory

pytestmark = pytest.mark.django_db


def _unsaved_copy(d: Dossier) -> Dossier:
    """A new instance with every column of ``d`` but the key and the unique code."""
    values = {f.attname: getattr(d, f.attname) for f in Dossier._meta.concrete_fields if not f.primary_key}
    values["code"] = None
    return Dossier(**values)


def _row(model, pk) -> dict:
    return {k: v for k, v in model.objects.filter(pk=pk).values()[0].items() if k != "id"}


def test_the_same_row_and_the_same_signals_as_save():
    source = DossierFactory(received_at=MONDAY, due_at=MONDAY)
    seen = []

    def record(signal_name):
        def receiver(sender, instance, **kwargs):
            seen.append(
                (
                    signal_name,
                    sender,
                    instance.pk is not None,
                    {k: v for k, v in kwargs.items() if k != "signal"},
                )
            )

        return receiver

    receivers = [(pre_save, record("pre")), (post_save, record("post"))]
    for signal, receiver in receivers:
        signal.connect(receiver, sender=Dossier)
    try:
        by_save = _unsaved_copy(source)
        by_save.save()
        saved_signals, seen[:] = list(seen), []
        fast = CompiledInsert(Dossier).insert(_unsaved_copy(source))
        fast_signals = list(seen)
    finally:
        for signal, receiver in receivers:
            signal.disconnect(receiver, sender=Dossier)
    assert fast.pk and fast.pk != by_save.pk and not fast._state.adding and fast._state.db == "default"
    assert fast_signals == saved_signals
    assert [s[0] for s in fast_signals] == ["pre", "post"] and fast_signals[1][3]["created"] is True
    fast_row, saved_row = _row(Dossier, fast.pk), _row(Dossier, by_save.pk)
    # auto_now columns are filled as save() fills them: with the moment of the insert.
    for moment in ("created_at", "updated_at"):
        assert abs(fast_row.pop(moment) - saved_row.pop(moment)).total_seconds() < 5
    assert fast_row == saved_row


def test_an_action_row_is_the_one_create_writes():
    d = DossierFactory()
    action = DossierAction(
        dossier=d, action="forward", actor_role="specialist", at=MONDAY, to_status="processing"
    )
    CompiledInsert(DossierAction).insert(action)
    reference = DossierAction.objects.create(
        dossier=d, action="forward", actor_role="specialist", at=MONDAY, to_status="processing"
    )
    assert _row(DossierAction, action.pk) == _row(DossierAction, reference.pk)
    assert model_to_dict(action) | {"id": None} == model_to_dict(reference) | {"id": None}


def test_a_database_error_is_django_s_and_rolls_back_the_savepoint():
    d = DossierFactory(code="H12-250101-0001")
    twin = _unsaved_copy(d)
    twin.code = d.code  # unique
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            CompiledInsert(Dossier).insert(twin)
    assert Dossier.objects.filter(code=d.code).count() == 1


def test_refuses_what_it_cannot_insert_exactly():
    inserter = CompiledInsert(PersonalDataAccess)
    with pytest.raises(ValueError):
        inserter.insert(DossierFactory())  # another model
    d = DossierFactory()
    with pytest.raises(ValueError):
        CompiledInsert(Dossier).insert(d)  # already saved


@pytest.mark.parametrize("count", [1, 3])
def test_insert_many_writes_what_bulk_create_writes(count, tmp_path, settings):
    from django.core.files.base import ContentFile

    from motcua.dossiers.models import DossierComponent

    settings.MEDIA_ROOT = tmp_path
    d = DossierFactory()

    def papers():
        return [
            DossierComponent(
                dossier=d,
                name=f"Giấy {i}",
                originals=1,
                copies=i,
                file=ContentFile(b"%PDF-1.4 x", name=f"g{i}.pdf"),
            )
            for i in range(count)
        ]

    fast = CompiledInsert(DossierComponent).insert_many(papers())
    slow = DossierComponent.objects.bulk_create(papers())
    assert all(p.pk and not p._state.adding for p in fast)
    assert len({p.pk for p in fast + slow}) == 2 * count
    for a, b in zip(fast, slow, strict=True):
        ra, rb = _row(DossierComponent, a.pk), _row(DossierComponent, b.pk)
        assert (
            ra.pop("file").split("/")[-1][:2] == rb.pop("file").split("/")[-1][:2]
        )  # stored, names may differ
        assert ra == rb


@pytest.mark.parametrize("delay", [False, True])
def test_the_task_queue_writes_the_library_s_row(settings, delay):
    """motcua.taskqueue.DatabaseBackend writes the DBTaskResult row that django-tasks-db writes."""
    import datetime as dt

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from motcua.feedback.tasks import deliver_notification

    settings.TASKS = {
        "default": {"BACKEND": "motcua.taskqueue.DatabaseBackend", "QUEUES": ["default"]},
        "library": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
    }
    when = timezone.now() + dt.timedelta(minutes=5)
    results = []
    for alias in ("default", "library"):
        t = deliver_notification.using(backend=alias)
        if delay:
            t = t.using(run_after=when)
        results.append(t.enqueue("dossier_action", 42, "sms"))
    ours, theirs = (DBTaskResult.objects.get(pk=r.id) for r in results)
    skip = {"id", "enqueued_at", "backend_name"}
    assert {k: v for k, v in model_to_dict(ours).items() if k not in skip} == {
        k: v for k, v in model_to_dict(theirs).items() if k not in skip
    }
    assert (ours.backend_name, theirs.backend_name) == ("default", "library")
    assert results[0].status == results[1].status and results[0].args == ["dossier_action", 42, "sms"]
