from egov.bridge.models.calls import CallRecord
from egov.bridge.models.catalog import Service, ServiceVersion
from egov.bridge.models.credentials import ApiKey, ClientCertificate, OAuthClient, SigningKey
from egov.bridge.models.grants import Grant
from egov.bridge.models.requests import AccessRequest, RequestComment
from egov.bridge.models.snapshots import GatewayNode, PolicySnapshot

__all__ = [
    "AccessRequest",
    "ApiKey",
    "CallRecord",
    "ClientCertificate",
    "GatewayNode",
    "Grant",
    "OAuthClient",
    "PolicySnapshot",
    "RequestComment",
    "Service",
    "ServiceVersion",
    "SigningKey",
]
