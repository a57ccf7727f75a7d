"""Country profiles: everything that differs between the countries the platform serves.

A profile is plain data, kept in ``data/<code>.json`` beside this module, and read into frozen
dataclasses by :func:`get_profile`. The settings pick one with ``EGOV_COUNTRY`` (``kz``, ``tj``).

This module is imported by the settings themselves, so it depends on the standard library only:
no Django import may appear here (an import-linter contract checks it).

Names are given per language as read-only mappings ``{"kk": ..., "ru": ..., "en": ..., "tg": ...}``.
The country name and every region name carry all four UI languages, whichever country is served;
holiday names and the platform name carry at least the profile's own languages.

The working-day calendar knows the weekend and the public holidays that fall on the same date every
year. Holidays that follow the lunar calendar (Kurban Ait in Kazakhstan, Idi Ramazon and Idi Qurbon
in Tajikistan) and the one-off day swaps that governments decree each year are not in the data:
pass them to :class:`Calendar` as ``extra_days_off`` / ``extra_working_days``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache, lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

__all__ = [
    "ALL_LANGUAGES",
    "LANGUAGE_NAMES",
    "REGION_KINDS",
    "Branding",
    "Calendar",
    "CountryProfile",
    "Currency",
    "Holiday",
    "ProfileDataError",
    "Region",
    "available_profiles",
    "get_profile",
    "load_profile",
    "working_days_after",
]

#: Every UI language the platform has, in display order.
ALL_LANGUAGES: tuple[str, ...] = ("kk", "ru", "en", "tg")

#: Each UI language's name in that language, for language switchers.
LANGUAGE_NAMES: Mapping[str, str] = MappingProxyType(
    {"kk": "Қазақша", "ru": "Русский", "en": "English", "tg": "Тоҷикӣ"}
)

#: The kinds of first-level subdivision the profiles use.
REGION_KINDS: frozenset[str] = frozenset({"region", "city", "autonomous_region", "districts"})

#: Week day names as written in the data files; position + 1 is the ISO week day (Monday = 1).
WEEKDAY_NAMES: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)

_SCHEMA_VERSION = 1
_CODE_PATTERN = re.compile(r"[a-z]{2}\Z")
_COLOUR_PATTERN = re.compile(r"#[0-9A-Fa-f]{6}\Z")
_CURRENCY_PATTERN = re.compile(r"[A-Z]{3}\Z")
_NUMERIC_PATTERN = re.compile(r"[0-9]{3}\Z")
_HOLIDAY_PATTERN = re.compile(r"(\d\d)-(\d\d)\Z")
_DATA_PACKAGE = "data"


class ProfileDataError(ValueError):
    """A profile's data file is missing something or contradicts itself."""


def _base_language(lang: str) -> str:
    """``"ru-RU"`` / ``"kk_KZ"`` / ``"EN"`` → ``"ru"`` / ``"kk"`` / ``"en"``."""
    return lang.replace("_", "-").split("-", 1)[0].strip().lower()


def _pick(names: Mapping[str, str], candidates: Iterable[str | None]) -> str:
    """The name in the first candidate language that has one, else in platform order."""
    for candidate in candidates:
        if candidate:
            key = _base_language(candidate)
            if key in names:
                return names[key]
    for key in ALL_LANGUAGES:
        if key in names:
            return names[key]
    return next(iter(names.values()), "")


def _frozen_names(names: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(names))


@dataclass(frozen=True)
class Currency:
    """A currency: ISO 4217 letter and number codes, the symbol shown next to amounts."""

    code: str
    symbol: str
    numeric: str = ""
    minor_units: int = 2


@dataclass(frozen=True)
class Region:
    """A first-level subdivision: an oblast, a city of republican significance, and the like.

    ``code`` is the ISO 3166-2 code (``"KZ-71"``), ``kind`` one of :data:`REGION_KINDS`.
    ``default_language`` is the owning profile's default, used as the last-but-one fallback of
    :meth:`display_name`; the loader fills it in.
    """

    code: str
    name: Mapping[str, str] = field(hash=False)
    kind: str
    default_language: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", _frozen_names(self.name))

    def display_name(self, lang: str, fallback: str | None = None) -> str:
        """The name in ``lang``; failing that in ``fallback``, then in the profile's default."""
        return _pick(self.name, (lang, fallback, self.default_language))

    def __str__(self) -> str:
        return self.display_name(self.default_language or "en")


@dataclass(frozen=True)
class Holiday:
    """A public holiday that falls on the same month and day every year, and is a day off."""

    month: int
    day: int
    name: Mapping[str, str] = field(hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", _frozen_names(self.name))

    def on(self, year: int) -> date | None:
        """The holiday's date in ``year``, or ``None`` (29 February outside leap years)."""
        try:
            return date(year, self.month, self.day)
        except ValueError:
            return None

    def display_name(self, lang: str, fallback: str | None = None) -> str:
        return _pick(self.name, (lang, fallback))


@dataclass(frozen=True)
class Branding:
    """What the platform is called, per language, and its two brand colours (``#RRGGBB``)."""

    platform_name: Mapping[str, str] = field(hash=False)
    primary_color: str
    secondary_color: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "platform_name", _frozen_names(self.platform_name))

    def platform_name_for(self, lang: str, fallback: str | None = None) -> str:
        return _pick(self.platform_name, (lang, fallback))

    @property
    def text_on_primary(self) -> str:
        """Near-black or white, whichever contrasts more with the primary colour (WCAG 2.2)."""
        return readable_text_on(self.primary_color)


_DARK_TEXT, _LIGHT_TEXT = "#0b1f26", "#ffffff"


def _luminance(colour: str) -> float:
    """WCAG relative luminance of a ``#RRGGBB`` colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def readable_text_on(background: str) -> str:
    return max((_DARK_TEXT, _LIGHT_TEXT), key=lambda text: contrast_ratio(text, background))


@dataclass(frozen=True)
class CountryProfile:
    """One country the platform can serve.

    ``identifiers`` maps the kind of party (``"person"``, ``"organization"``) to the name of the
    rule that validates its national number (see ``egov.core.identifiers.VALIDATORS``).
    ``weekend_days`` holds ISO week days (Monday = 1 … Sunday = 7). When ``holiday_carry_over`` is
    true, a holiday that falls on a weekend day gives the next working day off instead.
    """

    code: str
    iso_code: str
    name: Mapping[str, str] = field(hash=False)
    languages: tuple[str, ...]
    default_language: str
    currency: Currency
    regions: tuple[Region, ...]
    identifiers: Mapping[str, str] = field(hash=False)
    branding: Branding
    xroad_instance: str
    timezone: str
    weekend_days: tuple[int, ...] = (6, 7)
    holidays: tuple[Holiday, ...] = ()
    holiday_carry_over: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", _frozen_names(self.name))
        object.__setattr__(self, "identifiers", _frozen_names(self.identifiers))

    def display_name(self, lang: str, fallback: str | None = None) -> str:
        """The country's name in ``lang``, else ``fallback``, else the default language."""
        return _pick(self.name, (lang, fallback, self.default_language))

    def region(self, code: str) -> Region:
        """The region with ISO 3166-2 ``code``; ``KeyError`` when the country has none such."""
        wanted = code.strip().upper()
        for region in self.regions:
            if region.code == wanted:
                return region
        raise KeyError(f"{self.code} has no region {code!r}")

    def region_choices(self, lang: str) -> list[tuple[str, str]]:
        """``(code, name)`` pairs in data order, ready for a form's ``choices``."""
        return [(region.code, region.display_name(lang)) for region in self.regions]

    def calendar(self) -> Calendar:
        """The working-day calendar with the profile's weekend and fixed holidays."""
        return _calendar_for(self)

    def __str__(self) -> str:
        return self.display_name("en")


class Calendar:
    """Working days of one country: not a weekend day, not a (carried-over) public holiday.

    ``extra_days_off`` and ``extra_working_days`` carry what the data cannot: lunar holidays and
    the days the government moves each year. A date in ``extra_working_days`` is a working day
    whatever else is true of it.
    """

    def __init__(
        self,
        profile: CountryProfile,
        *,
        extra_days_off: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
    ) -> None:
        if len(set(profile.weekend_days)) >= 7:
            raise ValueError(f"{profile.code}: a week with no working day has no working days")
        self.profile = profile
        self._weekend = frozenset(profile.weekend_days)
        self._extra_off = frozenset(extra_days_off)
        self._extra_working = frozenset(extra_working_days)
        self._days_off_cache: dict[int, frozenset[date]] = {}

    def is_weekend(self, day: date) -> bool:
        return day.isoweekday() in self._weekend

    def holiday_days_off(self, year: int) -> frozenset[date]:
        """The days of ``year`` that are off because of a fixed holiday, carried-over days included.

        Holidays are taken in date order; one on a weekend day moves to the next day that is
        neither a weekend day nor already off. The previous year's holidays take part, since a
        holiday late in December can be carried into January.
        """
        cached = self._days_off_cache.get(year)
        if cached is not None:
            return cached
        dates = sorted(
            {
                d
                for y in (year - 1, year)
                for holiday in self.profile.holidays
                if (d := holiday.on(y))
            }
        )
        days_off = set(dates)
        if self.profile.holiday_carry_over:
            for holiday_date in dates:
                if not self.is_weekend(holiday_date):
                    continue
                candidate = holiday_date + timedelta(days=1)
                while self.is_weekend(candidate) or candidate in days_off:
                    candidate += timedelta(days=1)
                days_off.add(candidate)
        result = frozenset(day for day in days_off if day.year == year)
        self._days_off_cache[year] = result
        return result

    def is_holiday(self, day: date) -> bool:
        """True for a public holiday or a day off carried over from one (extra days included)."""
        return day in self._extra_off or day in self.holiday_days_off(day.year)

    def is_working_day(self, day: date) -> bool:
        if day in self._extra_working:
            return True
        return not (self.is_weekend(day) or self.is_holiday(day))

    def next_working_day(self, day: date) -> date:
        """``day`` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, start: date, n: int) -> date:
        """The date ``n`` working days after ``start`` (before it when ``n`` is negative).

        ``start`` itself is never counted, so ``add_working_days(friday, 1)`` is the following
        Monday when the weekend is Saturday-Sunday; ``n == 0`` returns ``start`` unchanged.
        """
        step = timedelta(days=1 if n >= 0 else -1)
        remaining = abs(n)
        current = start
        while remaining:
            current += step
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days lie after ``start`` up to and including ``end`` (0 if none)."""
        count = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count


@lru_cache(maxsize=16)
def _calendar_for(profile: CountryProfile) -> Calendar:
    return Calendar(profile)


def working_days_after(profile: CountryProfile, start_date: date, n: int) -> date:
    """Shortcut for ``Calendar(profile).add_working_days(start_date, n)``."""
    return _calendar_for(profile).add_working_days(start_date, n)


# --- loading --------------------------------------------------------------------------------------


def _fail(source: str, message: str) -> ProfileDataError:
    return ProfileDataError(f"country profile {source}: {message}")


def _get(data: Mapping[str, Any], key: str, kind: type, source: str) -> Any:
    if key not in data:
        raise _fail(source, f"{key!r} is missing")
    value = data[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _fail(source, f"{key!r} should be {kind.__name__}, not {type(value).__name__}")
    return value


def _names(
    data: Mapping[str, Any], key: str, required: Iterable[str], source: str
) -> dict[str, str]:
    raw = _get(data, key, dict, source)
    names: dict[str, str] = {}
    for lang, text in raw.items():
        if lang not in ALL_LANGUAGES:
            raise _fail(source, f"{key!r} has unknown language {lang!r}")
        if not isinstance(text, str) or not text.strip():
            raise _fail(source, f"{key!r} has an empty {lang!r} name")
        names[lang] = text.strip()
    missing = [lang for lang in required if lang not in names]
    if missing:
        raise _fail(source, f"{key!r} lacks languages {', '.join(missing)}")
    return names


def _parse_profile(data: Mapping[str, Any], source: str) -> CountryProfile:
    version = _get(data, "schema_version", int, source)
    if version != _SCHEMA_VERSION:
        raise _fail(source, f"schema_version {version} is not {_SCHEMA_VERSION}")
    code = _get(data, "code", str, source)
    if not _CODE_PATTERN.match(code):
        raise _fail(source, f"code {code!r} should be two lower-case letters")
    iso_code = _get(data, "iso_code", str, source)
    if iso_code != code.upper():
        raise _fail(source, f"iso_code {iso_code!r} does not match code {code!r}")

    languages = tuple(_get(data, "languages", list, source))
    if not languages or any(lang not in ALL_LANGUAGES for lang in languages):
        raise _fail(source, f"languages {languages!r} should be drawn from {ALL_LANGUAGES}")
    if len(set(languages)) != len(languages):
        raise _fail(source, "languages has duplicates")
    default_language = _get(data, "default_language", str, source)
    if default_language not in languages:
        raise _fail(source, f"default_language {default_language!r} is not in {languages}")

    currency_data = _get(data, "currency", dict, source)
    currency = Currency(
        code=_get(currency_data, "code", str, source),
        symbol=_get(currency_data, "symbol", str, source),
        numeric=_get(currency_data, "numeric", str, source),
        minor_units=_get(currency_data, "minor_units", int, source),
    )
    if not _CURRENCY_PATTERN.match(currency.code) or not _NUMERIC_PATTERN.match(currency.numeric):
        raise _fail(source, f"currency {currency.code!r}/{currency.numeric!r} is not ISO 4217")

    identifiers = _get(data, "identifiers", dict, source)
    for party in ("person", "organization"):
        if not isinstance(identifiers.get(party), str) or not identifiers[party]:
            raise _fail(source, f"identifiers lacks a rule for {party!r}")

    branding_data = _get(data, "branding", dict, source)
    branding = Branding(
        platform_name=_names(branding_data, "platform_name", languages, source),
        primary_color=_get(branding_data, "primary_color", str, source),
        secondary_color=_get(branding_data, "secondary_color", str, source),
    )
    for colour in (branding.primary_color, branding.secondary_color):
        if not _COLOUR_PATTERN.match(colour):
            raise _fail(source, f"colour {colour!r} should be written #RRGGBB")

    calendar_data = _get(data, "calendar", dict, source)
    weekend_names = _get(calendar_data, "weekend", list, source)
    if any(day not in WEEKDAY_NAMES for day in weekend_names) or len(set(weekend_names)) > 6:
        raise _fail(source, f"weekend {weekend_names!r} should be 0-6 of {WEEKDAY_NAMES}")
    weekend_days = tuple(sorted({WEEKDAY_NAMES.index(day) + 1 for day in weekend_names}))
    holidays: list[Holiday] = []
    for entry in _get(calendar_data, "holidays", list, source):
        when = _get(entry, "date", str, source)
        match = _HOLIDAY_PATTERN.match(when)
        month, day = (int(match.group(1)), int(match.group(2))) if match else (0, 0)
        try:
            # 2000 is a leap year, so 02-29 passes here and is skipped in other years.
            date(2000, month, day)
        except ValueError:
            raise _fail(source, f"holiday date {when!r} should be a real MM-DD") from None
        holidays.append(
            Holiday(month=month, day=day, name=_names(entry, "name", languages, source))
        )

    regions: list[Region] = []
    for entry in _get(data, "regions", list, source):
        region = Region(
            code=_get(entry, "code", str, source),
            name=_names(entry, "name", ALL_LANGUAGES, source),
            kind=_get(entry, "kind", str, source),
            default_language=default_language,
        )
        if not region.code.startswith(f"{iso_code}-"):
            raise _fail(source, f"region code {region.code!r} should start with {iso_code}-")
        if region.kind not in REGION_KINDS:
            raise _fail(source, f"region {region.code} has unknown kind {region.kind!r}")
        regions.append(region)
    codes = [region.code for region in regions]
    if len(set(codes)) != len(codes):
        raise _fail(source, "region codes are not unique")

    return CountryProfile(
        code=code,
        iso_code=iso_code,
        name=_names(data, "name", ALL_LANGUAGES, source),
        languages=languages,
        default_language=default_language,
        currency=currency,
        regions=tuple(regions),
        identifiers={str(k): str(v) for k, v in identifiers.items()},
        branding=branding,
        xroad_instance=_get(data, "xroad_instance", str, source),
        timezone=_get(data, "timezone", str, source),
        weekend_days=weekend_days,
        holidays=tuple(holidays),
        holiday_carry_over=_get(calendar_data, "holiday_carry_over", bool, source),
    )


def load_profile(data: Mapping[str, Any], source: str = "<data>") -> CountryProfile:
    """Build and check a profile from already-parsed JSON (for tests and extra countries)."""
    return _parse_profile(data, source)


def _data_dir() -> Any:
    return resources.files(__name__).joinpath(_DATA_PACKAGE)


@lru_cache(maxsize=1)
def available_profiles() -> tuple[str, ...]:
    """The codes of the profiles that ship, sorted: ``("kz", "tj")``."""
    names = (entry.name for entry in _data_dir().iterdir())
    return tuple(sorted(name[:-5] for name in names if name.endswith(".json")))


@cache
def _load(code: str) -> CountryProfile:
    source = f"{code}.json"
    text = _data_dir().joinpath(source).read_text(encoding="utf-8")
    profile = _parse_profile(json.loads(text), source)
    if profile.code != code:
        raise _fail(source, f"declares code {profile.code!r}")
    return profile


def get_profile(code: str) -> CountryProfile:
    """The profile for ``code`` (``"kz"``, ``"tj"``; case and surrounding blanks are ignored).

    Profiles are read once and cached. An unknown code raises ``ValueError`` naming the ones
    that exist.
    """
    wanted = code.strip().lower() if isinstance(code, str) else code
    available = available_profiles()
    if wanted not in available:
        raise ValueError(
            f"Unknown country profile {code!r}; available profiles: {', '.join(available)}."
        )
    assert isinstance(wanted, str)
    return _load(wanted)
