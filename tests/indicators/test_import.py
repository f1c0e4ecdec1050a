"""``motcua import dossiers FILE.jsonl`` (issue 6 point 6): validation with line numbers, unknown
procedure or unit refused, all or nothing, --dry-run, idempotent by code, facts and rollups."""

import json

import pytest
from django.core.management import CommandError, call_command

from motcua.dossiers.models import Dossier, DossierAction, DossierSource, Status
from motcua.indicators.importer import ImportFileError, import_dossiers
from motcua.indicators.periods import parse_period
from motcua.indicators.rollups import use_source
from motcua.indicators.selectors import PROVINCE_SCOPE, indicator_counts, resolve_scope

AUG = parse_period("2025-08")


def line(world, **over):
    base = {
        "code": "000.00.10.H12-250804-0001",
        "procedure": world.v_paper.procedure.code,
        "receiving_unit": "000.00.01.H12",
        "resolving_unit": "000.00.10.H12",
        "channel": "online",
        "applicant_kind": "citizen",
        "submitted_at": "2025-08-04T08:00:00+07:00",
        "received_at": "2025-08-04T09:00:00+07:00",
        "due_at": "2025-08-07T17:00:00+07:00",
        "finished_at": "2025-08-06T10:00:00+07:00",
        "returned_at": "2025-08-06T15:00:00+07:00",
        "status": 10,
        "supplements": [],
        "extended_due_at": None,
        "components": [
            {"paper_code": "TK01", "digitized": True, "reused": True, "from_store": False},
            {"paper_code": "CCCD", "digitized": True, "reused": False, "from_store": True},
        ],
        "paper_result_required": True,
        "e_result": {"code": "KQ-0001", "file": "kq.pdf"},
        "fees": [{"amount": 50000, "paid_online": True}],
        "vneid_verified": True,
        "population_data": None,
        "synced_at": "2025-08-04T09:05:00+07:00",
        "evaluation": {"satisfied": True, "petition": False},
    }
    base.update(over)
    return json.dumps(base, ensure_ascii=False)


def write(tmp_path, lines):
    path = tmp_path / "bac-lieu.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_import_computes_facts_logs_and_rolls_up(world, tmp_path):
    late = line(
        world,
        code="B-2",
        channel="direct",
        finished_at="2025-08-20T10:00:00+07:00",
        returned_at=None,
        status=9,
        supplements=[
            {"requested_at": "2025-08-05T09:00:00+07:00", "completed_at": "2025-08-06T09:00:00+07:00"}
        ],
        extended_due_at="2025-08-12T17:00:00+07:00",
        e_result=None,
        fees=[{"amount": 50000, "paid_online": False}],
        vneid_verified=None,
        synced_at=None,
        evaluation={"satisfied": False, "petition": True},
        components=[{"paper_code": "TK01", "digitized": False, "reused": False, "from_store": False}],
    )
    path = write(tmp_path, [line(world), "", late])
    call_command("import", "dossiers", path)
    a, b = Dossier.objects.get(code="000.00.10.H12-250804-0001"), Dossier.objects.get(code="B-2")
    assert a.source == b.source == DossierSource.IMPORTED
    assert (a.status, a.outcome_portal, a.is_online, a.digitized, a.e_result, a.e_result_code) == (
        Status.RETURNED,
        "on_time",
        True,
        True,
        True,
        "KQ-0001",
    )
    assert (a.reused_components, a.store_components, a.fee_amount, a.paid_online, a.paid_online_amount) == (
        1,
        1,
        50000,
        True,
        50000,
    )
    assert (a.synced, a.vneid_verified, a.satisfied, a.evaluated) == (True, True, True, True)
    assert (b.status, b.extended, b.supplement_count, b.paused_minutes, b.outcome_portal) == (
        Status.RESOLVED,
        True,
        1,
        24 * 60,
        "late",
    )
    assert b.original_due_at.isoformat() == "2025-08-07T10:00:00+00:00"
    assert [x.action for x in DossierAction.objects.filter(dossier=a)] == ["import"]
    counts = indicator_counts(PROVINCE_SCOPE, AUG)
    assert counts["ON_TIME"] == {"numerator": 1, "denominator": 2}
    assert counts["DOSSIER_SYNC"] == {"numerator": 1, "denominator": 2}
    assert counts["PAYMENT_DOSSIER"] == {"numerator": 1, "denominator": 2}
    assert counts["REUSED_DIGITIZED_DATA"] == {"numerator": 1, "denominator": 2}
    assert counts["SYNCED_WITH_DVCQG_PERSONAL_STORAGE"] == {"numerator": 1, "denominator": 2}
    assert counts["CITIZEN_DATA_CONNECTED_DOSSIER"] == {"numerator": 1, "denominator": 2}
    assert counts["DOSSIER_RECEIVING_SATISFACTION"] == {"numerator": 1, "denominator": 2}
    assert counts["ORIGINAL_RESULT_AVAILABLE"] == {"numerator": 1, "denominator": 2}
    with use_source("facts"):
        assert indicator_counts(PROVINCE_SCOPE, AUG) == counts
    commune = indicator_counts(resolve_scope("000.00.32.H12"), AUG)
    assert commune["DOSSIER_SYNC"] == {"numerator": 0, "denominator": 0}


def test_reimport_is_idempotent_and_updates_in_place(world, tmp_path):
    path = write(tmp_path, [line(world)])
    call_command("import", "dossiers", path)
    call_command("import", "dossiers", path)
    assert Dossier.objects.count() == 1 and DossierAction.objects.count() == 1
    # The other system corrected the dossier: the same code is updated, one more log row.
    path = write(tmp_path, [line(world, synced_at=None)])
    call_command("import", "dossiers", path)
    d = Dossier.objects.get()
    assert d.synced is False and d.version == 2
    assert list(d.actions.values_list("action", "from_status")) == [("import", ""), ("import", "returned")]
    assert indicator_counts(PROVINCE_SCOPE, AUG)["DOSSIER_SYNC"] == {"numerator": 0, "denominator": 1}


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"procedure": "9.999999"}, "không có thủ tục mã '9.999999'"),
        ({"receiving_unit": "000.00.77.H12"}, "không có đơn vị tiếp nhận"),
        ({"resolving_unit": "000.00.78.H12"}, "không có cơ quan giải quyết"),
        ({"channel": "fax"}, "'channel' phải là"),
        ({"status": 11}, "mã trạng thái quốc gia 1–10"),
        ({"received_at": "2025-08-04 09:00"}, "phải có múi giờ"),
        ({"finished_at": "2025-08-01T09:00:00+07:00"}, "'finished_at' trước 'received_at'"),
        ({"status": 4}, "không có 'finished_at'"),
        ({"fees": [{"amount": -1, "paid_online": True}]}, "không âm"),
        ({"colour": "red"}, "khóa không biết: colour"),
        ({"e_result": {"file": "x.pdf"}}, "'e_result' phải là"),
    ],
)
def test_a_bad_line_refuses_the_whole_file_with_its_number(world, tmp_path, over, message):
    good = line(world, code="OK-1")
    bad = line(world, code="BAD-1", **over)
    with pytest.raises(ImportFileError) as exc:
        import_dossiers([good, "", bad])
    assert exc.value.errors[0][0] == 3 and message in exc.value.errors[0][1], exc.value.errors
    assert not Dossier.objects.exists()


def test_command_reports_lines_and_imports_nothing(world, tmp_path, capsys):
    path = write(tmp_path, [line(world, code="A"), "{not json", line(world, code="A")])
    with pytest.raises(CommandError, match="không nhập hồ sơ nào"):
        call_command("import", "dossiers", path)
    err = capsys.readouterr().err
    assert f"{path}:2: JSON không hợp lệ" in err and f"{path}:3: mã hồ sơ 'A' trùng với dòng 1" in err
    assert not Dossier.objects.exists() and not DossierAction.objects.exists()


def test_dry_run_writes_nothing(world, tmp_path, capsys):
    path = write(tmp_path, [line(world, code="A"), line(world, code="B")])
    call_command("import", "dossiers", path, "--dry-run")
    assert "2 mới" in capsys.readouterr().out
    assert not Dossier.objects.exists()


def test_a_live_dossier_code_is_not_overwritten(world):
    world.dossier(code="LIVE-1")
    with pytest.raises(ImportFileError, match="không phải hồ sơ nhập"):
        import_dossiers([line(world, code="LIVE-1")])


def test_open_and_waiting_dossiers(world):
    waiting = line(
        world,
        code="W",
        status=5,
        finished_at=None,
        returned_at=None,
        supplements=[{"requested_at": "2025-08-05T09:00:00+07:00", "completed_at": None}],
    )
    closed = line(
        world,
        code="C",
        status=8,
        finished_at="2025-08-25T09:00:00+07:00",
        returned_at=None,
        supplements=[{"requested_at": "2025-08-05T09:00:00+07:00", "completed_at": None}],
    )
    withdrawn = line(
        world, code="X", status=7, received_at=None, finished_at=None, returned_at=None, due_at=None
    )
    import_dossiers([waiting, closed, withdrawn])
    statuses = dict(Dossier.objects.values_list("code", "status"))
    assert statuses == {
        "W": Status.SUPPLEMENT_REQUESTED,
        "C": Status.CLOSED_UNANSWERED,
        "X": Status.WITHDRAWN,
    }
    # Closed while waiting: measured at the request (05/8 ≤ due 07/8) → on time; W open, waiting → on time.
    assert indicator_counts(PROVINCE_SCOPE, AUG)["ON_TIME"] == {"numerator": 2, "denominator": 2}
