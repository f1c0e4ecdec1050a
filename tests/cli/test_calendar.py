from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from motcua.worktime.models import CalendarEntry

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("calendar", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_load_prints_the_count(tmp_path):
    path = tmp_path / "lich.csv"
    path.write_text(
        "date,kind,name\n2027-02-05,holiday,Tết Đinh Mùi\n2027-02-08,holiday,Tết\n", encoding="utf-8"
    )
    out = run("load", str(path))
    assert "2" in out and "loaded 2 rows" in out
    assert CalendarEntry.objects.filter(date__year=2027).count() == 2


def test_load_bad_row_names_the_line_and_loads_nothing(tmp_path):
    path = tmp_path / "lich.csv"
    path.write_text(
        "date,kind,name\n2027-02-05,holiday,Tết\n2027-02-08,holiday,Tết\n2027-02-09,nghỉ,Tết\n",
        encoding="utf-8",
    )
    before = CalendarEntry.objects.count()
    with pytest.raises(CommandError, match="line 4") as exc:
        run("load", str(path))
    assert exc.value.returncode != 0
    assert CalendarEntry.objects.count() == before
    assert not CalendarEntry.objects.filter(date=date(2027, 2, 5)).exists()


def test_load_missing_file(tmp_path):
    with pytest.raises(CommandError, match="file not found"):
        run("load", str(tmp_path / "khong-co.csv"))


def test_show_lists_closed_weekdays_and_worked_weekends():
    out = run("show", "--year", "2026")
    assert "2026-01-02 Fri  closed" in out
    assert "2026-01-10 Sat  working" in out
    assert "2026-08-22 Sat  working" in out
    assert "2026-11-24 Tue  closed" in out
    assert "2026-01-03" not in out  # an ordinary Saturday is not listed


def test_show_includes_package_only_days():
    out = run("show", "--year", "2027")
    assert "2027-09-02 Thu  closed" in out and "[package]" in out
