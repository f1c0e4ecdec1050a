"""Dossier codes (Decree 118/2025 Art. 28; Circular 01/2018 Art. 19): format, prefix, day, numbering."""

import json
import os
import subprocess
import sys
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from motcua.dossiers.codes import (
    DEFAULT_PORTAL_PREFIX,
    DEFAULT_TEMPLATE,
    DOSSIER_CODE_RE,
    TEMPORARY_REFERENCE_RE,
    CodeTemplate,
    dossier_code_allocate,
    parse_dossier_code,
    prefix_for,
    reception_day,
    template_from_settings,
    temporary_reference,
)
from motcua.dossiers.models import DossierCodeCounter

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CA_MAU = "000.00.12.H12"
XA_A = "000.01.12.H12"  # illustrative commune codes, not real ones
XA_B = "000.02.12.H12"
TTPVHCC = "000.10.12.H12"
MORNING = datetime(2025, 9, 15, 9, 0, tzinfo=VN)


def allocate(prefix=CA_MAU, received_at=MORNING, **kwargs) -> str:
    with transaction.atomic():
        return dossier_code_allocate(prefix=prefix, received_at=received_at, **kwargs)


# --- Rendering and parsing (no database) ---------------------------------------------------------


def test_default_template_renders_the_2018_shape():
    assert DEFAULT_TEMPLATE == CodeTemplate(date_format="%y%m%d", width=4, separator="-")
    assert DEFAULT_TEMPLATE.render(CA_MAU, date(2025, 9, 15), 7) == "000.00.12.H12-250915-0007"


def test_number_widens_past_the_width_and_is_never_truncated():
    assert DEFAULT_TEMPLATE.render(CA_MAU, date(2025, 9, 15), 9999) == "000.00.12.H12-250915-9999"
    assert DEFAULT_TEMPLATE.render(CA_MAU, date(2025, 9, 15), 10000) == "000.00.12.H12-250915-10000"
    assert parse_dossier_code("000.00.12.H12-250915-10000") == (CA_MAU, date(2025, 9, 15), 10000)


def test_template_from_settings(settings):
    assert template_from_settings() == DEFAULT_TEMPLATE
    settings.MOTCUA_DOSSIER_CODE_DATE_FORMAT = "%Y%m%d"
    settings.MOTCUA_DOSSIER_CODE_WIDTH = "6"  # environment values arrive as strings
    template = template_from_settings()
    assert template == CodeTemplate(date_format="%Y%m%d", width=6)
    assert template.render(CA_MAU, date(2025, 9, 15), 7) == "000.00.12.H12-20250915-000007"
    assert parse_dossier_code("000.00.12.H12-20250915-000007") == (CA_MAU, date(2025, 9, 15), 7)


@pytest.mark.parametrize("width", [0, -1, "four"])
def test_invalid_width_is_a_configuration_error(settings, width):
    settings.MOTCUA_DOSSIER_CODE_WIDTH = width
    with pytest.raises(ImproperlyConfigured):
        template_from_settings()


def test_a_date_format_containing_the_separator_still_parses():
    template = CodeTemplate(date_format="%Y-%m-%d")
    code = template.render(CA_MAU, date(2025, 9, 15), 3)
    assert code == "000.00.12.H12-2025-09-15-0003"
    assert parse_dossier_code(code, template) == (CA_MAU, date(2025, 9, 15), 3)


def test_parse_dossier_code():
    assert parse_dossier_code("000.00.12.H12-250915-0007") == (CA_MAU, date(2025, 9, 15), 7)
    assert DOSSIER_CODE_RE.fullmatch("000.00.12.H12-250915-0007")["prefix"] == CA_MAU


@pytest.mark.parametrize(
    "code",
    [
        "",
        "000.00.12.H12",
        "000.00.12.H12-250915",
        "000.00.12.H12-250931-0007",  # no 31 September
        "000.00.12.H12-25091-0007",
        "000.00.12.H12-250915-007",  # not padded to the width
        "000.00.12.H12-250915-00007",  # padded beyond the width
        "000.00.12.H12-250915-0000",  # numbering starts at 1
        "000.00.12.H12-250915-00a7",
        "-250915-0007",
        " 000.00.12.H12-250915-0007",
        "TMP-ABCDEFGHJK",
    ],
)
def test_malformed_codes_are_rejected_with_value_error(code):
    with pytest.raises(ValueError, match="dossier code"):
        parse_dossier_code(code)


@hsettings(max_examples=300, deadline=None)
@given(st.text())
def test_parse_raises_only_value_error(text):
    try:
        prefix, day, number = parse_dossier_code(text)
    except ValueError:
        return
    assert DEFAULT_TEMPLATE.render(prefix, day, number) == text
    assert DOSSIER_CODE_RE.fullmatch(text)


def test_temporary_reference_never_looks_like_a_code():
    refs = {temporary_reference() for _ in range(500)}
    assert len(refs) == 500
    for ref in refs:
        assert TEMPORARY_REFERENCE_RE.fullmatch(ref)
        assert not set(ref[4:]) & set("ILOU")
        assert not DOSSIER_CODE_RE.fullmatch(ref)
        with pytest.raises(ValueError):
            parse_dossier_code(ref)


# --- Prefix rule (Decree 118/2025 Art. 28(2)(a)) ---------------------------------------------------


def test_prefix_is_the_resolving_agency_not_the_receiving_counter():
    # Non-boundary reception: received at commune A's centre, resolved by commune B.
    assert prefix_for(resolving_agency_code=XA_B, receiving_unit_code=XA_A) == XA_B
    for channel in ("direct", "postal", "at_home", "online"):
        assert prefix_for(resolving_agency_code=XA_B, receiving_unit_code=XA_A, channel=channel) == XA_B


@pytest.mark.parametrize("channel", ["direct", "postal", "at_home"])
def test_group_dossier_in_person_uses_the_receiving_one_stop_unit(channel):
    assert (
        prefix_for(resolving_agency_code=XA_B, receiving_unit_code=TTPVHCC, is_group=True, channel=channel)
        == TTPVHCC
    )


def test_group_dossier_online_uses_the_national_portal(settings):
    kwargs = {
        "resolving_agency_code": XA_B,
        "receiving_unit_code": TTPVHCC,
        "is_group": True,
        "channel": "online",
    }
    assert prefix_for(**kwargs) == DEFAULT_PORTAL_PREFIX
    settings.MOTCUA_DOSSIER_CODE_PORTAL_PREFIX = "000.00.00.G99"
    assert prefix_for(**kwargs) == "000.00.00.G99"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"resolving_agency_code": XA_B, "receiving_unit_code": XA_A, "channel": "fax"},
        {"resolving_agency_code": "", "receiving_unit_code": XA_A},
        {"resolving_agency_code": "000-00", "receiving_unit_code": XA_A},
        {"resolving_agency_code": "x" * 36, "receiving_unit_code": XA_A},
    ],
)
def test_prefix_for_rejects_bad_input(kwargs):
    with pytest.raises(ValueError):
        prefix_for(**kwargs)


# --- Reception day -------------------------------------------------------------------------------


def test_day_is_the_local_reception_date():
    assert reception_day(datetime(2025, 9, 14, 23, 30, tzinfo=UTC)) == date(2025, 9, 15)
    assert reception_day(datetime(2025, 9, 14, 16, 59, tzinfo=UTC)) == date(2025, 9, 14)
    assert reception_day(datetime(2025, 9, 14, 17, 0, tzinfo=UTC)) == date(2025, 9, 15)  # local midnight
    with pytest.raises(ValueError, match="timezone-aware"):
        reception_day(datetime(2025, 9, 14, 23, 30))


# --- Allocation ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sequence_starts_at_0001_and_increments():
    assert [allocate() for _ in range(3)] == [
        "000.00.12.H12-250915-0001",
        "000.00.12.H12-250915-0002",
        "000.00.12.H12-250915-0003",
    ]
    assert DossierCodeCounter.objects.get(prefix=CA_MAU, day=date(2025, 9, 15)).last_number == 3


@pytest.mark.django_db
def test_day_boundary_in_local_time():
    late_utc = datetime(2025, 9, 14, 23, 30, tzinfo=UTC)  # 06:30 on 15/9 in Cà Mau
    assert allocate(received_at=late_utc) == "000.00.12.H12-250915-0001"
    assert allocate(received_at=datetime(2025, 9, 14, 16, 59, tzinfo=UTC)) == "000.00.12.H12-250914-0001"
    assert allocate(received_at=datetime(2025, 9, 15, 23, 59, tzinfo=VN)) == "000.00.12.H12-250915-0002"


@pytest.mark.django_db
def test_prefixes_and_days_have_separate_sequences():
    assert allocate(prefix=XA_A) == "000.01.12.H12-250915-0001"
    assert allocate(prefix=XA_B) == "000.02.12.H12-250915-0001"
    assert allocate(prefix=XA_A) == "000.01.12.H12-250915-0002"
    assert allocate(prefix=XA_A, received_at=MORNING + timedelta(days=1)) == "000.01.12.H12-250916-0001"
    assert allocate(prefix=XA_A) == "000.01.12.H12-250915-0003"


@pytest.mark.django_db
def test_rollback_gives_the_number_back():
    assert allocate() == "000.00.12.H12-250915-0001"
    with pytest.raises(RuntimeError), transaction.atomic():
        assert dossier_code_allocate(prefix=CA_MAU, received_at=MORNING) == "000.00.12.H12-250915-0002"
        raise RuntimeError("the reception failed after the code was taken")
    assert allocate() == "000.00.12.H12-250915-0002"


@pytest.mark.django_db
def test_rollback_of_the_first_allocation_of_the_day_removes_the_counter():
    with pytest.raises(RuntimeError), transaction.atomic():
        dossier_code_allocate(prefix=CA_MAU, received_at=MORNING)
        raise RuntimeError
    assert not DossierCodeCounter.objects.exists()
    assert allocate() == "000.00.12.H12-250915-0001"


@pytest.mark.django_db
def test_widening_past_9999():
    DossierCodeCounter.objects.create(prefix=CA_MAU, day=date(2025, 9, 15), last_number=9998)
    assert allocate() == "000.00.12.H12-250915-9999"
    assert allocate() == "000.00.12.H12-250915-10000"
    assert allocate() == "000.00.12.H12-250915-10001"


@pytest.mark.django_db
def test_template_override_from_settings(settings):
    settings.MOTCUA_DOSSIER_CODE_DATE_FORMAT = "%Y%m%d"
    settings.MOTCUA_DOSSIER_CODE_WIDTH = 5
    assert allocate() == "000.00.12.H12-20250915-00001"
    assert allocate(template=DEFAULT_TEMPLATE) == "000.00.12.H12-250915-0002"  # an explicit template wins


@pytest.mark.django_db
def test_invalid_prefix_and_naive_time_are_rejected():
    with pytest.raises(ValueError):
        allocate(prefix="000.00.12.H12-x")
    with pytest.raises(ValueError, match="timezone-aware"):
        allocate(received_at=datetime(2025, 9, 15, 9, 0))
    assert not DossierCodeCounter.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_allocation_outside_a_transaction_is_refused():
    with pytest.raises(TransactionManagementError, match="reception transaction"):
        dossier_code_allocate(prefix=CA_MAU, received_at=MORNING)
    assert not DossierCodeCounter.objects.exists()


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite configuration check")
def test_sqlite_uses_immediate_transactions():
    # The gap-free guarantee on SQLite rests on BEGIN IMMEDIATE (settings.py); check it is there.
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


# --- Concurrency -----------------------------------------------------------------------------------

THREADS = 8
PER_THREAD = 10


def _allocate_concurrently(prefix: str) -> tuple[list[str], list[BaseException]]:
    codes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def work():
        try:
            start.wait()
            for _ in range(PER_THREAD):
                with transaction.atomic():
                    code = dossier_code_allocate(prefix=prefix, received_at=MORNING)
                with lock:
                    codes.append(code)
        except BaseException as exc:  # reported to the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return codes, errors


def _assert_unique_and_gap_free(codes: list[str]) -> None:
    assert len(codes) == len(set(codes)) == THREADS * PER_THREAD
    assert sorted(parse_dossier_code(c)[2] for c in codes) == list(range(1, THREADS * PER_THREAD + 1))


@pytest.mark.django_db(transaction=True)
def test_concurrent_allocations_are_unique_and_gap_free():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip(
            "the in-memory SQLite test database is shared between threads through SQLite's shared cache, "
            "whose table locks fail at once ('database table is locked') instead of waiting on busy_timeout; "
            "test_concurrent_allocations_on_a_sqlite_file_database covers SQLite with the production setup"
        )
    codes, errors = _allocate_concurrently(CA_MAU)
    assert errors == []
    _assert_unique_and_gap_free(codes)
    assert DossierCodeCounter.objects.get(prefix=CA_MAU).last_number == THREADS * PER_THREAD


_SQLITE_FILE_SCRIPT = """
import json, django
django.setup()
from django.core.management import call_command
from django.db import connection
assert connection.vendor == "sqlite" and not connection.is_in_memory_db()
call_command("migrate", "dossiers", verbosity=0)
from tests.dossiers.test_codes import CA_MAU, _allocate_concurrently
codes, errors = _allocate_concurrently(CA_MAU)
print(json.dumps({"codes": codes, "errors": [repr(e) for e in errors]}))
"""


def test_concurrent_allocations_on_a_sqlite_file_database(tmp_path):
    """The same 8 × 10 threads on a SQLite file in WAL mode with BEGIN IMMEDIATE, as settings.py sets it up.

    It runs in a fresh interpreter because the test database of this process is in memory (or
    PostgreSQL); the file database is created under ``tmp_path``.
    """
    env = {
        **os.environ,
        "DATABASE_URL": "",
        "MOTCUA_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "motcua.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", _SQLITE_FILE_SCRIPT],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["errors"] == []
    _assert_unique_and_gap_free(outcome["codes"])
    assert (tmp_path / "motcua.sqlite3").exists()
