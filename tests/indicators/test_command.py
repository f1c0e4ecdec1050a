import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from motcua.dossiers.models import Channel

ISSUE_TOP = {"profile", "unit", "period", "total", "max_total", "groups"}
ISSUE_GROUP = {"code", "name", "score", "max_score", "indicators"}
ISSUE_INDICATOR = {"code", "name", "numerator", "denominator", "ratio", "score", "max_score", "rule"}


def run(*args):
    out = StringIO()
    call_command("indicators", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_json_shape_as_the_issue_gives(world):
    world.dossier(channel=Channel.ONLINE, synced=True)
    data = json.loads(run("--unit", "province", "--period", "2025-Q3", "--format", "json"))
    assert ISSUE_TOP <= set(data)
    assert (data["profile"], data["unit"], data["period"]) == ("dvcqg-2026", "province", "2025-Q3")
    assert [g["code"] for g in data["groups"]] == [
        "TRANSPARENCY",
        "PROGRESS",
        "ONLINE_SERVICE",
        "ONLINE_PAYMENT",
        "SATISFACTION",
        "DIGITIZATION",
    ]
    for g in data["groups"]:
        assert ISSUE_GROUP <= set(g)
        for i in g["indicators"]:
            assert set(i) == ISSUE_INDICATOR
    codes = {i["code"] for g in data["groups"] for i in g["indicators"]}
    assert {
        "PUBLISH_ON_TIME",
        "DOSSIER_SYNC",
        "DOSSIER_RECEIVING_SATISFACTION",
        "ORIGINAL_RESULT_AVAILABLE",
        "REUSED_DIGITIZED_DATA",
        "ON_TIME",
        "ONLINE_TTHC",
        "ONLINE_SERVICE_USED",
        "ONLINE_DOSSIER",
        "PAYMENT_DOSSIER",
        "PAYMENT_TTHC_USED",
        "PAYMENT_TTHC_INTEGRATED",
    } <= codes
    sync = next(i for g in data["groups"] for i in g["indicators"] if i["code"] == "DOSSIER_SYNC")
    assert sync["ratio"] == 1.0 and sync["score"] == 6.0
    on_time_payment = next(
        i for g in data["groups"] for i in g["indicators"] if i["code"] == "PAYMENT_DOSSIER"
    )
    assert on_time_payment["score"] is None  # JSON null, not 0


def test_qd766_profile_and_unit_code(world):
    world.dossier(resolving_agency=world.commune, receiving_unit=world.commune_desk)
    data = json.loads(
        run("--unit", "000.00.32.H12", "--period", "2025-08", "--profile", "qd766-2022", "--format", "json")
    )
    assert data["profile"] == "qd766-2022" and data["unit"] == "000.00.32.H12"
    assert [g["nominal_max_score"] for g in data["groups"]] == [18, 20, 22, 22, 18]


def test_table_is_vietnamese_and_shows_nulls_as_dashes(world):
    world.dossier()
    out = run("--period", "2025-Q3")
    assert "Tiến độ giải quyết" in out and "Tổng điểm" in out
    assert "—" in out


def test_compare_flag(world):
    world.dossier(synced=True)
    out = run("--period", "2025-Q3", "--compare")
    assert "Cùng kỳ: 2025-Q3 so với 2024-Q3" in out
    data = json.loads(run("--period", "2025-Q3", "--compare", "--format", "json"))
    assert data["previous_period"] == "2024-Q3"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2025-Q9"], "Kỳ không hợp lệ"),
        (["--unit", "000.99.99.H99", "--period", "2025"], "Không tìm thấy"),
    ],
)
def test_bad_arguments(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
