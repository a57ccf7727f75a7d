"""Smart Bridge changes are audited, and any change the gateway enforces triggers a new snapshot."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from egov.bridge import snapshots
from egov.bridge.models import (
    AccessRequest,
    ApiKey,
    ClientCertificate,
    Grant,
    OAuthClient,
    RequestComment,
    Service,
    ServiceVersion,
    SigningKey,
)
from egov.core.models import InformationSystem, Organization
from egov.core.signals import audited

for _model in (
    Service,
    ServiceVersion,
    AccessRequest,
    RequestComment,
    Grant,
    ApiKey,
    OAuthClient,
    ClientCertificate,
    SigningKey,
):
    audited(_model)

# What a gateway enforces; a change to any of these means a new snapshot.
POLICY_MODELS = (
    Service,
    ServiceVersion,
    Grant,
    ApiKey,
    ClientCertificate,
    SigningKey,
    Organization,
    InformationSystem,
)


def _policy_changed(sender: Any, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        snapshots.publish_after_commit()


for _policy_model in POLICY_MODELS:
    name = _policy_model.__name__
    post_save.connect(_policy_changed, sender=_policy_model, dispatch_uid=f"policy-{name}")
    post_delete.connect(_policy_changed, sender=_policy_model, dispatch_uid=f"policy-del-{name}")
