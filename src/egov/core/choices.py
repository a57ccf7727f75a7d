"""Closed vocabularies of the core registry."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministry")
    COMMITTEE = "committee", _("Committee or agency")
    TERRITORIAL = "territorial", _("Territorial department")
    LOCAL_ADMINISTRATION = "local_administration", _("Local administration (akimat, hukumat)")
    STATE_ENTERPRISE = "state_enterprise", _("State enterprise")
    BUSINESS = "business", _("Business")
    NGO = "ngo", _("Non-governmental organization")
    OPERATOR = "operator", _("Platform operator")


class MemberClass(models.TextChoices):
    """X-Road member classes: the second part of an address INSTANCE/CLASS/CODE/SUBSYSTEM."""

    GOV = "GOV", _("Government")
    COM = "COM", _("Commercial")
    NGO = "NGO", _("Non-governmental")
    ORG = "ORG", _("Other organization")


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class Role(models.TextChoices):
    OPERATOR = "operator", _("Platform operator")
    ORG_ADMIN = "org_admin", _("Organization administrator")
    SERVICE_OWNER = "service_owner", _("Service owner")
    APPROVER = "approver", _("Approver")
    INTEGRATOR = "integrator", _("Integrator")
    EDITOR = "editor", _("Editor")
    MODERATOR = "moderator", _("Moderator")
    TRANSLATOR = "translator", _("Translator")  # edits one content language (Membership.language)
    ANALYST = "analyst", _("Analyst")
    CITIZEN = "citizen", _("Citizen")


# Roles held across the whole platform rather than within one organization.
PLATFORM_ROLES = frozenset({Role.OPERATOR, Role.CITIZEN})
# Roles that reach the back-office and therefore need a second factor.
STAFF_ROLES = frozenset(Role) - {Role.CITIZEN}


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    LOGIN = "login", _("Logged in")
    LOGOUT = "logout", _("Logged out")
    LOGIN_FAILED = "login_failed", _("Failed log-in")
    PERMISSION_DENIED = "permission_denied", _("Permission denied")
    SECOND_FACTOR = "second_factor", _("Second factor")
