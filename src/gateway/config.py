"""Gateway settings from ``EGOV_GATEWAY_*`` environment variables (listed in docs/gateway.md).

Every setting has a default that works for the demo on one machine; production deployments set
at least the control plane URL, the gateway token and the trusted snapshot keys.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final

PREFIX: Final = "EGOV_GATEWAY_"
# prometheus_client's own variable (read when it is imported); ``egov-gateway serve`` sets it when
# it starts several workers, so it must be set before anything imports prometheus_client.
MULTIPROCESS_DIR: Final = "PROMETHEUS_MULTIPROC_DIR"

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class ConfigError(ValueError):
    """A setting has a value the gateway cannot use; the message names the variable."""


def _networks(text: str, name: str) -> tuple[IPNetwork, ...]:
    networks: list[IPNetwork] = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError as error:
            raise ConfigError(f"{PREFIX}{name}: '{part}' is not an IP address or range") from error
    return tuple(networks)


def _list(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _keys(text: str, name: str) -> dict[str, str]:
    """``kid=base64url,kid2=base64url`` → ``{kid: base64url}``."""
    keys: dict[str, str] = {}
    for part in _list(text):
        kid, sep, value = part.partition("=")
        if not sep or not kid.strip() or not value.strip():
            raise ConfigError(f"{PREFIX}{name}: write keys as kid=base64url, separated by commas")
        keys[kid.strip()] = value.strip()
    return keys


@dataclass(frozen=True)
class Settings:
    """All gateway settings; :func:`from_env` builds them from the environment."""

    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 1
    server: str = "granian"
    node_name: str = "gateway"
    state_dir: Path = Path("var/gateway")
    # Control plane and policy snapshots
    control_plane_url: str | None = None
    token: str | None = None
    token_file: Path | None = None
    trusted_keys: Mapping[str, str] = field(default_factory=dict)
    trusted_keys_file: Path | None = None
    poll_wait_seconds: float = 25.0
    snapshot_max_age_seconds: float = 86400.0
    refuse_when_stale: bool = False
    snapshot_file: Path | None = None
    # Authentication
    api_key_header: str = "x-api-key"
    client_cert_header: str = "x-client-cert-sha256"
    trusted_proxies: tuple[IPNetwork, ...] = ()
    jwt_leeway_seconds: float = 30.0
    # Limits
    redis_url: str | None = None
    redis_prefix: str = "egw:"
    max_request_bytes: int = 10 * 1024 * 1024
    max_response_bytes: int = 50 * 1024 * 1024
    max_in_flight: int = 1000
    # Upstream calls
    connect_timeout_seconds: float = 2.0
    retries: int = 1
    breaker_failures: int = 5
    breaker_reset_seconds: float = 10.0
    pool_size: int = 200
    http_client: str = "native"
    upstream_signature: str = "assertion"
    # Message log
    log_store: str | None = None
    log_durability: str = "async"
    log_sync_services: tuple[str, ...] = ()
    log_batch_size: int = 500
    log_flush_seconds: float = 0.05
    log_buffer_records: int = 20000
    signing_key_file: Path | None = None
    # Consent checks (gateway.consent): cached (consumer, subject) pairs, registry timeout
    consent_cache_entries: int = 100_000
    consent_timeout_seconds: float = 2.0
    # Shipping records to the control plane (gateway.shipping)
    ship: bool = True
    ship_batch_size: int = 200
    ship_interval_seconds: float = 1.0
    # Bodies kept, encrypted, for services whose snapshot entry sets store_bodies (gateway.bodies)
    body_keys: str | None = field(default=None, repr=False)  # key material: never in a repr
    body_keys_file: Path | None = None
    body_key_id: str | None = None
    body_max_bytes: int = 1024 * 1024
    # RFC 3161 time stamps of signed checkpoints (gateway.timestamps)
    tsa_url: str | None = field(default=None, repr=False)  # may carry credentials
    tsa_cert_file: Path | None = None
    tsa_interval_seconds: float = 60.0
    tsa_timeout_seconds: float = 10.0
    # Operations
    access_log: bool = True
    json_logs: bool = True
    log_level: str = "INFO"
    sandbox_services: tuple[str, ...] = ()

    @property
    def resolved_snapshot_file(self) -> Path:
        return self.snapshot_file or self.state_dir / "snapshot.json"

    @property
    def resolved_signing_key_file(self) -> Path:
        return self.signing_key_file or self.state_dir / "gateway-signing.key"

    @property
    def resolved_log_store(self) -> str:
        return self.log_store or f"sqlite:///{(self.state_dir / 'messagelog.sqlite3').resolve()}"

    @property
    def spill_dir(self) -> Path:
        return self.state_dir / "spill"

    def gateway_token(self) -> str | None:
        if self.token:
            return self.token.strip()
        if self.token_file and self.token_file.exists():
            return self.token_file.read_text(encoding="utf-8").strip() or None
        return None

    def with_changes(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


_TRUE: Final = {"1", "true", "yes", "on"}
_FALSE: Final = {"0", "false", "no", "off", ""}


def _bool(value: str, name: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(f"{PREFIX}{name}: expected 1/0, true/false, yes/no or on/off")


def _number(value: str, name: str) -> float:
    try:
        number = float(value)
    except ValueError as error:
        raise ConfigError(f"{PREFIX}{name}: '{value}' is not a number") from error
    if number < 0:
        raise ConfigError(f"{PREFIX}{name}: must not be negative")
    return number


def from_env(environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings from ``environ`` (default: the process environment)."""
    env = os.environ if environ is None else environ

    def get(name: str) -> str | None:
        value = env.get(PREFIX + name)
        return value if value is not None and value.strip() != "" else None

    base = Settings()
    values: dict[str, object] = {}
    text_fields = {
        "HOST": "host",
        "NODE_NAME": "node_name",
        "CONTROL_PLANE_URL": "control_plane_url",
        "TOKEN": "token",
        "REDIS_URL": "redis_url",
        "REDIS_PREFIX": "redis_prefix",
        "LOG_STORE": "log_store",
        "LOG_LEVEL": "log_level",
        "SERVER": "server",
        "HTTP_CLIENT": "http_client",
        "UPSTREAM_SIGNATURE": "upstream_signature",
        "BODY_KEYS": "body_keys",
        "BODY_KEY_ID": "body_key_id",
        "TSA_URL": "tsa_url",
    }
    for name, attribute in text_fields.items():
        value = get(name)
        if value is not None:
            values[attribute] = value.strip()
    path_fields = {
        "STATE_DIR": "state_dir",
        "TOKEN_FILE": "token_file",
        "TRUSTED_KEYS_FILE": "trusted_keys_file",
        "SNAPSHOT_FILE": "snapshot_file",
        "SIGNING_KEY_FILE": "signing_key_file",
        "BODY_KEYS_FILE": "body_keys_file",
        "TSA_CERT_FILE": "tsa_cert_file",
    }
    for name, attribute in path_fields.items():
        value = get(name)
        if value is not None:
            values[attribute] = Path(value.strip())
    int_fields = {
        "PORT": "port",
        "WORKERS": "workers",
        "MAX_REQUEST_BYTES": "max_request_bytes",
        "MAX_RESPONSE_BYTES": "max_response_bytes",
        "MAX_IN_FLIGHT": "max_in_flight",
        "RETRIES": "retries",
        "BREAKER_FAILURES": "breaker_failures",
        "POOL_SIZE": "pool_size",
        "LOG_BATCH_SIZE": "log_batch_size",
        "LOG_BUFFER_RECORDS": "log_buffer_records",
        "CONSENT_CACHE_ENTRIES": "consent_cache_entries",
        "SHIP_BATCH_SIZE": "ship_batch_size",
        "BODY_MAX_BYTES": "body_max_bytes",
    }
    for name, attribute in int_fields.items():
        value = get(name)
        if value is not None:
            values[attribute] = int(_number(value, name))
    float_fields = {
        "POLL_WAIT": "poll_wait_seconds",
        "SNAPSHOT_MAX_AGE": "snapshot_max_age_seconds",
        "JWT_LEEWAY": "jwt_leeway_seconds",
        "CONNECT_TIMEOUT": "connect_timeout_seconds",
        "BREAKER_RESET": "breaker_reset_seconds",
        "LOG_FLUSH_SECONDS": "log_flush_seconds",
        "CONSENT_TIMEOUT": "consent_timeout_seconds",
        "SHIP_INTERVAL": "ship_interval_seconds",
        "TSA_INTERVAL": "tsa_interval_seconds",
        "TSA_TIMEOUT": "tsa_timeout_seconds",
    }
    for name, attribute in float_fields.items():
        value = get(name)
        if value is not None:
            values[attribute] = _number(value, name)
    bool_fields = {
        "REFUSE_WHEN_STALE": "refuse_when_stale",
        "ACCESS_LOG": "access_log",
        "JSON_LOGS": "json_logs",
        "SHIP": "ship",
    }
    for name, attribute in bool_fields.items():
        value = get(name)
        if value is not None:
            values[attribute] = _bool(value, name)
    if (value := get("TRUSTED_KEYS")) is not None:
        values["trusted_keys"] = _keys(value, "TRUSTED_KEYS")
    if (value := get("TRUSTED_PROXIES")) is not None:
        values["trusted_proxies"] = _networks(value, "TRUSTED_PROXIES")
    if (value := get("LOG_SYNC_SERVICES")) is not None:
        values["log_sync_services"] = _list(value)
    if (value := get("SANDBOX_SERVICES")) is not None:
        values["sandbox_services"] = _list(value)
    if (value := get("API_KEY_HEADER")) is not None:
        values["api_key_header"] = value.strip().lower()
    if (value := get("CLIENT_CERT_HEADER")) is not None:
        values["client_cert_header"] = value.strip().lower()
    if (value := get("LOG_DURABILITY")) is not None:
        if value.strip() not in {"sync", "async"}:
            raise ConfigError(f"{PREFIX}LOG_DURABILITY: 'sync' or 'async'")
        values["log_durability"] = value.strip()
    settings = replace(base, **values)  # type: ignore[arg-type]
    if settings.server not in {"uvicorn", "granian"}:
        raise ConfigError(f"{PREFIX}SERVER: 'uvicorn' or 'granian'")
    if settings.http_client not in {"native", "aiohttp"}:
        raise ConfigError(f"{PREFIX}HTTP_CLIENT: 'native' or 'aiohttp'")
    if settings.upstream_signature not in {"request", "assertion"}:
        raise ConfigError(f"{PREFIX}UPSTREAM_SIGNATURE: 'request' or 'assertion'")
    if settings.workers < 1:
        raise ConfigError(f"{PREFIX}WORKERS: at least 1")
    if settings.tsa_url is not None and not settings.tsa_url.startswith(("http://", "https://")):
        raise ConfigError(f"{PREFIX}TSA_URL: an http(s) URL of an RFC 3161 time-stamp authority")
    return settings
