from egov.core.models.audit import AuditRecord
from egov.core.models.organizations import InformationSystem, Organization
from egov.core.models.people import Membership, User

__all__ = ["AuditRecord", "InformationSystem", "Membership", "Organization", "User"]
