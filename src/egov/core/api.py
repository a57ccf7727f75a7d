"""The registry's API: the directory of organizations and their information systems.

Who exists on the platform and under which gateway address is public, as in X-Road's global
configuration; memberships and the audit log are not exposed here.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from egov.core.exceptions import NotFound
from egov.core.models import InformationSystem, Organization
from egov.core.pagination import Pagination

router = Router()


class OrganizationOut(Schema):
    code: str
    name: str
    kind: str
    identifier: str
    member_class: str
    member_code: str
    xroad_address: str
    parent: str | None
    region: str
    status: str
    website: str

    @staticmethod
    def resolve_parent(obj: Organization) -> str | None:
        return obj.parent.code if obj.parent else None


class InformationSystemOut(Schema):
    subsystem_code: str
    name: str
    organization: str
    xroad_address: str
    status: str

    @staticmethod
    def resolve_organization(obj: InformationSystem) -> str:
        return obj.organization.code


class CountryOut(Schema):
    code: str
    languages: list[str]
    default_language: str
    xroad_instance: str


@router.get("/country", response=CountryOut, summary="The deployment's country profile")
def country(request: HttpRequest) -> CountryOut:
    profile = settings.COUNTRY
    return CountryOut(
        code=profile.code,
        languages=list(profile.languages),
        default_language=profile.default_language,
        xroad_instance=profile.xroad_instance,
    )


@router.get("/organizations", response=list[OrganizationOut], summary="Directory of organizations")
@paginate(Pagination)
def list_organizations(
    request: HttpRequest, q: str = "", kind: str = "", region: str = ""
) -> list[Organization]:
    queryset = Organization.objects.select_related("parent").filter(status="active")
    if q:
        text = Q(code__icontains=q) | Q(identifier=q)
        for column in ("name_kk", "name_ru", "name_en", "name_tg"):
            text |= Q(**{f"{column}__icontains": q})
        queryset = queryset.filter(text)
    if kind:
        queryset = queryset.filter(kind=kind)
    if region:
        queryset = queryset.filter(region=region)
    return queryset  # type: ignore[return-value]


def _organization(code: str) -> Organization:
    found = Organization.objects.select_related("parent").filter(code=code.upper()).first()
    if found is None:
        raise NotFound(code="organization_not_found")
    return found


@router.get("/organizations/{code}", response=OrganizationOut, summary="One organization")
def get_organization(request: HttpRequest, code: str) -> Organization:
    return _organization(code)


@router.get(
    "/organizations/{code}/systems",
    response=list[InformationSystemOut],
    summary="Information systems of an organization",
)
def list_systems(request: HttpRequest, code: str) -> list[InformationSystem]:
    organization = _organization(code)
    return list(organization.information_systems.select_related("organization"))
