from egov.core.models.audit import AuditRecord
from egov.core.models.organizations import InformationSystem, Organization
from egov.core.models.people import Membership, User

__all__ = ["AuditRecord", "InformationSystem", "Membership", "Organization", "User"]
from egov.core.models.notifications import Notification

__all__ += ["Notification"]
from egov.core.models.tokens import ApiToken  # noqa: E402

__all__ += ["ApiToken"]
from egov.core.models.schedule import PeriodicJobRun  # noqa: E402

__all__ += ["PeriodicJobRun"]
