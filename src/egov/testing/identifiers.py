"""Valid identification numbers on demand, for factories, demo data and property tests.

``make_iin`` / ``make_bin`` / ``make_tj_inn`` build one number; pass ``serial`` for a
deterministic result or ``rng`` (a ``random.Random``) for reproducible variety. ``iins()``,
``bins()`` and ``tj_inns()`` are Hypothesis strategies; Hypothesis is imported only when they are
called, so the ``make_*`` helpers work where it is not installed.
"""

from __future__ import annotations

import random
from datetime import date
from typing import TYPE_CHECKING

from egov.core.identifiers import BinAttribute, BinEntityType, Sex, kz_check_digit

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

__all__ = ["bins", "iin_prefix", "iins", "make_bin", "make_iin", "make_tj_inn", "tj_inns"]

_IIN_SERIALS = 10_000
_BIN_SERIALS = 100_000
_TJ_INN_NUMBERS = 1_000_000_000
_SEX_DIGIT_OFFSET = {Sex.MALE: 1, Sex.FEMALE: 2}


def _complete(first11: str) -> str | None:
    check = kz_check_digit(first11)
    return None if check is None else f"{first11}{check}"


def _century_digit(birth_date: date, sex: Sex) -> int:
    if not 1800 <= birth_date.year <= 2099:
        raise ValueError(f"an IIN encodes birth years 1800-2099, not {birth_date.year}")
    return (birth_date.year // 100 - 18) * 2 + _SEX_DIGIT_OFFSET[sex]


def iin_prefix(birth_date: date, sex: Sex | str, serial: int) -> str:
    """The first 11 digits of an IIN: birth date, century/sex digit, 4-digit serial."""
    if not 0 <= serial < _IIN_SERIALS:
        raise ValueError(f"an IIN serial has 4 digits, not {serial}")
    century = _century_digit(birth_date, Sex(sex))
    return f"{birth_date:%y%m%d}{century}{serial:04d}"


def _bin_prefix(
    registration: date, entity_type: BinEntityType | int, attribute: BinAttribute | int, serial: int
) -> str:
    if not 0 <= serial < _BIN_SERIALS:
        raise ValueError(f"a BIN serial has 5 digits, not {serial}")
    kind = BinEntityType(entity_type)
    unit = BinAttribute(attribute)
    return f"{registration:%y%m}{kind.value}{unit.value}{serial:05d}"


def _with_check_digit(prefix: str, serial: int) -> str:
    number = _complete(prefix)
    if number is None:
        raise ValueError(f"serial {serial} leaves {prefix} without a check digit; choose another")
    return number


def make_iin(
    birth_date: date,
    sex: Sex | str = Sex.MALE,
    serial: int | None = None,
    *,
    rng: random.Random | None = None,
) -> str:
    """A valid IIN for a person born on ``birth_date`` (1800-2099) of ``sex``.

    With ``serial`` (0-9999) the result is fixed, and ``ValueError`` says so when that serial
    happens to give no check digit (about 1 in 121). Without it a serial is drawn from ``rng``.
    """
    if serial is not None:
        return _with_check_digit(iin_prefix(birth_date, sex, serial), serial)
    chooser = rng or random.Random()  # noqa: S311 - test data, not secrets
    while True:
        number = _complete(iin_prefix(birth_date, sex, chooser.randrange(_IIN_SERIALS)))
        if number is not None:
            return number


def make_bin(
    registration: date = date(2015, 1, 1),
    entity_type: BinEntityType | int = BinEntityType.RESIDENT,
    attribute: BinAttribute | int = BinAttribute.HEAD_OFFICE,
    serial: int | None = None,
    *,
    rng: random.Random | None = None,
) -> str:
    """A valid BIN registered in the month of ``registration`` (its day is ignored).

    ``serial`` (0-99999) behaves as in :func:`make_iin`.
    """
    if serial is not None:
        return _with_check_digit(_bin_prefix(registration, entity_type, attribute, serial), serial)
    chooser = rng or random.Random()  # noqa: S311 - test data, not secrets
    while True:
        prefix = _bin_prefix(registration, entity_type, attribute, chooser.randrange(_BIN_SERIALS))
        number = _complete(prefix)
        if number is not None:
            return number


def make_tj_inn(serial: int | None = None, *, rng: random.Random | None = None) -> str:
    """A well-formed Tajik INN: ``serial`` written with 9 digits, or 9 random digits."""
    if serial is None:
        serial = (rng or random.Random()).randrange(_TJ_INN_NUMBERS)  # noqa: S311
    if not 0 <= serial < _TJ_INN_NUMBERS:
        raise ValueError(f"a Tajik INN has 9 digits, so {serial} does not fit")
    return f"{serial:09d}"


# --- Hypothesis strategies ------------------------------------------------------------------------


def iins(
    min_birth_date: date = date(1900, 1, 1),
    max_birth_date: date | None = None,
    sexes: tuple[Sex, ...] = (Sex.MALE, Sex.FEMALE),
) -> SearchStrategy[str]:
    """Valid IINs with birth dates in the range (default: 1900-01-01 up to today)."""
    from hypothesis import strategies as st

    latest = max_birth_date or date.today()
    if min_birth_date.year < 1800 or latest.year > 2099 or min_birth_date > latest:
        raise ValueError("IIN birth dates lie in 1800-2099 and the range must not be empty")
    prefixes = st.builds(
        iin_prefix,
        st.dates(min_birth_date, latest),
        st.sampled_from(sexes),
        st.integers(0, _IIN_SERIALS - 1),
    )
    return prefixes.filter(lambda prefix: kz_check_digit(prefix) is not None).map(
        lambda prefix: f"{prefix}{kz_check_digit(prefix)}"
    )


def bins(
    min_registration: date = date(1991, 1, 1),
    max_registration: date | None = None,
) -> SearchStrategy[str]:
    """Valid BINs of every entity type and unit, registered in the range (default to today).

    Keep the range within one century's worth of years ending this year, since a BIN holds
    only two digits of its year.
    """
    from hypothesis import strategies as st

    latest = max_registration or date.today()
    prefixes = st.builds(
        _bin_prefix,
        st.dates(min_registration, latest),
        st.sampled_from(list(BinEntityType)),
        st.sampled_from(list(BinAttribute)),
        st.integers(0, _BIN_SERIALS - 1),
    )
    return prefixes.filter(lambda prefix: kz_check_digit(prefix) is not None).map(
        lambda prefix: f"{prefix}{kz_check_digit(prefix)}"
    )


def tj_inns() -> SearchStrategy[str]:
    """Well-formed Tajik INNs (any 9 digits)."""
    from hypothesis import strategies as st

    return st.integers(0, _TJ_INN_NUMBERS - 1).map(lambda n: f"{n:09d}")
