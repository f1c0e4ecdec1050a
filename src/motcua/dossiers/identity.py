"""Identity numbers of applicants (giấy tờ tùy thân, mã số thuế): pure validation, no database.

Rules implemented
-----------------
* **CCCD / personal identification number** (số định danh cá nhân, spec §6.2; Circular
  07/2016/TT-BCA Art. 7, now under the Law on Identification 2023): ``PPP G YY RRRRRR``.

  1. exactly 12 ASCII digits after normalisation;
  2. ``PPP`` is one of the legacy province codes of the birth registration listed in spec §6.2
     (:data:`CCCD_PROVINCE_CODES`). Numbers do not change with the 2025 merger, so 095 (Bạc
     Liêu) stays valid. For births abroad ``PPP`` is a country code; the spec does not give that
     list, so :data:`BIRTH_ABROAD_COUNTRY_CODES` is an **empty** module constant by default and
     such numbers are rejected until someone adds verified codes to it;
  3. ``G`` is century + sex: 0/1 = 1900s, 2/3 = 2000s, 4/5 = 2100s, 6/7 = 2200s, 8/9 = 2300s;
     even = male, odd = female. It must agree with ``sex`` when given;
  4. ``century + YY`` must equal the year of ``birth_date`` when given;
  5. **there is no check digit** (spec §6.2 [O S58]); none is invented here.

* **CMND** (chứng minh nhân dân, legacy): 9 digits; citizens only (look-ups of old records).
* **Tax code / enterprise code** (mã số thuế / mã số doanh nghiệp): 10 digits, or 10 digits +
  ``-`` + 3 digits for a dependent unit (branch). The tenth digit of a tax code is a check digit
  in the tax authority's scheme, but its algorithm is not in our sources, so it is **not** checked.
* **Passport** (hộ chiếu, foreigners): 6–20 ASCII letters or digits.

Not implemented: a birth year in the future (``G`` = 4…9 today) is accepted when no ``birth_date``
is given (the module has no clock); the CCCD QR payload is not parsed; no look-up against the
national population database (that is an integration, not a rule).

Input is normalised before any check: Unicode NFKC (full-width digits become ASCII), every
whitespace character and every dot removed, letters upper-cased. :func:`validate_identity` raises
only :class:`django.core.exceptions.ValidationError`, keyed by form field, for *any* string input.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import TextChoices
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _


class IdentityKind(TextChoices):
    """Kind of identity number (loại giấy tờ)."""

    CCCD = "cccd", _("Căn cước / Căn cước công dân (số định danh cá nhân)")
    CMND = "cmnd", _("Chứng minh nhân dân (9 số)")
    TAX_CODE = "tax_code", _("Mã số thuế")
    ENTERPRISE_CODE = "enterprise_code", _("Mã số doanh nghiệp")
    PASSPORT = "passport", _("Hộ chiếu")


ALLOWED_KINDS: dict[str, tuple[str, ...]] = {
    "citizen": (IdentityKind.CCCD, IdentityKind.CMND, IdentityKind.PASSPORT),
    "organisation": (IdentityKind.TAX_CODE, IdentityKind.ENTERPRISE_CODE),
    "household_business": (IdentityKind.CCCD, IdentityKind.TAX_CODE),
}
"""Which identity kinds each applicant type (công dân, tổ chức, hộ kinh doanh) may present."""


def allowed_kinds(applicant_type: str) -> tuple[str, ...]:
    """The identity kinds allowed for ``applicant_type``; empty for an unknown type."""
    return ALLOWED_KINDS.get(applicant_type, ())


# Spec §6.2, rule 2: the legacy province codes of birth registration, exactly as listed there.
CCCD_PROVINCE_CODES: frozenset[str] = frozenset(
    """
    001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 035
    036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072
    074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096
    """.split()
)

BIRTH_ABROAD_COUNTRY_CODES: frozenset[str] = frozenset()
"""Three-digit country codes accepted as ``PPP`` for births abroad.

Empty on purpose: the spec says a country code is used but gives no list, and we have not
verified one. Add codes here (with their source) when a verified list is available; until then
a CCCD of a person born abroad is rejected with the ``cccd_province`` error.
"""

# A few names for display; the validation uses CCCD_PROVINCE_CODES, not this dict.
CCCD_PROVINCE_NAMES: dict[str, str] = {
    "001": "Hà Nội",
    "031": "Hải Phòng",
    "048": "Đà Nẵng",
    "079": "Hồ Chí Minh",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

MALE = "male"
FEMALE = "female"
_SEX_ALIASES = {"male": MALE, "nam": MALE, "female": FEMALE, "nu": FEMALE, "nữ": FEMALE}

_DIGITS_12 = re.compile(r"[0-9]{12}")
_DIGITS_9 = re.compile(r"[0-9]{9}")
_TAX_CODE = re.compile(r"[0-9]{10}(?:-[0-9]{3})?")
_PASSPORT = re.compile(r"[A-Z0-9]{6,20}")
_STRIP = re.compile(r"[\s.]+")


def normalise_number(number: str) -> str:
    """NFKC, drop whitespace and dots, upper-case (``"096 123.456 789"`` → ``"096123456789"``)."""
    return _STRIP.sub("", unicodedata.normalize("NFKC", str(number))).upper()


def normalise_sex(sex: str) -> str | None:
    """``"male"``/``"nam"`` → ``"male"``; ``"female"``/``"nu"``/``"nữ"`` → ``"female"``; else None."""
    return _SEX_ALIASES.get(unicodedata.normalize("NFC", str(sex)).strip().lower())


@dataclass(frozen=True)
class CccdInfo:
    """What a CCCD number says about its holder (spec §6.2)."""

    province_code: str
    province_name: str | None  # only for the few codes in CCCD_PROVINCE_NAMES
    century: int  # 1900, 2000, … 2300
    sex: str  # "male" or "female"
    birth_year_2digits: int
    born_abroad: bool = False

    @property
    def birth_year(self) -> int:
        return self.century + self.birth_year_2digits


def _cccd_info(digits: str) -> CccdInfo:
    g = int(digits[3])
    ppp = digits[:3]
    return CccdInfo(
        province_code=ppp,
        province_name=CCCD_PROVINCE_NAMES.get(ppp),
        century=1900 + (g // 2) * 100,
        sex=MALE if g % 2 == 0 else FEMALE,
        birth_year_2digits=int(digits[4:6]),
        born_abroad=ppp not in CCCD_PROVINCE_CODES,
    )


def _cccd_shape_error(number: str) -> ValidationError | None:
    if not number.isascii() or not number.isdigit():
        return ValidationError("Số định danh cá nhân chỉ được gồm chữ số.", code="cccd_digits")
    if not _DIGITS_12.fullmatch(number):
        return ValidationError("Số định danh cá nhân phải gồm 12 chữ số.", code="cccd_length")
    ppp = number[:3]
    if ppp not in CCCD_PROVINCE_CODES and ppp not in BIRTH_ABROAD_COUNTRY_CODES:
        return ValidationError(
            "Ba chữ số đầu (%(code)s) không phải mã tỉnh nơi đăng ký khai sinh hợp lệ.",
            code="cccd_province",
            params={"code": ppp},
        )
    return None


def parse_cccd(number: str) -> CccdInfo:
    """Split a CCCD number into its parts (spec §6.2); :class:`ValidationError` if malformed."""
    digits = normalise_number(number)
    error = _cccd_shape_error(digits)
    if error is not None:
        raise error
    return _cccd_info(digits)


def _parse_iso_date(text: str) -> date | str | None:
    """``"1985-03-01"`` → a date; ``""`` → None; anything else is returned unchanged (then invalid)."""
    if not text.strip():
        return None
    try:
        return parse_date(text.strip()) or text
    except ValueError:  # well-formed but impossible, e.g. 1985-02-30
        return text


def validate_identity(
    *,
    kind: str,
    number: str,
    birth_date: date | str | None = None,
    sex: str | None = None,
    applicant_type: str | None = None,
) -> None:
    """Check an identity number against its kind, the applicant type and the person's data.

    Raises :class:`ValidationError` with a dict keyed by ``id_kind``, ``id_number``,
    ``birth_date``, ``sex`` (and ``applicant_type`` for an unknown type); messages in Vietnamese,
    codes in English. Returns None when the number is acceptable. ``birth_date`` may also be an
    ISO string (``"1985-03-01"``), as it arrives in a JSON payload.
    """
    errors: dict[str, list[ValidationError]] = {}

    def add(field: str, message: str, code: str, params: dict | None = None) -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code, params=params))

    kind = str(kind) if kind is not None else ""
    if kind not in IdentityKind.values:
        add("id_kind", "Loại giấy tờ không hợp lệ.", "kind_invalid")
    elif applicant_type is not None:
        if str(applicant_type) not in ALLOWED_KINDS:
            add("applicant_type", "Loại người nộp hồ sơ không hợp lệ.", "applicant_type_invalid")
        elif kind not in ALLOWED_KINDS[str(applicant_type)]:
            add(
                "id_kind",
                "Loại giấy tờ này không được dùng cho loại người nộp hồ sơ đã chọn.",
                "kind_not_allowed",
            )

    if isinstance(birth_date, str):  # an ISO date from a JSON payload
        birth_date = _parse_iso_date(birth_date)

    wanted_sex = None
    if sex is not None and str(sex).strip():
        wanted_sex = normalise_sex(sex)
        if wanted_sex is None:
            add("sex", "Giới tính không hợp lệ (nam hoặc nữ).", "sex_invalid")

    value = normalise_number(number if number is not None else "")
    if not value:
        add("id_number", "Vui lòng nhập số giấy tờ.", "required")
    elif kind == IdentityKind.CCCD:
        error = _cccd_shape_error(value)
        if error is not None:
            errors.setdefault("id_number", []).append(error)
        else:
            info = _cccd_info(value)
            if wanted_sex is not None and info.sex != wanted_sex:
                add(
                    "sex",
                    "Giới tính không khớp với chữ số thứ tư của số định danh cá nhân.",
                    "cccd_century_sex",
                )
            if birth_date is not None:
                if not isinstance(birth_date, date):
                    add("birth_date", "Ngày sinh không hợp lệ (YYYY-MM-DD).", "invalid")
                elif birth_date.year // 100 * 100 != info.century:
                    add(
                        "birth_date",
                        "Thế kỷ của năm sinh không khớp với chữ số thứ tư của số định danh cá nhân.",
                        "cccd_century_sex",
                    )
                elif birth_date.year != info.birth_year:
                    add(
                        "birth_date",
                        "Năm sinh không khớp với chữ số thứ 5–6 của số định danh cá nhân.",
                        "cccd_birth_year",
                    )
    elif kind == IdentityKind.CMND:
        if not _DIGITS_9.fullmatch(value):
            add("id_number", "Số chứng minh nhân dân phải gồm 9 chữ số.", "cmnd_format")
    elif kind in (IdentityKind.TAX_CODE, IdentityKind.ENTERPRISE_CODE):
        if not _TAX_CODE.fullmatch(value):
            add(
                "id_number",
                "Mã số thuế / mã số doanh nghiệp phải gồm 10 chữ số, hoặc 10 chữ số, dấu gạch ngang "
                "và 3 chữ số đối với đơn vị phụ thuộc.",
                "tax_code_format",
            )
    elif kind == IdentityKind.PASSPORT:
        if not _PASSPORT.fullmatch(value):
            add("id_number", "Số hộ chiếu phải gồm 6 đến 20 chữ cái hoặc chữ số.", "passport_format")

    if errors:
        raise ValidationError(errors)


def mask_identity(number: str) -> str:
    """Hide the middle of a number for logs and public pages: ``096123456789`` → ``096*******89``.

    The first three and last two characters stay when the normalised number has at least eight
    characters; shorter values are masked entirely.
    """
    value = normalise_number(number if number is not None else "")
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 5) + value[-2:]
