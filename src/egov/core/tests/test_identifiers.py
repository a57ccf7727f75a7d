"""Identification numbers: check digits, structure, error codes and messages, Django validators."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from datetime import date

import pytest
from django.conf import settings

if not settings.configured:  # run without pytest-django: translations stay untranslated
    settings.configure(USE_I18N=False)

from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import example, given
from hypothesis import strategies as st

from egov.core.identifiers import (
    RULE_LABELS,
    VALIDATORS,
    BinAttribute,
    BinEntityType,
    BinInfo,
    IdentifierError,
    IinInfo,
    Sex,
    is_valid,
    kz_check_digit,
    normalize,
    validate,
    validate_bin,
    validate_iin,
    validate_tj_inn,
)
from egov.core.validators import (
    IdentifierValidator,
    bin_validator,
    iin_validator,
    run_rule,
    tj_inn_validator,
)
from egov.testing.identifiers import (
    bins,
    iin_prefix,
    iins,
    make_bin,
    make_iin,
    make_tj_inn,
    tj_inns,
)

TODAY = date(2025, 6, 1)


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    """Messages are compared in English, whatever catalogs are compiled."""
    with translation.override("en"):
        yield


WEIGHTS_FIRST = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
eleven_digits = st.text(alphabet="0123456789", min_size=11, max_size=11)


def first_remainder(digits: str) -> int:
    return sum(int(d) * w for d, w in zip(digits[:11], WEIGHTS_FIRST, strict=True)) % 11


def replace_digit(number: str, position: int, delta: int) -> str:
    digit = (int(number[position]) + delta) % 10
    return f"{number[:position]}{digit}{number[position + 1 :]}"


def error_of(rule: str, value: object) -> IdentifierError:
    with pytest.raises(IdentifierError) as caught:
        validate(rule, value)
    return caught.value


# --- check digit ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first11", "expected"),
    [
        ("79102830272", 8),  # first pass
        ("90010130081", 1),  # first pass gives 10, second pass 1
        ("90010130080", None),  # both passes give 10
        ("00000000000", 0),
    ],
)
def test_check_digit_table(first11: str, expected: int | None) -> None:
    assert kz_check_digit(first11) == expected


@pytest.mark.parametrize("bad", ["", "1234567890", "123456789012", "1234567890a", "١٢٣٤٥٦٧٨٩٠١"])
def test_check_digit_needs_eleven_ascii_digits(bad: str) -> None:
    with pytest.raises(ValueError, match="11 digits"):
        kz_check_digit(bad)


@given(eleven_digits)
def test_check_digit_is_a_digit_or_none(first11: str) -> None:
    check = kz_check_digit(first11)
    assert check is None or 0 <= check <= 9


@given(eleven_digits)
def test_eleven_digits_with_their_check_digit_pass_the_checksum(first11: str) -> None:
    """Any 11 digits plus the computed check digit never fail on the checksum."""
    check = kz_check_digit(first11)
    for rule in ("kz-iin", "kz-bin"):
        if check is None:  # never issued: whatever the last digit, the number is invalid
            for last in "0123456789":
                assert not is_valid(rule, f"{first11}{last}")
            continue
        try:
            validate(rule, f"{first11}{check}")
        except IdentifierError as error:
            assert error.code != "checksum"


@given(iins(max_birth_date=TODAY), st.integers(0, 11), st.integers(1, 9))
@example("791028302728", 10, 1)
def test_single_digit_change_of_an_iin(valid: str, position: int, delta: int) -> None:
    """A one-digit change is caught, except where the algorithm itself is blind.

    The blind spots: the 11th digit weighs 11 ≡ 0 (mod 11) in the first pass, and when either
    number needs the second pass the two check digits can coincide.
    """
    mutated = replace_digit(valid, position, delta)
    first_pass_both = first_remainder(valid) != 10 and first_remainder(mutated) != 10
    if position == 11 or (position < 10 and first_pass_both):
        with pytest.raises(IdentifierError):
            validate_iin(mutated, today=TODAY)
        if position < 10:
            assert kz_check_digit(mutated[:11]) != kz_check_digit(valid[:11])
    else:
        assert is_valid("kz-iin", mutated) in {True, False}


@given(bins(max_registration=TODAY), st.integers(0, 11), st.integers(1, 9))
def test_single_digit_change_of_a_bin(valid: str, position: int, delta: int) -> None:
    mutated = replace_digit(valid, position, delta)
    first_pass_both = first_remainder(valid) != 10 and first_remainder(mutated) != 10
    if position == 11 or (position < 10 and first_pass_both):
        with pytest.raises(IdentifierError):
            validate_bin(mutated, today=TODAY)


def test_the_eleventh_digit_blind_spot_is_real() -> None:
    """Documented weakness of the official algorithm: consecutive serials can share a check."""
    assert first_remainder("85030130000") != 10
    assert validate_iin("850301300002").serial == "0000"
    assert validate_iin("850301300012").serial == "0001"


# --- never crash ----------------------------------------------------------------------------------

anything = st.one_of(
    st.text(),
    st.text(alphabet=" 0123456789\t\u00a0", max_size=20),
    st.from_regex(r"\A\s*[0-9]{9,13}\s*\Z"),
    st.integers().map(str),
)


@pytest.mark.parametrize("rule", sorted(VALIDATORS))
@given(value=anything)
def test_arbitrary_text_gives_info_or_identifier_error(rule: str, value: str) -> None:
    try:
        result = validate(rule, value)
    except IdentifierError as error:
        assert error.rule == rule
        assert error.code
        assert isinstance(str(error), str)
    else:
        assert isinstance(result, IinInfo | BinInfo | str)


@pytest.mark.parametrize("rule", sorted(VALIDATORS))
@pytest.mark.parametrize("value", [None, 900101300123, b"900101300123", 1.5, ["9"]])
def test_non_text_is_an_invalid_type(rule: str, value: object) -> None:
    error = error_of(rule, value)
    assert error.code == "invalid_type"
    assert type(value).__name__ in str(error)


# --- IIN ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "birth_date", "sex", "century"),
    [
        ("791028302728", date(1979, 10, 28), Sex.MALE, 20),  # published example
        ("061211600012", date(2006, 12, 11), Sex.FEMALE, 21),  # published example
        ("900101300811", date(1990, 1, 1), Sex.MALE, 20),  # second-pass check digit
        ("000229500008", date(2000, 2, 29), Sex.MALE, 21),  # leap day
        ("991231400002", date(1999, 12, 31), Sex.FEMALE, 20),
        ("550615100103", date(1855, 6, 15), Sex.MALE, 19),
        (" 7910 2830 2728\n", date(1979, 10, 28), Sex.MALE, 20),  # whitespace is ignored
    ],
)
def test_valid_iins(value: str, birth_date: date, sex: Sex, century: int) -> None:
    info = validate_iin(value, today=TODAY)
    assert info == IinInfo(
        value=normalize(value),
        birth_date=birth_date,
        sex=sex,
        century=century,
        serial=normalize(value)[7:11],
    )


IIN_DIGITS = "An IIN contains only the digits 0–9; “{}” is not one of them."
IIN_CENTURY = (
    "The 7th digit of an IIN gives the century of birth and the sex and must be 1–6; it is {}."
)
IIN_NO_DATE = "The birth date {} does not exist."
NO_CHECK_DIGIT = (
    "No check digit exists for the first 11 digits, so this {} cannot have been issued."
)
BIN_MONTH = "Digits 3–4 of a BIN are the month of registration and must be 01–12; they are {}."
BIN_TYPE = "The 5th digit of a BIN gives the kind of entity and must be 4, 5 or 6; it is {}."
BIN_UNIT = "The 6th digit of a BIN gives the kind of unit and must be 0, 1, 2 or 3; it is {}."


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("79102830272", "length", "An IIN has 12 digits; this one has 11."),
        ("", "length", "An IIN has 12 digits; this one has 0."),
        ("7910283027281", "length", "An IIN has 12 digits; this one has 13."),
        ("79102830272x", "not_digits", IIN_DIGITS.format("x")),
        ("7910-2830-2728", "not_digits", IIN_DIGITS.format("-")),
        ("79102830272\x00", "not_digits", IIN_DIGITS.format("U+0000")),
        ("791028302727", "checksum", "The check digit is 7 but should be 8."),
        ("900101300800", "checksum", NO_CHECK_DIGIT.format("IIN")),
        ("791028002728", "century", IIN_CENTURY.format(0)),
        ("791028702728", "century", IIN_CENTURY.format(7)),
        ("900231300000", "birth_date", IIN_NO_DATE.format("31.02.1990")),
        ("001301300000", "birth_date", IIN_NO_DATE.format("01.13.1900")),
        ("000229300000", "birth_date", IIN_NO_DATE.format("29.02.1900")),
        ("900100300000", "birth_date", IIN_NO_DATE.format("00.01.1990")),
        ("300101500000", "birth_date", "The birth date 01.01.2030 is in the future."),
        (
            "940140000385",
            "wrong_kind",
            "This is a BIN (business identification number), not an IIN.",
        ),
    ],
)
def test_invalid_iins(value: str, code: str, message: str) -> None:
    with pytest.raises(IdentifierError) as caught:
        validate_iin(value, today=TODAY)
    assert caught.value.code == code
    assert caught.value.rule == "kz-iin"
    assert str(caught.value) == message


def test_iin_birth_today_is_fine_tomorrow_is_not() -> None:
    number = make_iin(TODAY, Sex.FEMALE, serial=3)
    assert validate_iin(number, today=TODAY).birth_date == TODAY
    assert error_of("kz-iin", make_iin(date.today().replace(year=2099), serial=3)).code == (
        "birth_date"
    )


@given(iins(min_birth_date=date(1800, 1, 1), max_birth_date=TODAY))
def test_generated_iins_are_valid_and_read_back(number: str) -> None:
    info = validate_iin(number, today=TODAY)
    assert info.value == number
    assert iin_prefix(info.birth_date, info.sex, int(info.serial)) == number[:11]


# --- BIN ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "year", "month", "entity_type", "attribute"),
    [
        ("940140000385", 1994, 1, BinEntityType.RESIDENT, BinAttribute.HEAD_OFFICE),  # published
        ("990140004654", 1999, 1, BinEntityType.RESIDENT, BinAttribute.HEAD_OFFICE),  # published
        ("990 140 004 654", 1999, 1, BinEntityType.RESIDENT, BinAttribute.HEAD_OFFICE),
        ("151251000019", 2015, 12, BinEntityType.NON_RESIDENT, BinAttribute.BRANCH),
        ("250562000018", 2025, 5, BinEntityType.JOINT_ENTREPRENEUR, BinAttribute(2)),
        ("080743000015", 2008, 7, BinEntityType.RESIDENT, BinAttribute.PEASANT_FARM),
    ],
)
def test_valid_bins(
    value: str, year: int, month: int, entity_type: BinEntityType, attribute: BinAttribute
) -> None:
    info = validate_bin(value, today=TODAY)
    assert (info.registration_year, info.registration_month) == (year, month)
    assert (info.entity_type, info.attribute) == (entity_type, attribute)
    assert info.serial == normalize(value)[6:11]


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("94014000038", "length", "A BIN has 12 digits; this one has 11."),
        (
            "94014000038O",
            "not_digits",
            "A BIN contains only the digits 0–9; “O” is not one of them.",
        ),
        ("940140000384", "checksum", "The check digit is 4 but should be 5."),
        ("941340000385", "registration_date", BIN_MONTH.format("13")),
        ("940040000385", "registration_date", BIN_MONTH.format("00")),
        ("940170000385", "entity_type", BIN_TYPE.format(7)),
        ("940120000385", "entity_type", BIN_TYPE.format(2)),
        ("940144000385", "entity_attribute", BIN_UNIT.format(4)),
        (
            "791028302728",
            "wrong_kind",
            "This is an IIN (individual identification number), not a BIN.",
        ),
    ],
)
def test_invalid_bins(value: str, code: str, message: str) -> None:
    with pytest.raises(IdentifierError) as caught:
        validate_bin(value, today=TODAY)
    assert caught.value.code == code
    assert caught.value.rule == "kz-bin"
    assert str(caught.value) == message


def test_bin_no_check_digit() -> None:
    prefixes = (f"100140{serial:05d}" for serial in range(100_000))
    prefix = next(p for p in prefixes if kz_check_digit(p) is None)
    error = error_of("kz-bin", f"{prefix}0")
    assert error.code == "checksum"
    assert str(error) == NO_CHECK_DIGIT.format("BIN")


def test_bin_two_digit_year_reads_forward_then_back() -> None:
    number = make_bin(date(2025, 5, 1), serial=1)
    assert validate_bin(number, today=date(2025, 6, 1)).registration_year == 2025
    assert validate_bin(number, today=date(2024, 6, 1)).registration_year == 1925


@given(bins(max_registration=TODAY))
def test_generated_bins_are_valid(number: str) -> None:
    assert validate_bin(number, today=TODAY).value == number


@given(iins(max_birth_date=TODAY), bins(max_registration=TODAY))
def test_iins_and_bins_never_pass_for_each_other(iin: str, bin_: str) -> None:
    assert error_of("kz-bin", iin).code == "wrong_kind"
    assert error_of("kz-iin", bin_).code == "wrong_kind"


# --- Tajikistan -----------------------------------------------------------------------------------


def test_tj_inn() -> None:
    assert validate_tj_inn(" 020 025 789 ") == "020025789"
    error = error_of("tj-inn", "02002578")
    assert (error.code, str(error)) == ("length", "A TIN has 9 digits; this one has 8.")
    assert error_of("tj-inn", "02002578a").code == "not_digits"


@given(tj_inns())
def test_generated_tj_inns_are_valid(number: str) -> None:
    assert validate_tj_inn(number) == number


# --- registry -------------------------------------------------------------------------------------


def test_registry() -> None:
    assert set(VALIDATORS) == {"kz-iin", "kz-bin", "tj-inn"} == set(RULE_LABELS)
    assert isinstance(validate("kz-iin", "791028302728"), IinInfo)
    assert is_valid("kz-bin", "940140000385")
    assert not is_valid("kz-bin", "940140000384")
    with pytest.raises(LookupError, match="known rules: kz-bin, kz-iin, tj-inn"):
        validate("uz-pinfl", "1")
    with pytest.raises(LookupError):
        is_valid("uz-pinfl", "1")


def test_messages_are_lazy_and_params_separate() -> None:
    error = error_of("kz-iin", "791028302727")
    assert not isinstance(error.message, str)  # a lazy translation
    assert error.params == {"actual": "7", "expected": 8}
    assert isinstance(error, ValueError)
    copied = pickle.loads(pickle.dumps(error))
    assert (copied.rule, copied.code, copied.params) == (error.rule, error.code, error.params)
    assert str(copied) == str(error)


# --- helpers for test data ------------------------------------------------------------------------


def test_make_helpers() -> None:
    import random

    rng = random.Random(7)
    assert validate_iin(make_iin(date(1990, 5, 17), "female", rng=rng)).sex is Sex.FEMALE
    assert validate_iin(make_iin(date(1850, 1, 1), Sex.MALE, serial=1)).century == 19
    assert validate_bin(make_bin(rng=rng)).entity_type is BinEntityType.RESIDENT
    assert validate_tj_inn(make_tj_inn(rng=rng))
    assert make_tj_inn(42) == "000000042"
    assert make_iin(date(1985, 3, 1), serial=0) == "850301300002"
    with pytest.raises(ValueError, match="choose another"):
        make_iin(date(1990, 1, 1), serial=80)
    with pytest.raises(ValueError, match="1800-2099"):
        make_iin(date(1700, 1, 1))
    with pytest.raises(ValueError):
        make_tj_inn(10**9)


# --- Django validators ----------------------------------------------------------------------------


def test_django_validators() -> None:
    iin_validator("791028302728")
    bin_validator("940140000385")
    tj_inn_validator("020025789")
    with pytest.raises(ValidationError) as caught:
        iin_validator("79102830272")
    assert caught.value.code == "length"
    assert caught.value.messages == ["An IIN has 12 digits; this one has 11."]
    with pytest.raises(ValidationError) as caught:
        bin_validator("940140000384")
    assert caught.value.code == "checksum"
    with pytest.raises(ValidationError):
        tj_inn_validator(None)
    with pytest.raises(ValidationError):
        run_rule("kz-iin", "x")


def test_identifier_validator_class() -> None:
    validator = IdentifierValidator("kz-bin")
    validator("940140000385")
    with pytest.raises(ValidationError):
        validator("791028302728")
    assert validator == IdentifierValidator("kz-bin") != IdentifierValidator("kz-iin")
    assert validator.deconstruct() == (
        "egov.core.validators.IdentifierValidator",
        ("kz-bin",),
        {},
    )
    with pytest.raises(LookupError):
        IdentifierValidator("nope")
