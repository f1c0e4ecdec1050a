"""Writes of working-time data (calendar entries, working-hours profiles)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO

from django.db import transaction

from motcua.worktime import defaults
from motcua.worktime.models import CalendarEntry, WorkingHoursProfile

CSV_HEADER = ("date", "kind", "name")
_KINDS = {choice.value for choice in CalendarEntry.Kind}
_NAME_MAX = CalendarEntry._meta.get_field("name").max_length
_SOURCE_MAX = CalendarEntry._meta.get_field("source").max_length


class CalendarImportError(ValueError):
    """A calendar CSV was rejected; nothing was loaded. ``errors`` is ``[(line, message), ...]``."""

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        self.errors = errors
        lines = "; ".join(f"dòng/line {line}: {message}" for line, message in errors)
        super().__init__(
            f"Tệp lịch không hợp lệ, không nạp dòng nào / invalid calendar file, nothing loaded: {lines}"
        )

    @property
    def line(self) -> int:
        return self.errors[0][0]


@dataclass(frozen=True)
class _Row:
    line: int
    date: date
    kind: str
    name: str
    source: str


def _open(path_or_file: str | Path | IO) -> IO[str]:
    if isinstance(path_or_file, str | Path):
        # utf-8-sig: spreadsheets often save a BOM in front of the header.
        return open(path_or_file, encoding="utf-8-sig", newline="")
    if isinstance(path_or_file, io.TextIOBase):
        return path_or_file
    return io.TextIOWrapper(path_or_file, encoding="utf-8-sig", newline="")


def _parse(handle: IO[str]) -> list[_Row]:
    reader = csv.reader(handle)
    errors: list[tuple[int, str]] = []
    header = next(reader, None)
    if header:
        header[0] = header[0].lstrip("\ufeff")  # a BOM survives when the caller opened the file
    if header is None or tuple(h.strip().lower() for h in header[:3]) != CSV_HEADER:
        raise CalendarImportError([(1, "tiêu đề phải là / header must be: date,kind,name[,source]")])
    has_source = len(header) > 3 and header[3].strip().lower() == "source"
    rows: list[_Row] = []
    seen: dict[date, int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) < 3:
            errors.append((line, "thiếu cột / missing columns (date,kind,name)"))
            continue
        raw_date, kind, name = (c.strip() for c in cells[:3])
        source = cells[3].strip() if has_source and len(cells) > 3 else ""
        try:
            day = date.fromisoformat(raw_date)
            if len(raw_date) != 10:
                raise ValueError
        except ValueError:
            errors.append((line, f"ngày không hợp lệ / invalid date {raw_date!r} (YYYY-MM-DD)"))
            continue
        if kind not in _KINDS:
            errors.append((line, f"loại không hợp lệ / invalid kind {kind!r} ({', '.join(sorted(_KINDS))})"))
            continue
        if not name:
            errors.append((line, "thiếu tên / name is empty"))
            continue
        if len(name) > _NAME_MAX or len(source) > _SOURCE_MAX:
            errors.append((line, f"tên quá dài / name longer than {_NAME_MAX} characters"))
            continue
        if day in seen:
            errors.append((line, f"ngày {day} lặp lại dòng {seen[day]} / date repeats line {seen[day]}"))
            continue
        seen[day] = line
        rows.append(_Row(line, day, kind, name, source))
    if errors:
        raise CalendarImportError(errors)
    return rows


@transaction.atomic
def calendar_load_csv(*, path_or_file: str | Path | IO) -> int:
    """Upsert calendar entries from a CSV ``date,kind,name[,source]`` (ISO dates).

    Every row is validated before anything is written; one bad row raises
    :class:`CalendarImportError` naming its line and nothing is loaded. Existing dates are
    updated. Returns the number of rows loaded. The selectors' version check picks the change up.
    """
    handle = _open(path_or_file)
    try:
        rows = _parse(handle)
    finally:
        if isinstance(path_or_file, str | Path):
            handle.close()
        elif handle is not path_or_file:
            handle.detach()  # leave the caller's binary file open
    existing = CalendarEntry.objects.in_bulk([r.date for r in rows], field_name="date")
    for row in rows:
        entry = existing.get(row.date) or CalendarEntry(date=row.date)
        entry.kind, entry.name = row.kind, row.name
        if row.source or entry.pk is None:
            entry.source = row.source
        entry.full_clean(validate_unique=False)  # the date is unique by construction above
        entry.save()
    return len(rows)


@transaction.atomic
def worktime_load_defaults() -> int:
    """Load the official 2025–2026 schedule and the default profile "Mặc định" (idempotent).

    Same content as migration 0002; an administrator's existing row for a date is kept.
    Returns the number of calendar entries created.
    """
    return defaults.load_into(CalendarEntry, WorkingHoursProfile)
