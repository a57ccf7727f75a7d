"""National identification numbers: check them and read what they encode.

Rules (names as used by ``CountryProfile.identifiers``):

``kz-iin``
    Kazakhstan's individual identification number (ИИН / ЖСН), 12 digits::

        YYMMDD C NNNN K

    ``YYMMDD`` is the birth date; ``C`` gives century and sex: 1/2 = male/female born in the
    19th century (1800-1899), 3/4 = 20th (1900-1999), 5/6 = 21st (2000-2099); ``NNNN`` is a
    serial number; ``K`` the check digit (below). Some older descriptions mention ``C = 0`` for
    foreigners whose birth date is unknown; the current rules do not define it, so this module
    rejects 0 and 7-9 with the code ``"century"``. A birth date after today is rejected too.

``kz-bin``
    Kazakhstan's business identification number (БИН / БСН), 12 digits::

        YYMM T A NNNNN K

    ``YYMM`` is the year and month of (re-)registration; ``T`` the kind of entity: 4 = resident
    legal entity, 5 = non-resident legal entity, 6 = individual entrepreneur working as a joint
    venture (совместное предпринимательство); ``A`` the unit: 0 = head office, 1 = branch,
    2 = representative office, 3 = peasant (farm) holding run as a joint venture; ``NNNNN`` a
    serial number; ``K`` the check digit. Because an IIN's 5th digit is the tens of a day (0-3)
    and a BIN's is 4-6, the two never collide; a number of the other kind is reported with the
    code ``"wrong_kind"``.

``tj-inn``
    Tajikistan's taxpayer identification number (ИНН), 9 digits, for people and
    organizations alike. No official public check-digit rule was found, so only the format is
    checked.

The Kazakh check digit: multiply the first 11 digits by the weights 1, 2, …, 11, sum, take the
remainder mod 11. If it is 10, use the weights 3, 4, …, 11, 1, 2 instead; if that remainder is 10
too, the 11 digits have no check digit and the number is never issued. Note the weakness this
implies: the 11th digit has weight 11 ≡ 0 (mod 11) in the first pass, so changing only that digit
goes undetected whenever the first remainder is not 10.

Input is normalised by removing all whitespace. Every function here raises
:class:`IdentifierError` (a ``ValueError``) for any bad input, never anything else.
Messages are lazy translations with ``%(name)s`` placeholders filled from ``error.params``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import IntEnum, StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, TypeAlias

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    Message: TypeAlias = str | _StrPromise

__all__ = [
    "RULE_LABELS",
    "VALIDATORS",
    "BinAttribute",
    "BinEntityType",
    "BinInfo",
    "IdentifierError",
    "IinInfo",
    "Sex",
    "is_valid",
    "kz_check_digit",
    "normalize",
    "validate",
    "validate_bin",
    "validate_iin",
    "validate_tj_inn",
]

KZ_LENGTH: Final = 12
TJ_INN_LENGTH: Final = 9
_DIGITS: Final = frozenset("0123456789")
_WEIGHTS_FIRST: Final = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_WEIGHTS_SECOND: Final = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class BinEntityType(IntEnum):
    """The 5th digit of a BIN."""

    RESIDENT = 4
    NON_RESIDENT = 5
    JOINT_ENTREPRENEUR = 6


class BinAttribute(IntEnum):
    """The 6th digit of a BIN."""

    HEAD_OFFICE = 0
    BRANCH = 1
    REPRESENTATIVE_OFFICE = 2
    PEASANT_FARM = 3


_ENTITY_TYPES: Final = frozenset(int(member) for member in BinEntityType)
_ATTRIBUTES: Final = frozenset(int(member) for member in BinAttribute)

#: 7th IIN digit → (century, sex); century 19 means born 1800-1899, and so on.
_IIN_CENTURY: Final[Mapping[str, tuple[int, Sex]]] = MappingProxyType(
    {
        "1": (19, Sex.MALE),
        "2": (19, Sex.FEMALE),
        "3": (20, Sex.MALE),
        "4": (20, Sex.FEMALE),
        "5": (21, Sex.MALE),
        "6": (21, Sex.FEMALE),
    }
)


@dataclass(frozen=True)
class IinInfo:
    """What a valid IIN says. ``century`` is 19, 20 or 21 (born 1800s, 1900s, 2000s)."""

    value: str
    birth_date: date
    sex: Sex
    century: int
    serial: str


@dataclass(frozen=True)
class BinInfo:
    """What a valid BIN says.

    A BIN carries only two digits of the year: ``registration_year`` reads them as 20YY unless
    that lies after the current year, then as 19YY.
    """

    value: str
    registration_year: int
    registration_month: int
    entity_type: BinEntityType
    attribute: BinAttribute
    serial: str


class IdentifierError(ValueError):
    """An identification number is not valid.

    ``code`` is stable, for programs: ``invalid_type``, ``not_digits``, ``length``, ``century``,
    ``birth_date``, ``registration_date``, ``entity_type``, ``entity_attribute``, ``wrong_kind``,
    ``checksum``. ``message`` is a lazy translatable text with ``%(name)s`` placeholders, and
    ``params`` fills them; ``str(error)`` renders both in the active language.
    """

    def __init__(
        self,
        rule: str,
        code: str,
        message: Message,
        params: Mapping[str, object] | None = None,
    ) -> None:
        self.rule = rule
        self.code = code
        self.message = message
        self.params: dict[str, object] = dict(params or {})
        # args mirror the signature, so the error survives pickling (task queues, caches).
        super().__init__(rule, code, message, self.params)

    def __str__(self) -> str:
        text = str(self.message)
        return text % self.params if self.params else text

    def __repr__(self) -> str:
        return f"IdentifierError(rule={self.rule!r}, code={self.code!r}, params={self.params!r})"


# --- messages -------------------------------------------------------------------------------------
# Whole sentences per identifier, so that translators never have to inflect a spliced-in name.

_MESSAGES: Final[Mapping[tuple[str, str], Message]] = MappingProxyType(
    {
        ("kz-iin", "invalid_type"): _("An IIN must be given as text, not as %(type)s."),
        ("kz-iin", "not_digits"): _(
            "An IIN contains only the digits 0–9; “%(character)s” is not one of them."
        ),
        ("kz-iin", "length"): _("An IIN has %(expected)d digits; this one has %(length)d."),
        ("kz-iin", "century"): _(
            "The 7th digit of an IIN gives the century of birth and the sex and must be 1–6; "
            "it is %(digit)s."
        ),
        ("kz-iin", "birth_date"): _("The birth date %(date)s does not exist."),
        ("kz-iin", "future_birth_date"): _("The birth date %(date)s is in the future."),
        ("kz-iin", "wrong_kind"): _("This is a BIN (business identification number), not an IIN."),
        ("kz-iin", "checksum"): _("The check digit is %(actual)s but should be %(expected)s."),
        ("kz-iin", "no_check_digit"): _(
            "No check digit exists for the first 11 digits, so this IIN cannot have been issued."
        ),
        ("kz-bin", "invalid_type"): _("A BIN must be given as text, not as %(type)s."),
        ("kz-bin", "not_digits"): _(
            "A BIN contains only the digits 0–9; “%(character)s” is not one of them."
        ),
        ("kz-bin", "length"): _("A BIN has %(expected)d digits; this one has %(length)d."),
        ("kz-bin", "registration_date"): _(
            "Digits 3–4 of a BIN are the month of registration and must be 01–12; "
            "they are %(month)s."
        ),
        ("kz-bin", "entity_type"): _(
            "The 5th digit of a BIN gives the kind of entity and must be 4, 5 or 6; "
            "it is %(digit)s."
        ),
        ("kz-bin", "entity_attribute"): _(
            "The 6th digit of a BIN gives the kind of unit and must be 0, 1, 2 or 3; "
            "it is %(digit)s."
        ),
        ("kz-bin", "wrong_kind"): _(
            "This is an IIN (individual identification number), not a BIN."
        ),
        ("kz-bin", "checksum"): _("The check digit is %(actual)s but should be %(expected)s."),
        ("kz-bin", "no_check_digit"): _(
            "No check digit exists for the first 11 digits, so this BIN cannot have been issued."
        ),
        ("tj-inn", "invalid_type"): _("A TIN must be given as text, not as %(type)s."),
        ("tj-inn", "not_digits"): _(
            "A TIN contains only the digits 0–9; “%(character)s” is not one of them."
        ),
        ("tj-inn", "length"): _("A TIN has %(expected)d digits; this one has %(length)d."),
    }
)

#: A short name of each rule's number, for labels and help texts.
RULE_LABELS: Final[Mapping[str, Message]] = MappingProxyType(
    {"kz-iin": _("IIN"), "kz-bin": _("BIN"), "tj-inn": _("TIN")}
)


def _error(
    rule: str, code: str, params: Mapping[str, object] | None = None, *, message: str = ""
) -> IdentifierError:
    """The error ``code`` of ``rule``; ``message`` picks a variant text under the same code."""
    return IdentifierError(rule, code, _MESSAGES[(rule, message or code)], params)


# --- shared steps ---------------------------------------------------------------------------------


def normalize(value: str) -> str:
    """``value`` with all whitespace removed (``" 900101 300123 "`` → ``"900101300123"``)."""
    return "".join(value.split())


def _shown(character: str) -> str:
    return character if character.isprintable() else f"U+{ord(character):04X}"


def _digits(rule: str, value: object, length: int) -> str:
    """Normalise ``value`` and make sure it is exactly ``length`` ASCII digits."""
    if not isinstance(value, str):
        raise _error(rule, "invalid_type", {"type": type(value).__name__})
    number = normalize(value)
    for character in number:
        if character not in _DIGITS:
            raise _error(rule, "not_digits", {"character": _shown(character)})
    if len(number) != length:
        raise _error(rule, "length", {"expected": length, "length": len(number)})
    return number


def _remainder(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11


def kz_check_digit(first11: str) -> int | None:
    """The check digit of a Kazakh IIN/BIN whose first 11 digits are ``first11``.

    ``None`` when no check digit exists (both remainders are 10): such numbers are never issued.
    ``ValueError`` when ``first11`` is not exactly 11 ASCII digits.
    """
    if len(first11) != 11 or not set(first11) <= _DIGITS:
        raise ValueError(f"expected 11 digits, got {first11!r}")
    remainder = _remainder(first11, _WEIGHTS_FIRST)
    if remainder == 10:
        remainder = _remainder(first11, _WEIGHTS_SECOND)
    return None if remainder == 10 else remainder


def _check_kz_checksum(rule: str, number: str) -> None:
    expected = kz_check_digit(number[:11])
    if expected is None:
        raise _error(rule, "checksum", message="no_check_digit")
    if int(number[11]) != expected:
        raise _error(rule, "checksum", {"actual": number[11], "expected": expected})


# --- Kazakhstan -----------------------------------------------------------------------------------


def _parse_iin(number: str, today: date) -> IinInfo:
    century_digit = number[6]
    if century_digit not in _IIN_CENTURY:
        raise _error("kz-iin", "century", {"digit": century_digit})
    century, sex = _IIN_CENTURY[century_digit]
    year = (century - 1) * 100 + int(number[0:2])
    shown = f"{number[4:6]}.{number[2:4]}.{year:04d}"
    try:
        birth_date = date(year, int(number[2:4]), int(number[4:6]))
    except ValueError:
        raise _error("kz-iin", "birth_date", {"date": shown}) from None
    if birth_date > today:
        raise _error("kz-iin", "birth_date", {"date": shown}, message="future_birth_date")
    _check_kz_checksum("kz-iin", number)
    return IinInfo(
        value=number, birth_date=birth_date, sex=sex, century=century, serial=number[7:11]
    )


def _parse_bin(number: str, today: date) -> BinInfo:
    month = int(number[2:4])
    if not 1 <= month <= 12:
        raise _error("kz-bin", "registration_date", {"month": number[2:4]})
    if int(number[4]) not in _ENTITY_TYPES:
        raise _error("kz-bin", "entity_type", {"digit": number[4]})
    if int(number[5]) not in _ATTRIBUTES:
        raise _error("kz-bin", "entity_attribute", {"digit": number[5]})
    _check_kz_checksum("kz-bin", number)
    year = 2000 + int(number[0:2])
    if year > today.year:
        year -= 100
    return BinInfo(
        value=number,
        registration_year=year,
        registration_month=month,
        entity_type=BinEntityType(int(number[4])),
        attribute=BinAttribute(int(number[5])),
        serial=number[6:11],
    )


def _passes(parse: Callable[[str, date], object], number: str, today: date) -> bool:
    try:
        parse(number, today)
    except IdentifierError:
        return False
    return True


def validate_iin(value: object, *, today: date | None = None) -> IinInfo:
    """Check a Kazakh IIN and return what it encodes; :class:`IdentifierError` if invalid.

    ``today`` (default: the current date) bounds the birth date.
    """
    number = _digits("kz-iin", value, KZ_LENGTH)
    today = today or date.today()
    if number[4] in "456" and _passes(_parse_bin, number, today):
        raise _error("kz-iin", "wrong_kind")
    return _parse_iin(number, today)


def validate_bin(value: object, *, today: date | None = None) -> BinInfo:
    """Check a Kazakh BIN and return what it encodes; :class:`IdentifierError` if invalid.

    ``today`` (default: the current date) decides the century of the registration year.
    """
    number = _digits("kz-bin", value, KZ_LENGTH)
    today = today or date.today()
    if number[4] in "0123" and _passes(_parse_iin, number, today):
        raise _error("kz-bin", "wrong_kind")
    return _parse_bin(number, today)


# --- Tajikistan -----------------------------------------------------------------------------------


def validate_tj_inn(value: object) -> str:
    """Check a Tajik taxpayer number (9 digits; format only) and return it normalised."""
    return _digits("tj-inn", value, TJ_INN_LENGTH)


# --- by rule name ---------------------------------------------------------------------------------

Validator: TypeAlias = Callable[[object], "IinInfo | BinInfo | str"]

#: Rule name → validator; each returns what the number encodes, or raises IdentifierError.
VALIDATORS: Final[Mapping[str, Validator]] = MappingProxyType(
    {"kz-iin": validate_iin, "kz-bin": validate_bin, "tj-inn": validate_tj_inn}
)


def validate(rule_name: str, value: object) -> IinInfo | BinInfo | str:
    """Validate ``value`` with the rule called ``rule_name`` (see :data:`VALIDATORS`).

    An unknown rule name is a programming error and raises ``LookupError``, which is not an
    :class:`IdentifierError`.
    """
    try:
        validator = VALIDATORS[rule_name]
    except KeyError:
        known = ", ".join(sorted(VALIDATORS))
        raise LookupError(f"Unknown identifier rule {rule_name!r}; known rules: {known}.") from None
    return validator(value)


def is_valid(rule_name: str, value: object) -> bool:
    """True when ``value`` passes ``rule_name``."""
    try:
        validate(rule_name, value)
    except IdentifierError:
        return False
    return True
