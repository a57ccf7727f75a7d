"""Consent changes are audited: the revision chain is the evidence, the audit log says who acted."""

from __future__ import annotations

from egov.consent.models import Auditor, CitizenSettings, Consent, ConsentRevision
from egov.core.signals import audited

for _model in (Consent, ConsentRevision, CitizenSettings, Auditor):
    audited(_model)
