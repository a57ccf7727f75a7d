"""Country profiles: the shipped data is complete and consistent; the loader and calendar work."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

if not settings.configured:  # run without pytest-django: translations stay untranslated
    settings.configure(USE_I18N=False)

from hypothesis import given
from hypothesis import strategies as st

from egov.core.countries import (
    ALL_LANGUAGES,
    LANGUAGE_NAMES,
    REGION_KINDS,
    Calendar,
    CountryProfile,
    ProfileDataError,
    Region,
    available_profiles,
    contrast_ratio,
    get_profile,
    load_profile,
    working_days_after,
)
from egov.core.identifiers import VALIDATORS

PROFILES = available_profiles()


def raw(code: str) -> dict[str, Any]:
    text = resources.files("egov.core.countries").joinpath("data", f"{code}.json").read_text()
    data: dict[str, Any] = json.loads(text)
    return data


@pytest.fixture(params=PROFILES)
def profile(request: pytest.FixtureRequest) -> CountryProfile:
    return get_profile(request.param)


# --- the shipped profiles -------------------------------------------------------------------------


def test_header_text_is_readable_on_every_brand_colour(profile: CountryProfile) -> None:
    # The header is painted in the profile's primary colour; its text must reach WCAG AA.
    branding = profile.branding
    assert contrast_ratio(branding.text_on_primary, branding.primary_color) >= 4.5


def test_text_colour_follows_the_background() -> None:
    light = load_profile_with_primary("#ffc61e")
    dark = load_profile_with_primary("#006600")
    assert light.branding.text_on_primary != dark.branding.text_on_primary
    assert dark.branding.text_on_primary == "#ffffff"


def load_profile_with_primary(colour: str) -> CountryProfile:
    data = copy.deepcopy(raw("kz"))
    data["branding"]["primary_color"] = colour
    return load_profile(data)


def test_available_profiles() -> None:
    assert PROFILES == ("kz", "tj")


def test_get_profile_is_cached_and_forgiving() -> None:
    assert get_profile("kz") is get_profile(" KZ ")
    assert get_profile("tj").code == "tj"


@pytest.mark.parametrize("bad", ["uz", "", "KZ1", "../kz", "kz.json", "data/kz"])
def test_get_profile_unknown_code(bad: str) -> None:
    with pytest.raises(ValueError, match=r"Unknown country profile .*available profiles: kz, tj\."):
        get_profile(bad)


def test_every_region_is_named_in_all_four_languages(profile: CountryProfile) -> None:
    for region in profile.regions:
        assert set(region.name) == set(ALL_LANGUAGES), region.code
        assert all(name.strip() for name in region.name.values()), region.code


def test_region_codes_are_unique_iso_codes(profile: CountryProfile) -> None:
    codes = [region.code for region in profile.regions]
    assert len(codes) == len(set(codes))
    assert all(code.startswith(f"{profile.iso_code}-") for code in codes)
    assert all(region.kind in REGION_KINDS for region in profile.regions)


def test_region_names_are_unique_per_language(profile: CountryProfile) -> None:
    for lang in ALL_LANGUAGES:
        names = [region.display_name(lang) for region in profile.regions]
        assert len(names) == len(set(names)), lang


def test_languages(profile: CountryProfile) -> None:
    assert profile.default_language in profile.languages
    assert set(profile.languages) <= set(ALL_LANGUAGES)
    assert profile.default_language == profile.languages[0]
    assert set(LANGUAGE_NAMES) == set(ALL_LANGUAGES)
    assert set(profile.name) == set(ALL_LANGUAGES)


def test_identifier_rules_exist(profile: CountryProfile) -> None:
    assert set(profile.identifiers) == {"person", "organization"}
    assert set(profile.identifiers.values()) <= set(VALIDATORS)


def test_branding_and_holidays_cover_the_profile_languages(profile: CountryProfile) -> None:
    for lang in profile.languages:
        assert profile.branding.platform_name_for(lang) == profile.branding.platform_name[lang]
        for holiday in profile.holidays:
            assert holiday.name[lang]
    assert profile.branding.primary_color.startswith("#")


def test_kazakhstan() -> None:
    kz = get_profile("kz")
    assert kz.languages == ("kk", "ru", "en")
    assert kz.default_language == "kk"
    assert (kz.currency.code, kz.currency.numeric, kz.currency.symbol) == ("KZT", "398", "₸")
    assert kz.identifiers == {"person": "kz-iin", "organization": "kz-bin"}
    assert kz.xroad_instance == "KZ"
    kinds = [region.kind for region in kz.regions]
    assert (kinds.count("region"), kinds.count("city")) == (17, 3)
    cities = {region.code: region.name["en"] for region in kz.regions if region.kind == "city"}
    assert cities == {"KZ-71": "Astana", "KZ-75": "Almaty", "KZ-79": "Shymkent"}
    assert {"KZ-10", "KZ-33", "KZ-62"} <= {region.code for region in kz.regions}  # 2022 regions


def test_tajikistan() -> None:
    tj = get_profile("tj")
    assert tj.languages == ("tg", "ru", "en")
    assert tj.default_language == "tg"
    assert tj.currency.code == "TJS"
    assert tj.identifiers == {"person": "tj-inn", "organization": "tj-inn"}
    assert tj.xroad_instance == "TJ"
    assert {region.code for region in tj.regions} == {"TJ-SU", "TJ-KT", "TJ-GB", "TJ-RA", "TJ-DU"}


def test_profiles_are_frozen_and_hashable(profile: CountryProfile) -> None:
    with pytest.raises(AttributeError):
        profile.code = "xx"  # type: ignore[misc]
    with pytest.raises(TypeError):
        profile.name["en"] = "x"  # type: ignore[index]
    assert hash(profile) == hash(get_profile(profile.code))


def test_loader_imports_no_django() -> None:
    code = (
        "import sys, egov.core.countries as c; c.get_profile('kz'); "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    src = Path(__file__).resolve().parents[3]
    result = subprocess.run([sys.executable, "-c", code], env={"PYTHONPATH": str(src)}, check=False)
    assert result.returncode == 0


# --- display names --------------------------------------------------------------------------------


def test_region_display_name_fallbacks() -> None:
    astana = get_profile("kz").region("kz-71")
    assert astana.display_name("tg") == "Остона"
    assert astana.display_name("ru-RU") == "Астана"
    assert astana.display_name("de", "en") == "Astana"
    assert astana.display_name("de") == astana.name["kk"]  # the profile's default
    bare = Region("XX-01", {"ru": "Регион"}, "region")
    assert bare.display_name("en") == "Регион"
    assert bare.display_name("en", fallback="kk") == "Регион"
    assert Region("XX-02", {}, "region").display_name("en") == ""


def test_region_lookup_and_choices() -> None:
    tj = get_profile("tj")
    assert tj.region("TJ-DU").kind == "city"
    with pytest.raises(KeyError):
        tj.region("KZ-71")
    choices = tj.region_choices("ru")
    assert choices[0] == ("TJ-SU", "Согдийская область")
    assert len(choices) == len(tj.regions)


# --- the loader rejects bad data ------------------------------------------------------------------


def broken(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(raw("kz"))
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda d: d.pop("code"), "'code' is missing"),
        (lambda d: d.update(schema_version=2), "schema_version"),
        (lambda d: d.update(default_language="tg"), "default_language"),
        (lambda d: d.update(languages=["kk", "xx"]), "languages"),
        (lambda d: d["regions"][0]["name"].pop("tg"), "lacks languages tg"),
        (lambda d: d["regions"][1].update(code="KZ-10"), "not unique"),
        (lambda d: d["regions"][0].update(code="TJ-10"), "should start with KZ-"),
        (lambda d: d["regions"][0].update(kind="planet"), "unknown kind"),
        (lambda d: d["branding"].update(primary_color="blue"), "#RRGGBB"),
        (lambda d: d["calendar"]["holidays"][0].update(date="02-30"), "real MM-DD"),
        (lambda d: d["calendar"].update(weekend=["caturday"]), "weekend"),
        (lambda d: d["identifiers"].pop("person"), "'person'"),
        (lambda d: d["currency"].update(code="tenge"), "ISO 4217"),
        (lambda d: d.update(xroad_instance=7), "should be str"),
    ],
)
def test_loader_rejects_bad_data(change: Any, complaint: str) -> None:
    with pytest.raises(ProfileDataError, match=complaint):
        load_profile(broken(change), "kz.json")


def test_loader_round_trip() -> None:
    assert load_profile(raw("tj")) == get_profile("tj")


# --- working-day calendar -------------------------------------------------------------------------


def days(*values: str) -> set[date]:
    return {date.fromisoformat(value) for value in values}


def test_kazakhstan_calendar() -> None:
    calendar = get_profile("kz").calendar()
    # Republic Day 2025 is a Saturday: Monday 27 October is off instead.
    assert {d for d in calendar.holiday_days_off(2025) if d.month == 10} == days(
        "2025-10-25", "2025-10-27"
    )
    assert not calendar.is_working_day(date(2025, 12, 16))
    assert calendar.is_working_day(date(2025, 12, 17))
    # Friday 5 July 2024 + 1 working day: weekend, then Capital Day Saturday carried to Monday.
    assert calendar.add_working_days(date(2024, 7, 5), 1) == date(2024, 7, 9)


def test_tajikistan_calendar_carries_weekend_holidays_over() -> None:
    calendar = get_profile("tj").calendar()
    # 2015: 8 March and 21-22 March fell on weekends; 9, 25 and 26 March were days off.
    march = {d for d in calendar.holiday_days_off(2015) if d.month == 3}
    assert march == days(
        "2015-03-08", "2015-03-09", "2015-03-21", "2015-03-22", "2015-03-23", "2015-03-24",
        "2015-03-25", "2015-03-26",
    )  # fmt: skip
    # 2020: National Unity Day on a Saturday, Monday 29 June off.
    assert not calendar.is_working_day(date(2020, 6, 29))
    assert working_days_after(get_profile("tj"), date(2015, 3, 20), 1) == date(2015, 3, 27)


def test_calendar_extra_days_and_edges() -> None:
    kz = get_profile("kz")
    kurban_ait = date(2025, 6, 6)  # a lunar holiday, announced each year
    saturday_made_working = date(2025, 6, 14)
    calendar = Calendar(kz, extra_days_off=[kurban_ait], extra_working_days=[saturday_made_working])
    assert not calendar.is_working_day(kurban_ait)
    assert calendar.is_working_day(saturday_made_working)
    assert calendar.add_working_days(date(2025, 6, 5), 1) == date(2025, 6, 9)
    assert calendar.add_working_days(date(2025, 6, 7), 0) == date(2025, 6, 7)
    assert calendar.add_working_days(date(2025, 6, 9), -1) == date(2025, 6, 5)
    assert calendar.next_working_day(date(2025, 6, 7)) == date(2025, 6, 9)
    assert calendar.working_days_between(date(2025, 6, 5), date(2025, 6, 9)) == 1


def test_calendar_carry_over_into_next_year() -> None:
    data = raw("kz")
    data["calendar"]["holidays"].append({"date": "12-31", "name": data["name"]})
    calendar = load_profile(data).calendar()
    # Saturday 31 December 2022 and Sunday 1 January 2023 move past the 2 January holiday.
    assert calendar.holiday_days_off(2023) >= days("2023-01-02", "2023-01-03", "2023-01-04")
    assert calendar.is_working_day(date(2023, 1, 5))
    assert date(2022, 12, 31) in calendar.holiday_days_off(2022)
    # Without that holiday only the Sunday moves: Tuesday 3 January.
    shipped = get_profile("kz").calendar()
    assert not shipped.is_working_day(date(2023, 1, 3))
    assert shipped.is_working_day(date(2023, 1, 4))


@given(
    st.sampled_from(PROFILES),
    st.dates(date(2000, 1, 1), date(2040, 12, 31)),
    st.integers(1, 40),
    st.integers(1, 40),
)
def test_add_working_days_properties(code: str, start: date, a: int, b: int) -> None:
    calendar = get_profile(code).calendar()
    after_a = calendar.add_working_days(start, a)
    assert after_a > start
    assert calendar.is_working_day(after_a)
    assert calendar.working_days_between(start, after_a) == a
    assert calendar.add_working_days(after_a, b) == calendar.add_working_days(start, a + b)
    skipped = [start + timedelta(days=i) for i in range(1, (after_a - start).days)]
    assert sum(calendar.is_working_day(day) for day in skipped) == a - 1
    if calendar.is_working_day(start):
        assert calendar.add_working_days(after_a, -a) == start
