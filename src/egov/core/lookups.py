"""Registry objects named in API input: an unknown name answers 404 with a stable code."""

from __future__ import annotations

from egov.core.exceptions import NotFound
from egov.core.models import InformationSystem


def information_system(organization_code: str, subsystem_code: str) -> InformationSystem:
    """The system ``subsystem_code`` of the organization ``organization_code`` (any case)."""
    system = (
        InformationSystem.objects.select_related("organization")
        .filter(organization__code=organization_code.upper(), subsystem_code=subsystem_code)
        .first()
    )
    if system is None:
        raise NotFound(code="system_not_found")
    return system
