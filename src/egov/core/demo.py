"""Demo data: a small, believable registry and one log-in per role. Loading twice changes nothing.

Demo staff accounts have a second factor enrolled with a key derived from their username, so
`egov totp <username>` can print the current code on a demo deployment.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from egov.core.choices import PLATFORM_ROLES, Role
from egov.core.identifiers import kz_check_digit
from egov.core.models import InformationSystem, Membership, Organization, User

DEMO_PASSWORD_SUFFIX = "-demo-2026"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    organization: str


def with_check_digit(first11: str) -> str:
    """A valid IIN or BIN from 11 digits; the serial moves on where no check digit exists."""
    serial = int(first11[6:])
    while True:
        body = f"{first11[:6]}{serial:05d}"
        check = kz_check_digit(body)
        if check is not None:
            return f"{body}{check}"
        serial += 1


def _tj_inn(seed: int) -> str:
    return f"{510000000 + seed:09d}"


# code, kind, parent, member class, names (kk, ru, en, tg), region
ORGANIZATIONS: list[tuple[str, str, str | None, str, tuple[str, str, str, str], str]] = [
    (
        "OPERATOR",
        "operator",
        None,
        "GOV",
        ("Платформа операторы", "Оператор платформы", "Platform operator", "Оператори платформа"),
        "",
    ),
    (
        "MINJUST",
        "ministry",
        None,
        "GOV",
        ("Әділет министрлігі", "Министерство юстиции", "Ministry of Justice", "Вазорати адлия"),
        "",
    ),
    (
        "MINJUST-REG",
        "committee",
        "MINJUST",
        "GOV",
        (
            "Тіркеу қызметі комитеті",
            "Комитет регистрационной службы",
            "Registration Service Committee",
            "Кумитаи хизматрасонии бақайдгирӣ",
        ),
        "",
    ),
    (
        "MINJUST-ALA",
        "territorial",
        "MINJUST",
        "GOV",
        (
            "Алматы қаласының әділет департаменті",
            "Департамент юстиции города Алматы",
            "Almaty City Department of Justice",
            "Раёсати адлияи шаҳри Алмаато",
        ),
        "KZ-75",
    ),
    (
        "MDDIAI",
        "ministry",
        None,
        "GOV",
        (
            "Цифрлық даму министрлігі",
            "Министерство цифрового развития",
            "Ministry of Digital Development",
            "Вазорати рушди рақамӣ",
        ),
        "",
    ),
    (
        "AKIMAT-ALA",
        "local_administration",
        None,
        "GOV",
        (
            "Алматы қаласының әкімдігі",
            "Акимат города Алматы",
            "Almaty City Akimat",
            "Ҳокимияти шаҳри Алмаато",
        ),
        "KZ-75",
    ),
    (
        "GOVCIT",
        "state_enterprise",
        "MDDIAI",
        "GOV",
        (
            "Азаматтарға арналған үкімет",
            "Правительство для граждан",
            "Government for Citizens",
            "Ҳукумат барои шаҳрвандон",
        ),
        "",
    ),
    (
        "DEMOBANK",
        "business",
        None,
        "COM",
        ("Демо Банк", "Демо Банк", "Demo Bank", "Бонки намоишӣ"),
        "KZ-75",
    ),
]

SYSTEMS = [
    (
        "MINJUST-REG",
        "realty-registry",
        (
            "Жылжымайтын мүлік тізілімі",
            "Реестр недвижимости",
            "Real estate registry",
            "Феҳристи амволи ғайриманқул",
        ),
    ),
    (
        "MINJUST-REG",
        "legal-entities",
        (
            "Заңды тұлғалар тізілімі",
            "Реестр юридических лиц",
            "Register of legal entities",
            "Феҳристи шахсони ҳуқуқӣ",
        ),
    ),
    (
        "MDDIAI",
        "smart-data",
        ("Smart Data Үкімет", "Smart Data Укимет", "Smart Data Ukimet", "Smart Data Ҳукумат"),
    ),
    ("DEMOBANK", "loans", ("Несие жүйесі", "Кредитная система", "Loan system", "Низоми қарз")),
]

# username, role, organization (None for platform-wide roles)
USERS = [
    ("operator", Role.OPERATOR, None),
    ("orgadmin", Role.ORG_ADMIN, "MINJUST"),
    ("owner", Role.SERVICE_OWNER, "MINJUST-REG"),
    ("approver", Role.APPROVER, "MINJUST-REG"),
    ("integrator", Role.INTEGRATOR, "DEMOBANK"),
    ("editor", Role.EDITOR, "MINJUST"),
    ("moderator", Role.MODERATOR, "MINJUST"),
    ("analyst", Role.ANALYST, "MDDIAI"),
    ("citizen", Role.CITIZEN, None),
]


def _identifier(index: int) -> str:
    if settings.COUNTRY.identifiers.get("organization") == "kz-bin":
        return with_check_digit(f"0{index + 1:01d}0340{index + 1:05d}"[:11])
    return _tj_inn(index)


def _person_identifier(index: int) -> str | None:
    if settings.COUNTRY.identifiers.get("person") == "kz-iin":
        return with_check_digit(f"8{index:01d}0512{3 if index % 2 else 4}{index:04d}"[:11])
    return _tj_inn(500 + index)


def demo_key(username: str) -> str:
    """The demo account's TOTP key (hex): derived, so it is the same on every demo machine."""
    return hashlib.sha256(f"egov-demo-totp:{username}".encode()).hexdigest()[:40]


@transaction.atomic
def load() -> list[DemoLogin]:
    languages = ("kk", "ru", "en", "tg")
    by_code: dict[str, Organization] = {}
    for index, (code, kind, parent, member_class, names, region) in enumerate(ORGANIZATIONS):
        defaults = {
            "kind": kind,
            "parent": by_code.get(parent) if parent else None,
            "member_class": member_class,
            "region": region,
            **{f"name_{lang}": name for lang, name in zip(languages, names, strict=True)},
        }
        organization, _ = Organization.objects.get_or_create(
            code=code, defaults={**defaults, "identifier": _identifier(index)}
        )
        by_code[code] = organization
    for org_code, subsystem, names in SYSTEMS:
        InformationSystem.objects.get_or_create(
            organization=by_code[org_code],
            subsystem_code=subsystem,
            defaults={f"name_{lang}": name for lang, name in zip(languages, names, strict=True)},
        )
    logins = []
    for index, (username, role, home) in enumerate(USERS):
        password = f"{username}{DEMO_PASSWORD_SUFFIX}"
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"personal_id": _person_identifier(index + 1), "first_name": username.title()},
        )
        if created:
            user.set_password(password)
            user.save()
        member_of = by_code[home] if home else None
        Membership.objects.get_or_create(user=user, organization=member_of, role=role)
        if role not in PLATFORM_ROLES or role == Role.OPERATOR:
            TOTPDevice.objects.get_or_create(
                user=user, name="demo", defaults={"key": demo_key(username), "confirmed": True}
            )
        logins.append(DemoLogin(username, password, str(role.label), home or "—"))
    return logins


def current_code(username: str) -> str | None:
    """The current second-factor code of a demo account, on demo deployments only."""
    if not settings.EGOV_DEMO:
        return None
    device = TOTPDevice.objects.filter(user__username=username, name="demo").first()
    if device is None or device.key != demo_key(username):
        return None
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def banner(base_url: str, logins: list[DemoLogin], extra: Sequence[str] = ()) -> str:
    rows = "\n".join(
        f"  {login.username:<11} {login.password:<22} {login.role:<28} {login.organization}"
        for login in logins
    )
    return f"""
eGov Platform demo ({settings.COUNTRY.code.upper()}) is starting.

  Home page      {base_url}/
  Back-office    {base_url}/admin/
  API            {base_url}/api/docs   (OpenAPI: {base_url}/api/openapi.json)
  Health         {base_url}/healthz

Demo log-ins (staff also need a second factor: run `.venv/bin/egov totp USERNAME` for the
current six-digit code):
  {"username":<11} {"password":<22} {"role":<28} organization
{rows}

{chr(10).join(extra)}

Press Ctrl-C to stop.
"""
