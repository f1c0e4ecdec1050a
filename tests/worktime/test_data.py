"""Django side: shipped schedule, cached calendar selector, working-hours selector, CSV service."""

import io
from datetime import date, datetime, time

import pytest

from motcua.worktime import defaults
from motcua.worktime.engine import DEFAULT_HOURS, TZ, add_time
from motcua.worktime.models import CalendarEntry, WorkingHoursProfile
from motcua.worktime.selectors import get_calendar, get_working_hours
from motcua.worktime.services import CalendarImportError, calendar_load_csv, worktime_load_defaults

pytestmark = pytest.mark.django_db


# --- shipped data (migration 0002) --------------------------------------------------------------


def test_migration_ships_the_official_schedule():
    rows = {e.date: e for e in CalendarEntry.objects.all()}
    assert rows[date(2026, 1, 2)].kind == "day_off"
    assert "12729/VPCP-KGVX" in rows[date(2026, 1, 2)].source
    assert rows[date(2026, 1, 10)].kind == "working_day"
    assert rows[date(2025, 4, 26)].kind == "working_day"
    assert rows[date(2025, 5, 2)].kind == "day_off"
    assert rows[date(2026, 4, 27)].kind == "day_off"
    assert rows[date(2026, 8, 22)].kind == "working_day"
    assert rows[date(2026, 8, 31)].kind == "day_off"
    assert rows[date(2026, 11, 24)].kind == "holiday"
    assert all(rows[date(2026, 2, d)].kind == "holiday" for d in range(16, 21))
    assert all(rows[date(2025, 1, d)].kind == "holiday" for d in range(27, 32))
    assert len(rows) == len(defaults.CALENDAR_2025_2026)
    profile = WorkingHoursProfile.objects.get(is_default=True)
    assert profile.name == "Mặc định"
    assert (profile.morning_start, profile.afternoon_end, profile.cutoff) == (time(7), time(17), time(15))


def test_load_defaults_is_idempotent_and_keeps_admin_rows():
    assert worktime_load_defaults() == 0
    CalendarEntry.objects.filter(date=date(2026, 1, 10)).update(kind="day_off", name="Tỉnh quyết định nghỉ")
    CalendarEntry.objects.filter(date=date(2026, 11, 24)).delete()
    assert worktime_load_defaults() == 1
    assert CalendarEntry.objects.get(date=date(2026, 1, 10)).kind == "day_off"
    assert CalendarEntry.objects.filter(date=date(2026, 11, 24)).exists()
    assert WorkingHoursProfile.objects.filter(name="Mặc định").count() == 1


def test_load_defaults_does_not_steal_the_default_flag():
    WorkingHoursProfile.objects.all().delete()
    WorkingHoursProfile.objects.create(name="Cà Mau", is_default=True)
    worktime_load_defaults()
    assert WorkingHoursProfile.objects.get(is_default=True).name == "Cà Mau"
    assert not WorkingHoursProfile.objects.get(name="Mặc định").is_default


# --- selectors ---------------------------------------------------------------------------------


def test_get_calendar_uses_entries_and_package():
    cal = get_calendar()
    assert not cal.is_working_day(date(2026, 1, 2))
    assert cal.is_working_day(date(2026, 1, 10))
    assert not cal.is_working_day(date(2027, 9, 2))  # from the package only
    due = add_time(datetime(2026, 2, 13, 15, 30), 3, "working_days", cal, get_working_hours())
    assert due == datetime(2026, 2, 25, 15, 30, tzinfo=TZ)


def test_get_calendar_is_cached_with_one_query(django_assert_num_queries):
    first = get_calendar()
    with django_assert_num_queries(1):
        assert get_calendar() is first


def test_get_calendar_sees_saves_updates_and_deletes():
    first = get_calendar()
    entry = CalendarEntry.objects.create(date=date(2026, 3, 4), kind="day_off", name="Bão")
    second = get_calendar()
    assert second is not first and not second.is_working_day(date(2026, 3, 4))
    entry.kind = "working_day"
    entry.save()
    assert get_calendar().is_working_day(date(2026, 3, 4))
    CalendarEntry.objects.filter(date=date(2026, 1, 10)).update(kind="day_off")  # no signals
    assert not get_calendar().is_working_day(date(2026, 1, 10))
    entry.delete()
    CalendarEntry.objects.filter(date=date(2026, 1, 10)).update(kind="working_day")
    assert get_calendar().is_working_day(date(2026, 1, 10))


def test_get_working_hours():
    assert get_working_hours() == DEFAULT_HOURS  # the shipped "Mặc định" profile
    WorkingHoursProfile.objects.create(
        name="Một buổi", morning_start=time(8), morning_end=time(12), afternoon_start=None, afternoon_end=None
    )
    assert get_working_hours("Một buổi").minutes_per_day == 240
    assert get_working_hours(WorkingHoursProfile.objects.get(name="Một buổi")).minutes_per_day == 240
    with pytest.raises(WorkingHoursProfile.DoesNotExist):
        get_working_hours("Không có")
    WorkingHoursProfile.objects.all().delete()
    assert get_working_hours() is DEFAULT_HOURS


# --- CSV import --------------------------------------------------------------------------------


def csv_file(tmp_path, text):
    path = tmp_path / "lich.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_loads_and_upserts(tmp_path):
    path = csv_file(
        tmp_path,
        "date,kind,name\n"
        "2027-02-05,holiday,Tết Đinh Mùi\n"
        "2027-02-06,working_day,Làm bù\n"
        "\n"
        "2026-01-10,day_off,Đổi ý\n",
    )
    before = CalendarEntry.objects.count()
    assert calendar_load_csv(path_or_file=path) == 3
    assert CalendarEntry.objects.count() == before + 2
    updated = CalendarEntry.objects.get(date=date(2026, 1, 10))
    assert (updated.kind, updated.name) == ("day_off", "Đổi ý")
    assert "12729" in updated.source  # an upsert without a source column keeps the cited source
    assert not get_calendar().is_working_day(date(2026, 1, 10))


def test_csv_accepts_file_objects_bom_and_source_column():
    text = "\ufeffdate,kind,name,source\n2027-02-05,holiday,Tết,Thông báo X\n"
    assert calendar_load_csv(path_or_file=io.StringIO(text)) == 1
    binary = io.BytesIO(text.encode("utf-8"))
    assert calendar_load_csv(path_or_file=binary) == 1
    assert not binary.closed
    assert CalendarEntry.objects.get(date=date(2027, 2, 5)).source == "Thông báo X"


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("2027-02-05,holiday,Tết\n2027-02-06,holiday,Tết\n2027-13-01,holiday,Sai\n", 4),
        ("2027-02-05,holiday,Tết\n2027-02-06,vacation,Tết\n", 3),
        ("2027-02-05,holiday,\n", 2),
        ("05/02/2027,holiday,Tết\n", 2),
        ("2027-02-05,holiday,Tết\n2027-02-05,day_off,Lặp\n", 3),
        ("2027-02-05,holiday\n", 2),
    ],
)
def test_csv_bad_row_names_its_line_and_loads_nothing(tmp_path, body, line):
    path = csv_file(tmp_path, "date,kind,name\n" + body)
    before = list(CalendarEntry.objects.values_list("date", "kind", "name", "source"))
    with pytest.raises(CalendarImportError) as exc:
        calendar_load_csv(path_or_file=path)
    assert exc.value.line == line
    assert f"line {line}" in str(exc.value)
    assert list(CalendarEntry.objects.values_list("date", "kind", "name", "source")) == before


def test_csv_wrong_header(tmp_path):
    with pytest.raises(CalendarImportError) as exc:
        calendar_load_csv(path_or_file=csv_file(tmp_path, "ngay,loai,ten\n2027-02-05,holiday,Tết\n"))
    assert exc.value.line == 1
