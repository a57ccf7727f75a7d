"""The gateway as a plain ASGI application (no framework: the hot path is short and explicit).

Routes
    ``/r1/{instance}/{class}/{code}/{subsystem}/{service}[/{version}]/{path}``  X-Road REST r1 call
    ``/r1/{instance}/{class}/{code}/{subsystem}/listMethods|allowedMethods|getOpenAPI``  metadata
    ``/r1/listClients`` (also ``/listClients``)  X-Road clients list
    ``/healthz``, ``/readyz``, ``/metrics``, ``/keys`` (the node's public key)

A call goes: policy in force → service and version → authenticate → X-Road-Client check →
endpoint → grant (method, path template, validity, source address) → consent → rate limit and
quota → request size → log store health for ``sync`` services → forward → log record.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import unquote

from gateway import bodies, crypto, metadata, timestamps
from gateway.auth import Authenticator, Identity
from gateway.config import Settings
from gateway.consent import ConsentRegistry
from gateway.errors import GatewayError, render
from gateway.limits import Limiter
from gateway.matching import HTTP_METHODS
from gateway.messagelog import LogWriter, iso, open_store
from gateway.metrics import Metrics
from gateway.request import (
    DROP_DOWNSTREAM,
    DROP_UPSTREAM,
    GAUGE_SECONDS,
    METADATA_SERVICES,
    SMALL_BODY,
    Call,
    ProviderIdentity,
    client_identifier,
    header_text,
    ip_address,
    load_keys_file,
    new_id,
    request_id,
    unquote_part,
)
from gateway.shipping import Shipper
from gateway.snapshot import Grant, Policy, Service, SnapshotFile, TrustStore, Version
from gateway.snapshot_client import PolicyHolder, SnapshotClient
from gateway.upstream import UpstreamPool, UpstreamResponse, read_all

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

log = logging.getLogger("gateway")
access_log = logging.getLogger("gateway.access")


class Gateway:
    """The ASGI application. ``Gateway(settings)`` is all a server needs."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.metrics = Metrics()
        trust = TrustStore(settings.trusted_keys, settings.state_dir / "trusted-keys.json")
        if settings.trusted_keys_file is not None and settings.trusted_keys_file.exists():
            trust = TrustStore(
                {**load_keys_file(settings.trusted_keys_file), **settings.trusted_keys},
                settings.state_dir / "trusted-keys.json",
            )
        self.holder = PolicyHolder(trust, SnapshotFile(settings.resolved_snapshot_file))
        self.snapshot_client: SnapshotClient | None = None
        self.authenticator = Authenticator(settings.jwt_leeway_seconds)
        self.limiter = Limiter(
            settings.redis_url, share=settings.workers, prefix=settings.redis_prefix
        )
        self.upstream = UpstreamPool(
            connect_timeout=settings.connect_timeout_seconds,
            retries=settings.retries,
            breaker_failures=settings.breaker_failures,
            breaker_reset_seconds=settings.breaker_reset_seconds,
            pool_size=settings.pool_size,
            client=settings.http_client,
        )
        self.key = crypto.load_or_create_signing_key(settings.resolved_signing_key_file)
        self.vault = bodies.vault_from_settings(
            settings.body_keys,
            settings.body_keys_file,
            settings.body_key_id,
            settings.body_max_bytes,
        )
        self._tsa_certificates = timestamps.certificates_from_settings(settings.tsa_cert_file)
        self.writer = LogWriter(
            open_store(settings.resolved_log_store),
            self.key,
            LogWriter.new_chain_id(settings.node_name),
            settings.spill_dir,
            batch_size=settings.log_batch_size,
            flush_seconds=settings.log_flush_seconds,
            buffer_records=settings.log_buffer_records,
            vault=self.vault,
        )
        self.timestamper: timestamps.Timestamper | None = None
        self.meta = metadata.Metadata(settings.control_plane_url)
        self.consents = ConsentRegistry(
            settings.control_plane_url,
            settings.gateway_token,
            settings.consent_cache_entries,
            settings.consent_timeout_seconds,
            settings.poll_wait_seconds,
        )
        self.shipper: Shipper | None = None
        self.in_flight = 0
        self.started = False
        self._gauges: asyncio.Task[None] | None = None
        self._sync_services = frozenset(settings.log_sync_services)
        self._sandbox = frozenset(settings.sandbox_services)
        self._trusted_proxies = settings.trusted_proxies
        self._api_key_header = settings.api_key_header.encode()
        self._cert_header = settings.client_cert_header.encode()
        self.identity = ProviderIdentity(
            self.key,
            settings.upstream_signature,
            DROP_UPSTREAM | {self._api_key_header, self._cert_header},
        )

    # ----------------------------------------------------------------------------- lifecycle

    async def startup(self) -> None:
        self.holder.load_from_disk()
        await self.upstream.start()
        await self.limiter.start()
        await self.writer.start()
        await self._start_shipping()
        await self._start_timestamping()
        await self.meta.start()
        if self.settings.control_plane_url:
            self.snapshot_client = SnapshotClient(
                self.holder,
                self.settings.control_plane_url,
                self.settings.token,
                self.settings.poll_wait_seconds,
                self.settings.token_file,
            )
            await self.snapshot_client.start()
            if self.holder.policy is None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.snapshot_client.first_attempt.wait(), 10.0)
        self._gauges = asyncio.create_task(self._gauge_loop(), name="gauges")
        # What exists now lives as long as the process: keep it out of the collector's scans.
        gc.collect()
        gc.freeze()
        self.started = True

    async def shutdown(self) -> None:
        if self._gauges is not None:
            self._gauges.cancel()
        if self.snapshot_client is not None:
            await self.snapshot_client.stop()
        await self.writer.close()
        if self.timestamper is not None:
            await self.timestamper.stop()
        if self.shipper is not None:
            await self.shipper.stop()
        await self.upstream.stop()
        await self.limiter.stop()
        await self.meta.stop()
        await self.consents.stop()

    async def _start_shipping(self) -> None:
        """Records go on to the control plane from the store, on a connection of their own."""
        if not (self.settings.control_plane_url and self.settings.ship):
            return
        self.shipper = Shipper(
            open_store(self.settings.resolved_log_store),
            self.settings.control_plane_url,
            self.settings.gateway_token,
            self.settings.ship_batch_size,
            self.settings.ship_interval_seconds,
        )
        self.writer.on_written = self.shipper.wake
        await self.shipper.start()

    async def _start_timestamping(self) -> None:
        """RFC 3161 time stamps of this chain's checkpoints, off the request path."""
        if not self.settings.tsa_url:
            return
        self.timestamper = timestamps.Timestamper(
            self.settings.tsa_url,
            open_store(self.settings.resolved_log_store),
            self._tsa_certificates,
            self.settings.tsa_interval_seconds,
            self.settings.tsa_timeout_seconds,
        )
        self.writer.on_checkpoint = self.timestamper.checkpoint_written
        await self.timestamper.start()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self.http(scope, receive, send)
        elif kind == "lifespan":
            await self.lifespan(receive, send)

    async def lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except Exception as error:
                    log.exception("gateway failed to start")
                    await send({"type": "lifespan.startup.failed", "message": str(error)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                try:
                    await self.shutdown()
                finally:
                    await send({"type": "lifespan.shutdown.complete"})
                return

    # ----------------------------------------------------------------------------- routing

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        if path.startswith("/r1/"):
            await self.xroad(scope, receive, send)
        elif path == "/healthz":
            await self._json(send, 200, {"status": "ok"})
        elif path == "/readyz":
            status, body = self.readiness()
            await self._json(send, status, body)
        elif path == "/metrics":
            self._refresh_gauges()
            await self._raw(send, 200, self.metrics.render(), b"text/plain; version=0.0.4")
        elif path == "/keys":
            await self._json(
                send,
                200,
                {
                    "keys": [
                        {
                            "kid": self.key.kid,
                            "public_key": self.key.public_b64url,
                            "alg": "Ed25519",
                        }
                    ]
                },
            )
        elif path == "/listClients":
            await self.xroad(scope, receive, send, list_clients=True)
        else:
            error = GatewayError("not_found", "No such gateway resource.")
            code, out, answer = render(error, new_id(), False)
            await self._send(send, code, out, answer)

    def readiness(self) -> tuple[int, dict[str, Any]]:
        alarms: list[str] = []
        checks: dict[str, Any] = {}
        policy = self.holder.policy
        age = self.holder.age_seconds
        checks["snapshot"] = {
            "version": policy.version if policy else None,
            "source": self.holder.source,
            "age_seconds": round(age, 1) if age is not None else None,
            "max_age_seconds": self.settings.snapshot_max_age_seconds,
            "last_error": self.holder.last_error,
        }
        refusing = False
        if policy is None:
            alarms.append("no_snapshot")
            refusing = True
        elif age is not None and age > self.settings.snapshot_max_age_seconds:
            alarms.append("snapshot_stale")
            refusing = self.settings.refuse_when_stale
        checks["log_store"] = {
            "up": self.writer.healthy,
            "backlog": self.writer.backlog,
            "last_error": self.writer.stats.last_error,
        }
        if not self.writer.healthy:
            alarms.append("log_store_down")
        if self.shipper is not None:
            shipping = self.shipper.stats
            checks["shipping"] = {
                "leader": shipping.leader,
                "shipped": shipping.shipped,
                "last_error": shipping.last_error,
            }
            if shipping.last_error:
                alarms.append("shipping_failing")
        wanted = bodies.wants_bodies(s.raw for s in policy.services.values()) if policy else []
        if wanted or self.vault.kids:
            vault = self.vault
            checks["bodies"] = {
                "services": len(wanted),
                "keys": vault.kids,
                "current_key": vault.current,
                "max_bytes": vault.max_bytes,
                "stored": vault.stats.stored,
                "too_large": vault.stats.too_large,
                "no_key": vault.stats.no_key,
            }
            if wanted and vault.current is None:
                alarms.append("body_key_missing")
        if self.timestamper is not None:
            checks["timestamps"] = self.timestamper.readiness()
            if self.timestamper.stats.last_error:
                alarms.append("timestamping_failing")
        if self.limiter.redis_url:
            checks["redis"] = {"up": bool(self.limiter.redis_ok)}
            if not self.limiter.redis_ok:
                alarms.append("redis_down")
        open_circuits = [name for name, b in self.upstream.breakers.items() if b.state != "closed"]
        if open_circuits:
            checks["open_circuits"] = open_circuits
        status = "refusing" if refusing else ("degraded" if alarms else "ready")
        return (503 if refusing else 200), {"status": status, "alarms": alarms, "checks": checks}

    async def _gauge_loop(self) -> None:
        """Keep this worker's gauges current (with several workers, each writes its own)."""
        while True:
            self._refresh_gauges()
            await asyncio.sleep(GAUGE_SECONDS)

    def _refresh_gauges(self) -> None:
        self.metrics.in_flight.set(self.in_flight)
        policy = self.holder.policy
        self.metrics.snapshot_version.set(policy.version if policy else 0)
        self.metrics.snapshot_age.set(self.holder.age_seconds or 0.0)
        self.metrics.log_backlog.set(self.writer.backlog)
        self.metrics.log_store_up.set(1 if self.writer.healthy else 0)
        for name, breaker in self.upstream.breakers.items():
            self.metrics.circuit_open.labels(name).set(0 if breaker.state == "closed" else 1)

    # ----------------------------------------------------------------------------- the call

    async def xroad(
        self, scope: Scope, receive: Receive, send: Send, list_clients: bool = False
    ) -> None:
        headers: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            headers[name] = value
        peer = scope.get("client")
        peer_ip = peer[0] if peer else ""
        client_ip = self._clientip_address(peer_ip, headers)
        call = Call(
            request_id=request_id(headers.get(b"x-request-id")),
            message_id="",
            started=time.time(),
            perf_started=time.perf_counter(),
            method=scope["method"],
            client_ip=client_ip,
            xroad=b"x-road-client" in headers,
        )
        call.message_id = (
            request_id(headers.get(b"x-road-id")) if b"x-road-id" in headers else (call.request_id)
        )
        if self.in_flight >= self.settings.max_in_flight:
            self.metrics.errors.labels("overloaded").inc()
            error = GatewayError("overloaded", "The gateway is at capacity; retry shortly.", 1)
            status, out, body = render(error, call.request_id, call.xroad)
            await self._send(send, status, out, body)
            return
        self.in_flight += 1
        try:
            await self._handle(scope, receive, send, headers, call, peer_ip, list_clients)
        finally:
            self.in_flight -= 1

    async def _handle(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        headers: dict[bytes, bytes],
        call: Call,
        peer_ip: str,
        list_clients: bool,
    ) -> None:
        started_response = False
        try:
            policy = self._policy()
            raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
            segments = raw_path.decode("latin-1").split("/")
            if list_clients or segments[2:] == ["listClients"]:
                self._authenticate(policy, headers, peer_ip, call)
                await self._json(send, 200, metadata.list_clients(policy))
                return
            if len(segments) < 7 or not all(segments[2:7]):
                raise GatewayError(
                    "bad_request",
                    "Address the service as /r1/INSTANCE/CLASS/CODE/SUBSYSTEM/SERVICE/…",
                )
            parts = [unquote_part(part) for part in segments[2:7]]
            address = "/".join(parts)
            service = policy.services.get(address)
            if service is None:
                if parts[4] in METADATA_SERVICES and len(segments) == 7:
                    await self._metadata(scope, send, headers, call, policy, parts, peer_ip)
                    return
                raise GatewayError("unknown_service", f"No service {address} is published here.")
            call.service = service
            rest = segments[7:]
            version_name = service.default_version
            if rest and unquote(rest[0]) in service.versions:
                version_name = unquote(rest[0])
                rest = rest[1:]
            version = service.versions.get(version_name)
            if version is None:
                raise GatewayError("unknown_version", f"{address} has no version {version_name}.")
            call.version = version_name
            upstream_path = "/" + "/".join(rest)
            identity = self._authenticate(policy, headers, peer_ip, call)
            call.user_id = header_text(headers.get(b"x-road-userid"))
            call.issue = header_text(headers.get(b"x-road-issue"))
            method = call.method.upper()
            if method not in HTTP_METHODS:
                raise GatewayError("method_not_allowed", f"{method} is not a service method.")
            template = version.endpoint(method, upstream_path)
            if template is None:
                raise GatewayError(
                    "unknown_endpoint", f"{method} {upstream_path} is not an endpoint of {address}."
                )
            call.endpoint = f"{method} {template.template}"
            grant = self._authorize(
                policy, identity, service, version_name, method, template.template, call
            )
            call.grant = grant
            if service.personal:
                subject = header_text(headers.get(b"x-subject-id"))
                if not subject:
                    raise GatewayError(
                        "subject_required",
                        "The service returns personal data: name the data subject in X-Subject-Id.",
                    )
                call.subject_id = subject
                consent = await self.consents.find(
                    policy, identity.system, service.address, subject, call.started
                )
                if consent is None:
                    raise GatewayError(
                        "no_consent", "The data subject has not consented to this access."
                    )
                call.consent_id = consent.id
            elif b"x-subject-id" in headers:
                call.subject_id = header_text(headers.get(b"x-subject-id"))
            await self._limit(grant, version)
            body = await self._read_body(headers, receive)
            call.request_bytes = len(body)
            if body:
                call.request_sha256 = hashlib.sha256(body).hexdigest()
            if service.raw.get("store_bodies") is True:
                call.keep_bodies = True
                call.request_body = body
            sync = self._is_sync(service)
            if sync and not self.writer.healthy:
                raise GatewayError(
                    "log_unavailable",
                    "The message log is unavailable and this service requires it; not forwarded.",
                )
            if service.address in self._sandbox or service.code in self._sandbox:
                status, out, answer = await self.meta.sandbox(
                    policy, service, version_name, method, template.template
                )
                call.status = status
                call.response_bytes = len(answer)
                call.response_sha256 = hashlib.sha256(answer).hexdigest()
                if call.keep_bodies:
                    call.response_body = answer
                await self._record(call, sync)
                await self._send(
                    send, status, out + ProviderIdentity.response_headers(call), answer
                )
                return
            query: bytes = scope.get("query_string") or b""
            target = upstream_path + ("?" + query.decode("latin-1") if query else "")
            upstream_headers = self.identity.upstream_headers(
                headers, call, identity, grant, target
            )
            started_upstream = time.perf_counter()
            response = await self.upstream.call(
                method, service.upstream, target, upstream_headers, body, service.timeout_seconds
            )
            call.upstream_seconds = time.perf_counter() - started_upstream
            started_response = await self._relay(send, response, call, sync)
        except GatewayError as error:
            if started_response:
                raise
            await self._refuse(send, call, error)
        except Exception:
            log.exception("unexpected error", extra={"request_id": call.request_id})
            if not started_response:
                await self._refuse(
                    send, call, GatewayError("internal_error", "The gateway failed unexpectedly.")
                )
        finally:
            self._observe(call)

    def _policy(self) -> Policy:
        policy = self.holder.policy
        if policy is None:
            raise GatewayError("policy_unavailable", "The gateway has no policy snapshot yet.", 5)
        if self.settings.refuse_when_stale:
            age = self.holder.age_seconds
            if age is not None and age > self.settings.snapshot_max_age_seconds:
                raise GatewayError(
                    "policy_unavailable", "The gateway's policy snapshot is too old.", 30
                )
        return policy

    def _clientip_address(self, peer_ip: str, headers: dict[bytes, bytes]) -> str:
        if self._trusted_proxies and self._from_trusted_proxy(peer_ip):
            forwarded = headers.get(b"x-forwarded-for")
            if forwarded:
                return forwarded.decode("latin-1").split(",")[-1].strip()
        return peer_ip

    def _from_trusted_proxy(self, peer_ip: str) -> bool:
        try:
            address = ip_address(peer_ip)
        except ValueError:
            return False
        return any(address in network for network in self._trusted_proxies)

    def _authenticate(
        self, policy: Policy, headers: dict[bytes, bytes], peer_ip: str, call: Call
    ) -> Identity:
        identity: Identity | None = None
        key = headers.get(self._api_key_header)
        if key:
            identity = self.authenticator.api_key(
                policy, key.decode("latin-1").strip(), call.started
            )
        else:
            authorization = headers.get(b"authorization", b"")
            if authorization[:7].lower() == b"bearer ":
                identity = self.authenticator.bearer(
                    policy, authorization[7:].decode("latin-1").strip(), call.started
                )
            elif self._trusted_proxies:
                fingerprint = headers.get(self._cert_header)
                if fingerprint and self._from_trusted_proxy(peer_ip):
                    identity = self.authenticator.certificate(policy, fingerprint.decode("latin-1"))
        if identity is None:
            raise GatewayError(
                "missing_credential",
                "Send an API key in X-API-Key or an access token in Authorization: Bearer.",
            )
        call.identity = identity
        client = headers.get(b"x-road-client")
        if client is not None:
            named = client_identifier(client.decode("latin-1"))
            if named is None:
                raise GatewayError(
                    "invalid_client_header",
                    "X-Road-Client must be INSTANCE/CLASS/CODE/SUBSYSTEM.",
                )
            if named != identity.system:
                raise GatewayError(
                    "client_mismatch",
                    f"X-Road-Client names {named}, but the credential belongs to another system.",
                )
        return identity

    def _authorize(
        self,
        policy: Policy,
        identity: Identity,
        service: Service,
        version: str,
        method: str,
        template: str,
        call: Call,
    ) -> Grant:
        candidates = [
            grant
            for grant in policy.grants_for(identity.system, service.address, version)
            if grant.covers(method, template)
        ]
        if not candidates:
            raise GatewayError(
                "no_grant",
                f"{identity.system} has no access grant for {method} {template} of "
                f"{service.address} {version}.",
            )
        current = [grant for grant in candidates if grant.valid_at(call.started)]
        if not current:
            raise GatewayError("no_grant", "The access grant is not valid at this time.")
        try:
            address = ip_address(call.client_ip) if call.client_ip else None
        except ValueError:
            address = None
        for grant in current:
            if grant.allows_address(address):
                return grant
        raise GatewayError(
            "ip_not_allowed", f"The access grant does not allow calls from {call.client_ip}."
        )

    async def _limit(self, grant: Grant, version: Version) -> None:
        rate = (
            grant.rate_per_minute if grant.rate_per_minute is not None else version.rate_per_minute
        )
        quota = grant.quota_per_day if grant.quota_per_day is not None else version.quota_per_day
        decision = await self.limiter.check(f"g{grant.id}", rate, quota)
        if not decision.allowed:
            if decision.reason == "quota":
                raise GatewayError(
                    "quota_exceeded", "The grant's daily quota is used up.", decision.retry_after
                )
            raise GatewayError(
                "rate_limited", "Too many calls for this grant; slow down.", decision.retry_after
            )

    async def _read_body(self, headers: dict[bytes, bytes], receive: Receive) -> bytes:
        length = headers.get(b"content-length")
        limit = self.settings.max_request_bytes
        if length is not None:
            try:
                declared = int(length)
            except ValueError as error:
                raise GatewayError("bad_request", "Content-Length is not a number.") from error
            if declared > limit:
                raise GatewayError("payload_too_large", f"The request body exceeds {limit} bytes.")
            if declared == 0:
                return b""
        elif b"transfer-encoding" not in headers:
            return b""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise GatewayError("bad_request", "The client went away while sending.")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise GatewayError("payload_too_large", f"The request body exceeds {limit} bytes.")
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _is_sync(self, service: Service) -> bool:
        if service.raw.get("log_durability") in ("sync", "async"):
            return bool(service.raw.get("log_durability") == "sync")
        if self._sync_services and (
            service.address in self._sync_services
            or service.code in self._sync_services
            or service.passport in self._sync_services
        ):
            return True
        return self.settings.log_durability == "sync"

    async def _relay(self, send: Send, response: UpstreamResponse, call: Call, sync: bool) -> bool:
        """Send the provider's answer on; returns whether the response head went out."""
        limit = self.settings.max_response_bytes
        out = [
            (name.lower(), value)
            for name, value in response.headers
            if name.lower() not in DROP_DOWNSTREAM
        ]
        out.extend(ProviderIdentity.response_headers(call))
        call.status = response.status
        try:
            length = response.content_length
            if length is not None and length > limit:
                raise GatewayError(
                    "upstream_response_too_large", "The provider's response exceeds the limit."
                )
            if sync or (length is not None and length <= SMALL_BODY):
                body = await read_all(response, limit)
                call.response_bytes = len(body)
                call.response_sha256 = hashlib.sha256(body).hexdigest()
                if call.keep_bodies:
                    call.response_body = body
                if sync:
                    try:
                        await self._record(call, True)
                    except GatewayError:
                        call.status = 503
                        call.error = "log_unavailable"
                        await self._record_outcome(call)
                        raise
                start = {"type": "http.response.start", "status": response.status, "headers": out}
                await send(start)
                await send({"type": "http.response.body", "body": body})
                if not sync:
                    await self._record(call, False)
                return True
            digest = hashlib.sha256()
            size = 0
            # A body to keep is gathered only up to the cap; beyond it the record has the hash.
            kept: list[bytes] | None = [] if call.keep_bodies else None
            cap = self.vault.max_bytes
            await send({"type": "http.response.start", "status": response.status, "headers": out})
            try:
                async for chunk in response.chunks():
                    size += len(chunk)
                    if size > limit:
                        # Not completing the response makes the server abort the connection,
                        # so the consumer cannot mistake the cut body for a whole one.
                        call.error = "upstream_response_too_large"
                        break
                    digest.update(chunk)
                    if kept is not None:
                        if size <= cap:
                            kept.append(chunk)
                        else:
                            kept = None
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                else:
                    await send({"type": "http.response.body", "body": b""})
            except (OSError, TimeoutError, asyncio.CancelledError) as error:
                call.error = call.error or f"relay_failed:{type(error).__name__}"
                if isinstance(error, asyncio.CancelledError):
                    raise
            call.response_bytes = size
            call.response_sha256 = digest.hexdigest()
            if kept is not None:
                call.response_body = b"".join(kept)
            await self._record(call, False)
            return True
        finally:
            response.release()

    async def _refuse(self, send: Send, call: Call, error: GatewayError) -> None:
        call.status = error.status
        call.error = error.code
        self.metrics.errors.labels(error.code).inc()
        status, headers, body = render(error, call.request_id, call.xroad)
        if call.xroad:
            headers.extend(
                (name, value)
                for name, value in ProviderIdentity.response_headers(call)
                if name not in (b"x-request-id",)
            )
        if call.service is not None and error.code != "log_unavailable":
            with contextlib.suppress(GatewayError):
                await self._record(call, False)
        await self._send(send, status, headers, body)

    def _record_fields(self, call: Call) -> dict[str, Any]:
        finished = time.time()
        return {
            "kind": "call",
            "request_id": call.request_id,
            "message_id": call.message_id,
            "started_at": iso(call.started),
            "finished_at": iso(finished),
            "latency_ms": round((time.perf_counter() - call.perf_started) * 1000.0, 3),
            "consumer": call.identity.system if call.identity else None,
            "credential": (
                f"{call.identity.method}:{call.identity.credential}" if call.identity else None
            ),
            "provider": call.service.provider if call.service else None,
            "service": call.service.address if call.service else None,
            "version": call.version,
            "endpoint": call.endpoint,
            "grant": call.grant.id if call.grant else None,
            "subject_id": call.subject_id,
            "consent": call.consent_id,
            "user_id": call.user_id,
            "issue": call.issue,
            "client_ip": call.client_ip,
            "status": call.status,
            "error": call.error,
            "request_bytes": call.request_bytes,
            "response_bytes": call.response_bytes,
            "request_sha256": call.request_sha256,
            "response_sha256": call.response_sha256,
            "node": self.settings.node_name,
        }

    async def _record(self, call: Call, sync: bool) -> None:
        kept = self._bodies(call) if call.keep_bodies else ()
        await self.writer.append(self._record_fields(call), sync, kept)

    @staticmethod
    def _bodies(call: Call) -> tuple[tuple[str, bytes | None, int], ...]:
        """The parts to keep: the request, and the response once one came (whole or not)."""
        parts: list[tuple[str, bytes | None, int]] = []
        if call.request_body is not None:
            parts.append(("request", call.request_body, call.request_bytes))
        if call.response_body is not None or call.response_bytes:
            parts.append(("response", call.response_body, call.response_bytes))
        return tuple(parts)

    async def _record_outcome(self, call: Call) -> None:
        fields = {
            "kind": "outcome",
            "request_id": call.request_id,
            "started_at": iso(time.time()),
            "status": call.status,
            "error": call.error,
            "consumer": call.identity.system if call.identity else None,
            "service": call.service.address if call.service else None,
            "subject_id": call.subject_id,
        }
        await self.writer.append(fields, False)

    def _observe(self, call: Call) -> None:
        service = call.service.address if call.service else "-"
        consumer = call.identity.system if call.identity else "-"
        elapsed = time.perf_counter() - call.perf_started
        self.metrics.observe(service, consumer, call.status, elapsed, call.upstream_seconds)
        if self.settings.access_log:
            access_log.info(
                "call",
                extra={
                    "request_id": call.request_id,
                    "method": call.method,
                    "service": service,
                    "version": call.version,
                    "endpoint": call.endpoint,
                    "consumer": consumer,
                    "status": call.status,
                    "error": call.error,
                    "latency_ms": round(elapsed * 1000.0, 3),
                    "client_ip": call.client_ip,
                },
            )

    async def _metadata(
        self,
        scope: Scope,
        send: Send,
        headers: dict[bytes, bytes],
        call: Call,
        policy: Policy,
        parts: list[str],
        peer_ip: str,
    ) -> None:
        identity = self._authenticate(policy, headers, peer_ip, call)
        provider = "/".join(parts[:4])
        name = parts[4]
        if name == "getOpenAPI":
            query = (scope.get("query_string") or b"").decode("latin-1")
            status, out, body = await self.meta.get_openapi(policy, provider, query)
            await self._send(send, status, out + ProviderIdentity.response_headers(call), body)
            return
        document = metadata.list_methods(
            policy, provider, identity.system if name == "allowedMethods" else None, call.started
        )
        await self._json(send, 200, document)

    # ----------------------------------------------------------------------------- sending

    async def _send(
        self, send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> None:
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _raw(self, send: Send, status: int, body: bytes, content_type: bytes) -> None:
        await self._send(
            send,
            status,
            [(b"content-type", content_type), (b"content-length", str(len(body)).encode())],
            body,
        )

    async def _json(self, send: Send, status: int, document: Any) -> None:
        body = json.dumps(document, ensure_ascii=False).encode()
        await self._raw(send, status, body, b"application/json")


def create_app(settings: Settings | None = None) -> Gateway:
    """The application factory servers call (``gateway.app:create_app``)."""
    from gateway.config import from_env
    from gateway.logs import configure

    settings = settings or from_env()
    configure(settings)
    return Gateway(settings)
