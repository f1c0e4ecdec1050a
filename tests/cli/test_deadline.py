import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from motcua.worktime.models import WorkingHoursProfile


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("deadline", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # Tết Bính Ngọ 2026 (Mon 16/2 – Fri 20/2 closed).
        (
            ["--start", "2026-02-13T15:30", "--limit", "3", "--unit", "working_days"],
            "2026-02-25T15:30:00+07:00",
        ),
        # New-Year swap from the shipped entries: 1/1 and 2/1/2026 closed.
        (
            ["--start", "2025-12-31T16:00", "--limit", "1", "--unit", "working_days"],
            "2026-01-05T16:00:00+07:00",
        ),
        (
            ["--start", "2026-03-02T09:00", "--limit", "8", "--unit", "working_hours"],
            "2026-03-03T09:00:00+07:00",
        ),
        (["--start", "2026-03-02T09:00", "--limit", "5", "--unit", "days"], "2026-03-09T07:00:00+07:00"),
        (["--start", "2026-03-02T10:00", "--limit", "2", "--unit", "hours"], "2026-03-02T13:30:00+07:00"),
        (["--start", "2026-03-16T09:00", "--limit", "1", "--unit", "months"], "2026-04-16T09:00:00+07:00"),
        (["--start", "2026-03-02T15:10", "--unit", "same_day"], "2026-03-03T17:00:00+07:00"),
        (
            ["--start", "2026-03-02T02:00:00+00:00", "--limit", "0", "--unit", "working_days"],
            "2026-03-02T09:00:00+07:00",
        ),
        (
            ["--start", "2026-03-02T09:00", "--limit", "1.5", "--unit", "working_hours"],
            "2026-03-02T10:30:00+07:00",
        ),
    ],
)
def test_prints_only_the_due_moment(args, expected):
    out, err = run(*args)
    assert out == expected + "\n"
    assert err == ""


@pytest.mark.django_db
def test_profile_option():
    WorkingHoursProfile.objects.create(
        name="Sáng", morning_start="08:00", morning_end="12:00", afternoon_start=None, afternoon_end=None
    )
    out, _ = run("--start", "2026-03-02T09:00", "--limit", "1", "--unit", "working_days", "--profile", "Sáng")
    assert out.strip() == "2026-03-03T09:00:00+07:00"
    with pytest.raises(CommandError, match="no working-hours profile"):
        run("--start", "2026-03-02T09:00", "--limit", "1", "--unit", "working_days", "--profile", "Không có")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "2026-03-02T09:00", "--limit", "3", "--unit", "weeks"], "unknown --unit"),
        (["--start", "2026-02-30T09:00", "--limit", "3", "--unit", "days"], "invalid --start"),
        (["--start", "hôm nay", "--limit", "3", "--unit", "days"], "Thời điểm bắt đầu không hợp lệ"),
        (["--start", "2026-03-02T09:00", "--limit", "ba", "--unit", "days"], "invalid --limit"),
        (["--start", "2026-03-02T09:00", "--limit", "-1", "--unit", "days"], "non-negative"),
        (["--start", "2026-03-02T09:00", "--limit", "NaN", "--unit", "days"], "invalid --limit"),
        (["--start", "2026-03-02T09:00", "--limit", "1.5", "--unit", "months"], "whole number"),
        (["--start", "2026-03-02T09:00", "--unit", "days"], "--limit is required"),
    ],
)
def test_malformed_input_is_refused(args, message):
    with pytest.raises(CommandError, match=message) as exc:
        run(*args)
    assert exc.value.returncode != 0


def test_exit_code_and_stderr_from_the_command_line(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "motcua",
            "deadline",
            "--start",
            "2026-03-02T09:00",
            "--limit",
            "3",
            "--unit",
            "weeks",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode != 0
    assert result.stdout == ""
    assert "Đơn vị không hợp lệ" in result.stderr and "unknown --unit" in result.stderr
