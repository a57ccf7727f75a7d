"""Smart Bridge demo: Kazakh and Tajik providers, bank and telecom consumers, requests in every
state, and one working grant whose credentials the demo banner prints. Loading twice changes
nothing.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from egov.bridge import catalog, issuing, snapshots, workflow
from egov.bridge.choices import RequestStatus
from egov.bridge.models import AccessRequest, ApiKey, GatewayNode, Service, ServiceVersion
from egov.bridge.views.snapshots import issue_gateway_token
from egov.core.demo import with_check_digit
from egov.core.models import InformationSystem, Membership, Organization, User

DATA = Path(__file__).with_name("demo_data")
DEMO_UPSTREAM = "http://127.0.0.1:8090"

# Extra members: a Tajik ministry (its own instance and identifiers) and more consumers.
MEMBERS = [
    # code, country, kind, member class, identifier, names (kk, ru, en, tg), system, system names
    (
        "TJ-MINJUST",
        "tj",
        "ministry",
        "GOV",
        "510000101",
        (
            "Тәжікстан Әділет министрлігі",
            "Министерство юстиции Таджикистана",
            "Ministry of Justice of Tajikistan",
            "Вазорати адлияи Ҷумҳурии Тоҷикистон",
        ),
        "civil-registry",
        ("АХАЖ тізілімі", "Реестр ЗАГС", "Civil registry", "Феҳристи САҲШ"),
    ),
    (
        "MVD",
        "kz",
        "ministry",
        "GOV",
        with_check_digit("01034000700"),
        (
            "Ішкі істер министрлігі",
            "Министерство внутренних дел",
            "Ministry of Internal Affairs",
            "Вазорати корҳои дохилӣ",
        ),
        "vehicles",
        (
            "Көлік құралдары тізілімі",
            "Реестр транспортных средств",
            "Vehicle registry",
            "Феҳристи воситаҳои нақлиёт",
        ),
    ),
    (
        "DEMOTEL",
        "kz",
        "business",
        "COM",
        with_check_digit("09034000900"),
        ("Демо Телеком", "Демо Телеком", "Demo Telecom", "Демо Телеком"),
        "subscribers",
        ("Абоненттер жүйесі", "Система абонентов", "Subscriber system", "Низоми муштариён"),
    ),
    (
        "TJ-BANK",
        "tj",
        "business",
        "COM",
        "510000202",
        ("Тәжік демо банкі", "Таджикский демо-банк", "Tajik Demo Bank", "Бонки намоишии тоҷикӣ"),
        "loans",
        ("Несие жүйесі", "Кредитная система", "Loan system", "Низоми қарз"),
    ),
]

# provider org, system, code, category, classification, document file, names (kk, ru, en, tg)
SERVICES = [
    (
        "MINJUST-REG",
        "legal-entities",
        "legal-entity",
        "registries",
        "public",
        "legal_entities.openapi.yaml",
        (
            "Заңды тұлға туралы мәлімет",
            "Сведения о юридическом лице",
            "Legal entity lookup",
            "Маълумот дар бораи шахси ҳуқуқӣ",
        ),
    ),
    (
        "MINJUST-REG",
        "realty-registry",
        "address",
        "property",
        "restricted",
        "addresses.openapi.json",
        ("Мекенжай тіркелімі", "Адресный регистр", "Address registry", "Феҳристи суроғаҳо"),
    ),
    (
        "MVD",
        "vehicles",
        "vehicle",
        "transport",
        "restricted",
        "vehicle_registry.openapi.yaml",
        (
            "Көлік құралы туралы мәлімет",
            "Сведения о транспортном средстве",
            "Vehicle lookup",
            "Маълумот дар бораи воситаи нақлиёт",
        ),
    ),
    (
        "TJ-MINJUST",
        "civil-registry",
        "civil-extract",
        "civil",
        "personal",
        "civil_registry.openapi.yaml",
        (
            "АХАЖ актісінен үзінді",
            "Выписка из актов ЗАГС",
            "Civil registry extract",
            "Иқтибос аз санадҳои САҲШ",
        ),
    ),
]

LANGUAGES = ("kk", "ru", "en", "tg")


def _names(prefix: str, names: tuple[str, str, str, str]) -> dict[str, str]:
    return {f"{prefix}_{lang}": name for lang, name in zip(LANGUAGES, names, strict=True)}


def _members() -> None:
    for code, country, kind, member_class, identifier, names, subsystem, system_names in MEMBERS:
        organization, _ = Organization.objects.get_or_create(
            code=code,
            defaults={
                "country": country,
                "kind": kind,
                "member_class": member_class,
                "identifier": identifier,
                **_names("name", names),
            },
        )
        InformationSystem.objects.get_or_create(
            organization=organization,
            subsystem_code=subsystem,
            defaults=_names("name", system_names),
        )
    telecom_integrator, created = User.objects.get_or_create(
        username="telecom", defaults={"first_name": "Telecom"}
    )
    if created:
        telecom_integrator.set_password("telecom-demo-2026")
        telecom_integrator.save()
    Membership.objects.get_or_create(
        user=telecom_integrator,
        organization=Organization.objects.get(code="DEMOTEL"),
        role="integrator",
    )
    # The Kazakh justice approver also decides for the Tajik registry in the demo.
    Membership.objects.get_or_create(
        user=User.objects.get(username="approver"),
        organization=Organization.objects.get(code="TJ-MINJUST"),
        role="approver",
    )
    Membership.objects.get_or_create(
        user=User.objects.get(username="owner"),
        organization=Organization.objects.get(code="MVD"),
        role="service_owner",
    )


def _services() -> dict[str, ServiceVersion]:
    versions = {}
    for org, subsystem, code, category, classification, filename, names in SERVICES:
        provider = InformationSystem.objects.get(organization__code=org, subsystem_code=subsystem)
        service, _ = Service.objects.get_or_create(
            provider=provider,
            code=code,
            defaults={
                "category": category,
                "classification": classification,
                "upstream_url": f"{DEMO_UPSTREAM}/{code}",
                **_names("name", names),
            },
        )
        version = service.versions.filter(version="v1").first()
        if version is None:
            version = ServiceVersion(service=service, version="v1")
            catalog.accept_document(version, (DATA / filename).read_bytes())
            version.save()
            catalog.change_lifecycle(version, "publish")
        versions[code] = version
    return versions


def _request(
    user: User,
    consumer: InformationSystem,
    version: ServiceVersion,
    purpose: str,
) -> AccessRequest:
    existing = AccessRequest.objects.filter(consumer=consumer, version=version).first()
    if existing:
        return existing
    method, path = version.endpoints[0]
    return workflow.file_request(
        user,
        consumer,
        version,
        workflow.RequestInput(
            endpoints=[{"method": method, "path": path}],
            purpose=purpose,
            legal_basis="Law of the Republic of Kazakhstan on Informatization, art. 40",
            expected_calls_per_day=500,
            ip_ranges=["127.0.0.0/8"],
            technical_contact="api@demo.example",
        ),
    )


@transaction.atomic
def load() -> list[str]:
    _members()
    versions = _services()
    integrator = User.objects.get(username="integrator")
    approver = User.objects.get(username="approver")
    telecom = User.objects.get(username="telecom")
    bank = InformationSystem.objects.get(organization__code="DEMOBANK", subsystem_code="loans")
    telco = InformationSystem.objects.get(
        organization__code="DEMOTEL", subsystem_code="subscribers"
    )

    granted = _request(
        integrator,
        bank,
        versions["legal-entity"],
        "Check a borrower company's registration before a loan decision.",
    )
    if granted.status == RequestStatus.SUBMITTED:
        workflow.decide(granted, approver, "approve")
    rejected = _request(
        telecom,
        telco,
        versions["legal-entity"],
        "Verify corporate subscribers when they sign contracts.",
    )
    if rejected.status == RequestStatus.SUBMITTED:
        workflow.decide(rejected, approver, "reject", "The contract law named does not apply.")
    changes = _request(
        integrator, bank, versions["address"], "Confirm the address of a mortgaged property."
    )
    if changes.status == RequestStatus.SUBMITTED:
        workflow.decide(changes, approver, "request_changes", "Narrow the source IP ranges.")
    withdrawn = _request(
        telecom,
        telco,
        versions["civil-extract"],
        "Confirm a subscriber's identity from the civil registry.",
    )
    if withdrawn.status == RequestStatus.SUBMITTED:
        workflow.decide(withdrawn, telecom, "withdraw")
    _request(
        integrator,
        bank,
        versions["civil-extract"],
        "Confirm a borrower's marital status with the borrower's consent.",
    )
    overdue = _request(
        telecom,
        telco,
        versions["address"],
        "Validate installation addresses for new fixed-line subscribers.",
    )
    AccessRequest.objects.filter(pk=overdue.pk, status=RequestStatus.SUBMITTED).update(
        due_on=timezone.localdate() - datetime.timedelta(days=3)
    )

    lines = []
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = settings.DATA_DIR / "demo-api-key.txt"
    if not ApiKey.objects.filter(system=bank, name="demo").exists() or not key_file.exists():
        ApiKey.objects.filter(system=bank, name="demo").delete()
        key_file.write_text(issuing.issue_api_key(bank, "demo").secret)
    token_file = settings.DATA_DIR / "gateway-token.txt"
    if not GatewayNode.objects.filter(name="demo-gateway").exists() or not token_file.exists():
        token_file.write_text(issue_gateway_token("demo-gateway")[1])
    snapshot = snapshots.publish()
    lines.append(f"Smart Bridge: {len(SERVICES)} services, policy snapshot v{snapshot.version}")
    lines.append(f"  consumer {bank.xroad_address} API key: {key_file.read_text()}")
    lines.append(f"  gateway token (snapshot pulls): {token_file.read_text()}")
    return lines
