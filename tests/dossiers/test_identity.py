"""Identity numbers: CCCD structure (spec §6.2), CMND, tax codes, passports; masking."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.dossiers import identity
from motcua.dossiers.identity import (
    ALLOWED_KINDS,
    CccdInfo,
    IdentityKind,
    allowed_kinds,
    mask_identity,
    parse_cccd,
    validate_identity,
)


def errors_of(**kwargs) -> dict[str, list[str]]:
    """The error codes per field, or {} when the input is valid."""
    try:
        validate_identity(**kwargs)
    except ValidationError as exc:
        return {field: [e.code for e in errs] for field, errs in exc.error_dict.items()}
    return {}


VALID = [
    # (kind, number, birth_date, sex, applicant_type)
    ("cccd", "096085000123", date(1985, 3, 1), "male", "citizen"),  # Cà Mau, 1900s male
    ("cccd", "095190000123", date(1990, 7, 9), "female", "citizen"),  # Bạc Liêu, kept after 2025
    ("cccd", "001305012345", date(2005, 1, 1), "nữ", "citizen"),  # Hà Nội, 2000s female
    ("cccd", "079204999999", date(2004, 12, 31), "nam", None),
    ("cccd", "096 085 000 123", None, None, "household_business"),  # spaces stripped
    ("cccd", "096.185.000.123", None, "Nu", None),  # dots stripped, case-insensitive sex
    ("cccd", "０９６０８５０００１２３", None, None, None),  # full-width digits (NFKC)
    ("cmnd", "381234567", None, None, "citizen"),
    ("tax_code", "2000123456", None, None, "organisation"),
    ("tax_code", "2000123456-001", None, None, "organisation"),
    ("tax_code", "2000123456", None, None, "household_business"),
    ("enterprise_code", "0312345678", None, None, "organisation"),
    ("passport", "C1234567", None, None, "citizen"),
    ("passport", "x12345", None, None, None),  # upper-cased
]


@pytest.mark.parametrize(("kind", "number", "birth_date", "sex", "applicant_type"), VALID)
def test_valid_numbers(kind, number, birth_date, sex, applicant_type):
    assert (
        validate_identity(
            kind=kind, number=number, birth_date=birth_date, sex=sex, applicant_type=applicant_type
        )
        is None
    )


INVALID = [
    # (kwargs, expected {field: [codes]})
    ({"kind": "cccd", "number": "003085000123"}, {"id_number": ["cccd_province"]}),  # 003 not a code
    ({"kind": "cccd", "number": "099085000123"}, {"id_number": ["cccd_province"]}),
    ({"kind": "cccd", "number": "000085000123"}, {"id_number": ["cccd_province"]}),
    ({"kind": "cccd", "number": "96085000123"}, {"id_number": ["cccd_length"]}),  # 11 digits
    ({"kind": "cccd", "number": "0960850001234"}, {"id_number": ["cccd_length"]}),  # 13 digits
    ({"kind": "cccd", "number": "09608500012A"}, {"id_number": ["cccd_digits"]}),
    ({"kind": "cccd", "number": "096-085-000-123"}, {"id_number": ["cccd_digits"]}),
    ({"kind": "cccd", "number": "٠٩٦٠٨٥٠٠٠١٢٣"}, {"id_number": ["cccd_digits"]}),  # Arabic-Indic digits
    ({"kind": "cccd", "number": "   "}, {"id_number": ["required"]}),
    # digit 4 = 0 (male) but the person is female
    ({"kind": "cccd", "number": "096085000123", "sex": "female"}, {"sex": ["cccd_century_sex"]}),
    # digit 4 = 1 (1900s female) but born in 2005
    (
        {"kind": "cccd", "number": "096105000123", "birth_date": date(2005, 1, 1)},
        {"birth_date": ["cccd_century_sex"]},
    ),
    # digits 5–6 = 85 but born in 1986
    (
        {"kind": "cccd", "number": "096085000123", "birth_date": date(1986, 1, 1)},
        {"birth_date": ["cccd_birth_year"]},
    ),
    ({"kind": "cccd", "number": "096085000123", "sex": "other"}, {"sex": ["sex_invalid"]}),
    ({"kind": "cmnd", "number": "38123456"}, {"id_number": ["cmnd_format"]}),
    (
        {"kind": "cmnd", "number": "381234567", "applicant_type": "organisation"},
        {"id_kind": ["kind_not_allowed"]},
    ),
    (
        {"kind": "cccd", "number": "096085000123", "applicant_type": "organisation"},
        {"id_kind": ["kind_not_allowed"]},
    ),
    (
        {"kind": "passport", "number": "C1234567", "applicant_type": "household_business"},
        {"id_kind": ["kind_not_allowed"]},
    ),
    ({"kind": "tax_code", "number": "200012345"}, {"id_number": ["tax_code_format"]}),
    ({"kind": "tax_code", "number": "2000123456-01"}, {"id_number": ["tax_code_format"]}),
    ({"kind": "tax_code", "number": "2000123456001"}, {"id_number": ["tax_code_format"]}),
    ({"kind": "enterprise_code", "number": "031234567X"}, {"id_number": ["tax_code_format"]}),
    ({"kind": "passport", "number": "C123"}, {"id_number": ["passport_format"]}),
    ({"kind": "passport", "number": "C1234567-89"}, {"id_number": ["passport_format"]}),
    ({"kind": "driving_licence", "number": "123"}, {"id_kind": ["kind_invalid"]}),
    (
        {"kind": "cccd", "number": "096085000123", "applicant_type": "alien"},
        {"applicant_type": ["applicant_type_invalid"]},
    ),
]


@pytest.mark.parametrize(("kwargs", "expected"), INVALID)
def test_invalid_numbers(kwargs, expected):
    assert errors_of(**kwargs) == expected


def test_errors_on_several_fields_are_reported_together():
    errors = errors_of(kind="cccd", number="096085000123", birth_date=date(1986, 1, 1), sex="female")
    assert errors == {"birth_date": ["cccd_birth_year"], "sex": ["cccd_century_sex"]}


@pytest.mark.parametrize(
    ("birth_date", "expected"),
    [
        ("1985-03-01", {}),
        ("", {}),
        ("1986-03-01", {"birth_date": ["cccd_birth_year"]}),
        ("1985-02-30", {"birth_date": ["invalid"]}),
        ("01/03/1985", {"birth_date": ["invalid"]}),
    ],
)
def test_birth_date_as_iso_string(birth_date, expected):
    assert errors_of(kind="cccd", number="096085000123", birth_date=birth_date) == expected


def test_messages_are_vietnamese():
    with pytest.raises(ValidationError) as exc:
        validate_identity(kind="cccd", number="12345678901")
    assert exc.value.message_dict == {"id_number": ["Số định danh cá nhân phải gồm 12 chữ số."]}


@pytest.mark.parametrize(
    ("g", "century", "sex"),
    [(0, 1900, "male"), (1, 1900, "female"), (2, 2000, "male"), (3, 2000, "female"), (4, 2100, "male"),
     (5, 2100, "female"), (6, 2200, "male"), (7, 2200, "female"), (8, 2300, "male"), (9, 2300, "female")],
)  # fmt: skip
def test_century_and_sex_digit(g, century, sex):
    info = parse_cccd(f"096{g}42000123")
    assert (info.century, info.sex, info.birth_year) == (century, sex, century + 42)


def test_parse_cccd():
    assert parse_cccd("096 085 000 123") == CccdInfo(
        province_code="096", province_name="Cà Mau", century=1900, sex="male", birth_year_2digits=85
    )
    assert parse_cccd("095305000123").province_name == "Bạc Liêu"
    assert parse_cccd("002305000123").province_name is None  # a valid code without a display name
    with pytest.raises(ValidationError):
        parse_cccd("003085000123")


def test_every_listed_province_code_is_accepted():
    assert len(identity.CCCD_PROVINCE_CODES) == 63
    for code in identity.CCCD_PROVINCE_CODES:
        validate_identity(kind="cccd", number=f"{code}085000123")


def test_country_codes_for_births_abroad_are_configurable(monkeypatch):
    assert errors_of(kind="cccd", number="900085000123") == {"id_number": ["cccd_province"]}
    monkeypatch.setattr(identity, "BIRTH_ABROAD_COUNTRY_CODES", frozenset({"900"}))
    assert errors_of(kind="cccd", number="900085000123") == {}
    assert parse_cccd("900085000123").born_abroad


def test_allowed_kinds():
    assert allowed_kinds("citizen") == ("cccd", "cmnd", "passport")
    assert allowed_kinds("organisation") == ("tax_code", "enterprise_code")
    assert allowed_kinds("household_business") == ("cccd", "tax_code")
    assert allowed_kinds("nobody") == ()
    assert {k for kinds in ALLOWED_KINDS.values() for k in kinds} == set(IdentityKind.values)


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("096085000189", "096*******89"),
        ("096 085 000 189", "096*******89"),
        ("381234567", "381****67"),
        ("2000123456-001", "200*********01"),
        ("C123456", "*******"),
        ("", ""),
    ],
)
def test_mask_identity(number, masked):
    assert mask_identity(number) == masked


FUZZ = settings(max_examples=300, deadline=None)
kinds = st.one_of(st.sampled_from(IdentityKind.values), st.text(max_size=12))
applicant_types = st.one_of(st.none(), st.sampled_from([*ALLOWED_KINDS, "x"]), st.text(max_size=8))
sexes = st.one_of(
    st.none(), st.sampled_from(["male", "female", "nam", "nu", "nữ", "NAM"]), st.text(max_size=8)
)
numbers = st.one_of(
    st.text(),
    st.text(alphabet="0123456789 .-", max_size=16),
    st.from_regex(r"\A0[0-9]{2}[0-9]{9}\Z"),
)


@FUZZ
@given(
    kind=kinds,
    number=numbers,
    birth_date=st.one_of(st.none(), st.dates(), st.text(max_size=12)),
    sex=sexes,
    applicant_type=applicant_types,
)
def test_only_validation_error_is_ever_raised(kind, number, birth_date, sex, applicant_type):
    try:
        result = validate_identity(
            kind=kind, number=number, birth_date=birth_date, sex=sex, applicant_type=applicant_type
        )
    except ValidationError as exc:
        assert exc.error_dict  # always keyed by field
        assert set(exc.error_dict) <= {"id_kind", "id_number", "birth_date", "sex", "applicant_type"}
    else:
        assert result is None


@FUZZ
@given(number=st.text())
def test_parse_cccd_and_mask_never_raise_anything_else(number):
    masked = mask_identity(number)
    assert len(masked) == len(identity.normalise_number(number))
    try:
        info = parse_cccd(number)
    except ValidationError:
        return
    assert 1900 <= info.century <= 2300
    validate_identity(kind="cccd", number=number)  # what parses also validates


@FUZZ
@given(
    ppp=st.sampled_from(sorted(identity.CCCD_PROVINCE_CODES)),
    birth=st.dates(min_value=date(1900, 1, 1), max_value=date(2399, 12, 31)),
    sex=st.sampled_from(["male", "female"]),
    rest=st.from_regex(r"\A[0-9]{6}\Z"),
)
def test_a_number_built_from_the_rules_is_valid(ppp, birth, sex, rest):
    g = (birth.year - 1900) // 100 * 2 + (sex == "female")
    number = f"{ppp}{g}{birth.year % 100:02d}{rest}"
    validate_identity(kind="cccd", number=number, birth_date=birth, sex=sex, applicant_type="citizen")
    other = "female" if sex == "male" else "male"
    assert errors_of(kind="cccd", number=number, sex=other) == {"sex": ["cccd_century_sex"]}
