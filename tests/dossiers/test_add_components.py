"""Papers added to an existing dossier through the dossiers services (``dossier_add_components``,
``dossier_attach_file``): rows written, the ``digitized`` fact recomputed as at reception
(Decree 118/2025 Art. 17(1)(c)) with the rollups following it, components of another case
refused, one transaction, idempotent file attachment and the status rule."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum

from motcua.catalog.models import Component
from motcua.dossiers.lifecycle import LifecycleError
from motcua.dossiers.models import Dossier, DossierComponent, Status
from motcua.dossiers.papers import dossier_add_components, dossier_attach_file
from motcua.dossiers.services import dossier_receive
from motcua.indicators.models import COUNTERS, Grain, Rollup
from motcua.indicators.rollups import rollup_rebuild

from .factories import MONDAY, ProcedureCaseFactory

pytestmark = pytest.mark.django_db

APPLICANT = {"applicant_type": "citizen", "name": "Trần Thị B", "phone": "0912345678"}
RECEIVING = ["receiving_officer"]
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def components(case):
    return (
        Component.objects.create(case=case, order=1, name="Tờ khai"),
        Component.objects.create(case=case, order=2, name="Bản sao CCCD"),
    )


@pytest.fixture
def receive(case, one_stop, resolver, officer):
    def _receive(**kwargs):
        return dossier_receive(
            case=case,
            channel="direct",
            receiving_unit=one_stop,
            resolving_agency=resolver,
            applicant=APPLICANT,
            actor=officer,
            roles=RECEIVING,
            received_at=MONDAY,
            **kwargs,
        )

    return _receive


def scan(name: str = "scan.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def digitized_count() -> int:
    """The rollups' count of received dossiers digitized (with their e-result where required)."""
    return Rollup.objects.filter(grain=Grain.DAY).aggregate(n=Sum("digitized_e_ok"))["n"] or 0


def rollup_rows() -> set:
    return {
        (
            r.grain,
            r.day,
            r.receiving_unit_id,
            r.resolving_agency_id,
            r.procedure_version_id,
            r.channel,
            counts,
        )
        for r in Rollup.objects.all()
        if any(counts := tuple(getattr(r, c) for c in COUNTERS))
    }


def assert_rollups_equal_rebuild():
    incremental = rollup_rows()
    rollup_rebuild()
    assert rollup_rows() == incremental


def test_rows_are_written_and_digitized_follows_in_both_directions(receive, components):
    d = receive()
    assert d.digitized is False  # no paper listed at reception
    first, second = components
    rows = dossier_add_components(
        dossier=d,
        items=[
            {"component": first, "originals": 1, "file": scan("to-khai.pdf")},
            {"component": str(second.pk), "copies": 2, "file": scan("cccd.pdf")},
        ],
    )
    assert [r.pk is not None for r in rows] == [True, True]
    stored = list(d.components.order_by("id").values_list("component_id", "name", "originals", "copies"))
    assert stored == [(first.pk, "Tờ khai", 1, 0), (second.pk, "Bản sao CCCD", 0, 2)]
    assert all(r.file.read() == PDF for r in d.components.all())
    # Every paper scanned: digitized, in the row, on the caller's instance and in the rollups.
    assert Dossier.objects.get(pk=d.pk).digitized is True and d.digitized is True
    assert digitized_count() == 1
    assert_rollups_equal_rebuild()
    # A paper listed without its scan makes it false again.
    dossier_add_components(dossier=d, items=[{"name": "Giấy chứng sinh", "copies": 1}])
    assert Dossier.objects.get(pk=d.pk).digitized is False
    assert digitized_count() == 0
    assert_rollups_equal_rebuild()


def test_the_last_paper_scanned_makes_the_dossier_digitized(receive, components):
    first, second = components
    d = receive(components=[{"component": first, "file": "dossiers/to-khai.pdf"}, {"component": second}])
    assert d.digitized is False and digitized_count() == 0
    unscanned = d.components.get(component=second)
    row, created = dossier_attach_file(dossier=d, file=scan(), roles=RECEIVING, component=second)
    # The paper listed at reception got the file: no extra row.
    assert (created, row.pk, d.components.count()) == (True, unscanned.pk, 2)
    assert Dossier.objects.get(pk=d.pk).digitized is True
    assert digitized_count() == 1
    assert_rollups_equal_rebuild()


def test_a_component_of_another_case_is_refused_and_nothing_is_written(receive, components):
    d = receive()
    other = Component.objects.create(case=ProcedureCaseFactory(), order=1, name="Khác")
    for value in (other, other.pk, "abc"):
        with pytest.raises(LifecycleError) as err:
            dossier_add_components(dossier=d, items=[{"component": components[0]}, {"component": value}])
        assert err.value.code == "component_invalid" and err.value.field == "component"
        assert "không thuộc trường hợp thủ tục" in err.value.message_vi
    with pytest.raises(LifecycleError) as err:
        dossier_attach_file(dossier=d, file=scan(), roles=RECEIVING, component=other)
    assert err.value.code == "component_invalid"
    assert not DossierComponent.objects.filter(dossier=d).exists()
    # The reception refuses it too (as before, for a component given by id).
    with pytest.raises(Component.DoesNotExist):
        receive(components=[{"component": other}])


@pytest.mark.parametrize(
    ("item", "code", "field"),
    [
        ({"name": "  "}, "name_invalid", "name"),
        ({"name": "Tờ khai\x00"}, "name_invalid", "name"),
        ({"name": "Tờ khai", "copies": -1}, "payload_invalid", "copies"),
        ({"name": "Tờ khai", "file": scan(content=b"")}, "file_invalid", "file"),
        ({"name": "Tờ khai", "file": "dossiers/x.pdf"}, "file_invalid", "file"),
    ],
)
def test_invalid_items_are_refused_before_any_row(receive, item, code, field):
    d = receive()
    with pytest.raises(LifecycleError) as err:
        dossier_add_components(dossier=d, items=[{"name": "Đơn đề nghị", "file": scan()}, item])
    assert (err.value.code, err.value.field) == (code, field)
    assert err.value.message_vi and err.value.message_en
    assert not DossierComponent.objects.filter(dossier=d).exists()
    with pytest.raises(LifecycleError):
        dossier_add_components(dossier=d, items=[])


def test_a_failure_after_the_rows_are_written_leaves_no_row(receive, monkeypatch):
    d = receive()

    def broken(*args, **kwargs):
        raise RuntimeError("rollup store unavailable")

    # The rollup receiver runs on the dossier's save, after the rows were inserted.
    monkeypatch.setattr("motcua.indicators.signals.rollup_sync", broken)
    with pytest.raises(RuntimeError):
        dossier_add_components(dossier=d, items=[{"name": "Tờ khai", "file": scan()}])
    monkeypatch.undo()
    assert not DossierComponent.objects.filter(dossier=d).exists()
    assert Dossier.objects.get(pk=d.pk).digitized is False
    assert digitized_count() == 0


def test_attach_is_idempotent_by_key_and_follows_the_status_rule(receive, components):
    first = components[0]
    d = receive(components=[{"component": first}])
    row, created = dossier_attach_file(
        dossier=d, file=scan(), roles=RECEIVING, component=first, idempotency_key="scan-1"
    )
    assert created and "-k" in row.file.name
    # A retry with the same key and bytes returns the paper, even after the status moved on.
    Dossier.objects.filter(pk=d.pk).update(status=Status.PROCESSING)
    again, created = dossier_attach_file(
        dossier=d, file=scan(), roles=RECEIVING, component=first, idempotency_key="scan-1"
    )
    assert (again.pk, created) == (row.pk, False)
    with pytest.raises(LifecycleError) as err:
        dossier_attach_file(
            dossier=d,
            file=scan(content=PDF + b"%other"),
            roles=RECEIVING,
            component=first,
            idempotency_key="scan-1",
        )
    assert err.value.code == "idempotency_key_reused"
    with pytest.raises(LifecycleError) as err:
        dossier_attach_file(dossier=d, file=scan(), roles=RECEIVING, component=first, idempotency_key="new")
    assert err.value.code == "files_not_allowed" and "Đang xử lý" in err.value.message_vi
    Dossier.objects.filter(pk=d.pk).update(status=Status.RECEIVED)
    with pytest.raises(LifecycleError) as err:
        dossier_attach_file(dossier=d, file=scan(), roles=["applicant"], component=first)
    assert err.value.code == "role_not_allowed"
    # A scanned paper gets one more row for a second file (a second page).
    paper = d.components.get()
    extra, created = dossier_attach_file(dossier=d, file=scan(), roles=RECEIVING, paper=paper)
    assert created and extra.pk != paper.pk and (extra.component_id, extra.name) == (first.pk, "Tờ khai")
    assert d.components.count() == 2
