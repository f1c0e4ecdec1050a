"""Dossier codes (mã số hồ sơ thủ tục hành chính): Decree 118/2025 Art. 28, rendered as Circular 01/2018 Art. 19.

Rules implemented (spec §2.5, tthc-2025-update §1.2; details in ``docs/dossier-codes.md``)
------------------------------------------------------------------------------------------
* **Shape** ``<prefix>-<YYMMDD>-<NNNN>``, e.g. ``000.00.12.H12-250915-0007``: the prefix is an
  agency identifier under QCVN 102:2016/BTTTT, then the reception date, then the running number
  of the dossier within that day. Decree 118 Art. 28(2)(b) fixes only "ngày, tháng, năm tiếp nhận,
  số thứ tự hồ sơ tiếp nhận trong ngày"; whether Circular 03/2025 keeps the 2018 rendering is
  **unverified**, so the rendering is a :class:`CodeTemplate` read from the settings
  ``MOTCUA_DOSSIER_CODE_DATE_FORMAT`` (default ``%y%m%d``) and ``MOTCUA_DOSSIER_CODE_WIDTH``
  (default 4).
* **Prefix** (Art. 28(2)(a)): the code of the **resolving** agency, not of the receiving counter;
  a liên thông group dossier uses the receiving one-stop unit's code when filed in person and the
  national portal's code when filed online (:func:`prefix_for`).
* **Day**: the reception date in Vietnam local time (Asia/Ho_Chi_Minh), whatever ``TIME_ZONE``.
* **Number**: per prefix per day, from 1, unique and gap-free, allocated in the caller's reception
  transaction (:func:`dossier_code_allocate`). A number wider than the template's width widens
  the code (``…-10000``); it is never truncated or wrapped.
* Online drafts carry a :func:`temporary_reference` (``TMP-…``) until official reception; it never
  matches the code pattern.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.transaction import TransactionManagementError

from motcua.dossiers.models import DossierCodeCounter

RECEPTION_TIME_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")

CHANNEL_DIRECT = "direct"
CHANNEL_POSTAL = "postal"
CHANNEL_AT_HOME = "at_home"
CHANNEL_ONLINE = "online"
IN_PERSON_CHANNELS = frozenset({CHANNEL_DIRECT, CHANNEL_POSTAL, CHANNEL_AT_HOME})
CHANNELS = IN_PERSON_CHANNELS | {CHANNEL_ONLINE}

DEFAULT_PORTAL_PREFIX = "000.00.00.G22"
"""The VPCP identifier seen addressing the Cổng DVCQG in edXML samples (tthc-2025-update §1.2).

Whether the portal uses exactly this code as a dossier prefix is **unverified**; override it
with the setting ``MOTCUA_DOSSIER_CODE_PORTAL_PREFIX``.
"""

_PREFIX_MAX_LENGTH = DossierCodeCounter._meta.get_field("prefix").max_length
_PREFIX_RE = re.compile(r"[0-9A-Za-z][0-9A-Za-z.]*")

DOSSIER_CODE_RE = re.compile(r"(?P<prefix>[0-9A-Za-z][0-9A-Za-z.]*)-(?P<date>[0-9]{6})-(?P<number>[0-9]{4,})")
"""The code under :data:`DEFAULT_TEMPLATE` (use with ``fullmatch``). The number has 4 or more
digits because it widens past 9999; :func:`parse_dossier_code` also checks the date and padding."""

# Crockford's base-32 alphabet: no I, L, O or U, so a reference read aloud or retyped is unambiguous.
_TOKEN_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TEMPORARY_PREFIX = "TMP"
TEMPORARY_REFERENCE_RE = re.compile(rf"{TEMPORARY_PREFIX}-[{_TOKEN_ALPHABET}]{{10}}")


@dataclass(frozen=True)
class CodeTemplate:
    """How a dossier code is rendered: ``<prefix><sep><date><sep><number zero-padded to width>``."""

    date_format: str = "%y%m%d"
    width: int = 4
    separator: str = "-"

    def __post_init__(self) -> None:
        if not isinstance(self.width, int) or isinstance(self.width, bool) or self.width < 1:
            raise ImproperlyConfigured(f"Dossier code width must be a positive integer, not {self.width!r}.")
        if not self.date_format or not self.separator:
            raise ImproperlyConfigured("Dossier code date format and separator must not be empty.")

    def render(self, prefix: str, day: date, number: int) -> str:
        # ``:0{width}d`` pads but never truncates: number 10000 at width 4 renders as "10000".
        return (
            f"{prefix}{self.separator}{day.strftime(self.date_format)}{self.separator}{number:0{self.width}d}"
        )


DEFAULT_TEMPLATE = CodeTemplate()


def template_from_settings() -> CodeTemplate:
    """The template configured by ``MOTCUA_DOSSIER_CODE_DATE_FORMAT`` and ``MOTCUA_DOSSIER_CODE_WIDTH``."""
    width = getattr(settings, "MOTCUA_DOSSIER_CODE_WIDTH", DEFAULT_TEMPLATE.width)
    try:
        width = int(width)
    except (TypeError, ValueError) as exc:
        raise ImproperlyConfigured(f"MOTCUA_DOSSIER_CODE_WIDTH must be an integer, not {width!r}.") from exc
    return CodeTemplate(
        date_format=getattr(settings, "MOTCUA_DOSSIER_CODE_DATE_FORMAT", DEFAULT_TEMPLATE.date_format),
        width=width,
        separator=DEFAULT_TEMPLATE.separator,
    )


def prefix_for(
    *,
    resolving_agency_code: str,
    receiving_unit_code: str,
    is_group: bool = False,
    channel: str = CHANNEL_DIRECT,
) -> str:
    """The dossier-code prefix (Decree 118/2025 Art. 28(2)(a); tthc-2025-update §1.2; spec §2.5).

    * A single procedure: the identifier of the agency **competent to resolve** it (cơ quan có
      thẩm quyền giải quyết), not the receiving counter's. A dossier received at commune A's centre
      under non-boundary reception but resolved by commune B carries B's code.
    * A liên thông group (nhóm thủ tục hành chính liên thông): the receiving one-stop unit's
      (Bộ phận Một cửa) identifier when filed in person (``direct``, ``postal``, ``at_home``), the
      national portal's identifier (setting ``MOTCUA_DOSSIER_CODE_PORTAL_PREFIX``, default
      :data:`DEFAULT_PORTAL_PREFIX`, unverified) when filed ``online``.

    Circular 01/2018 Art. 19 used the receiving unit's code; Decree 118 changed that.
    """
    if channel not in CHANNELS:
        raise ValueError(f"Unknown reception channel {channel!r}; expected one of {sorted(CHANNELS)}.")
    if not is_group:
        code = resolving_agency_code
    elif channel in IN_PERSON_CHANNELS:
        code = receiving_unit_code
    else:
        code = getattr(settings, "MOTCUA_DOSSIER_CODE_PORTAL_PREFIX", DEFAULT_PORTAL_PREFIX)
    _check_prefix(code, DEFAULT_TEMPLATE)
    return code


def _check_prefix(prefix: str, template: CodeTemplate) -> None:
    if (
        not isinstance(prefix, str)
        or len(prefix) > _PREFIX_MAX_LENGTH
        or not _PREFIX_RE.fullmatch(prefix)
        or template.separator in prefix
    ):
        raise ValueError(
            f"Invalid dossier-code prefix {prefix!r}: an agency identifier of letters, digits and dots "
            f"(at most {_PREFIX_MAX_LENGTH} characters), e.g. 000.00.12.H12."
        )


def reception_day(received_at: datetime) -> date:
    """The reception date in Vietnam local time (23:30 UTC on 14/9 is 15/9 in Cà Mau)."""
    if received_at.tzinfo is None or received_at.utcoffset() is None:
        raise ValueError("received_at must be timezone-aware.")
    return received_at.astimezone(RECEPTION_TIME_ZONE).date()


def _check_transaction(using: str) -> None:
    connection = connections[using]
    if not connection.in_atomic_block:
        raise TransactionManagementError(
            "dossier_code_allocate() must run inside the reception transaction (transaction.atomic), "
            "so that a rolled-back reception gives its number back."
        )
    mode = connection.settings_dict.get("OPTIONS", {}).get("transaction_mode")
    if connection.vendor == "sqlite" and mode != "IMMEDIATE":
        # The gap-free guarantee on SQLite rests on BEGIN IMMEDIATE: the write lock is held from the
        # start of the transaction, so two receptions never interleave.
        raise ImproperlyConfigured(
            'SQLite must be configured with OPTIONS["transaction_mode"] = "IMMEDIATE".'
        )


def dossier_code_allocate(
    *, prefix: str, received_at: datetime, template: CodeTemplate | None = None, using: str = DEFAULT_DB_ALIAS
) -> str:
    """Take the next number for ``prefix`` on the reception day and return the dossier code.

    Must be called inside the reception transaction (``transaction.atomic``): the number is then
    committed with the dossier or given back with it, so numbers are unique and gap-free.

    Concurrency: one statement creates or increments the counter row and returns the number
    (``INSERT … ON CONFLICT (prefix, day) DO UPDATE … RETURNING``, on PostgreSQL and SQLite ≥
    3.35). On PostgreSQL the upsert keeps the row locked until the reception commits or rolls back;
    on SQLite the whole database is write-locked from ``BEGIN IMMEDIATE``. A second reception for
    the same prefix and day therefore waits for the first.
    """
    template = template or template_from_settings()
    _check_prefix(prefix, template)
    day = reception_day(received_at)
    _check_transaction(using)

    connection = connections[using]
    table = connection.ops.quote_name(DossierCodeCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (prefix, day, last_number) VALUES (%s, %s, 1) "
            f"ON CONFLICT (prefix, day) DO UPDATE SET last_number = {table}.last_number + 1 "
            "RETURNING last_number",
            [prefix, connection.ops.adapt_datefield_value(day)],
        )
        (number,) = cursor.fetchone()
    return template.render(prefix, day, number)


def temporary_reference() -> str:
    """A reference for an online draft before official reception: ``TMP-`` + 10 base-32 characters.

    It has one separator and a letter prefix, so it never matches :data:`DOSSIER_CODE_RE`.
    """
    return f"{TEMPORARY_PREFIX}-" + "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(10))


def parse_dossier_code(code: str, template: CodeTemplate | None = None) -> tuple[str, date, int]:
    """Split a dossier code into ``(prefix, reception date, number)``; :class:`ValueError` if malformed.

    Only the canonical rendering is accepted: the code must re-render identically from its parts
    (so ``…-250931-…`` and ``…-007`` are rejected, and so is a temporary reference).
    """
    template = template or template_from_settings()
    if not isinstance(code, str):
        raise ValueError(f"A dossier code is a string, not {type(code).__name__}.")
    sep = template.separator
    separators_in_date = date(2000, 1, 1).strftime(template.date_format).count(sep)
    parts = code.rsplit(sep, 2 + separators_in_date)
    if len(parts) != 3 + separators_in_date:
        raise ValueError(f"Malformed dossier code {code!r}: expected <prefix>{sep}<date>{sep}<number>.")
    prefix, date_text, number_text = parts[0], sep.join(parts[1:-1]), parts[-1]
    try:
        _check_prefix(prefix, template)
    except ValueError as exc:
        raise ValueError(f"Malformed dossier code {code!r}: invalid prefix {prefix!r}.") from exc
    try:
        day = datetime.strptime(date_text, template.date_format).date()
    except ValueError as exc:
        raise ValueError(f"Malformed dossier code {code!r}: invalid date {date_text!r}.") from exc
    if not (number_text.isascii() and number_text.isdigit()) or int(number_text) < 1:
        raise ValueError(f"Malformed dossier code {code!r}: invalid running number {number_text!r}.")
    number = int(number_text)
    if template.render(prefix, day, number) != code:
        raise ValueError(f"Malformed dossier code {code!r}: not in canonical form.")
    return prefix, day, number
