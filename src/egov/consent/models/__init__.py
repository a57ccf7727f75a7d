from egov.consent.models.citizens import Auditor, CitizenSettings, OneTimeCode
from egov.consent.models.consents import Consent, ConsentRevision
from egov.consent.models.webhooks import WebhookDelivery

__all__ = [
    "Auditor",
    "CitizenSettings",
    "Consent",
    "ConsentRevision",
    "OneTimeCode",
    "WebhookDelivery",
]
