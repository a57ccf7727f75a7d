"""Prometheus metrics (``/metrics``).

With several worker processes, ``egov-gateway serve`` sets ``PROMETHEUS_MULTIPROC_DIR`` (a
directory in the state directory, emptied at start) so that every worker writes its values there
and any worker answers a scrape with the sum over all of them.
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from gateway.config import MULTIPROCESS_DIR

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.calls = Counter(
            "egov_gateway_calls",
            "Calls through the gateway by service, consumer and HTTP status.",
            ["service", "consumer", "status"],
            registry=self.registry,
        )
        self.errors = Counter(
            "egov_gateway_errors",
            "Calls the gateway refused or failed, by error code.",
            ["code"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "egov_gateway_call_seconds",
            "Time from request to the end of the response, by service and consumer.",
            ["service", "consumer"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.upstream_latency = Histogram(
            "egov_gateway_upstream_seconds",
            "Time until the provider's response head arrived, by service.",
            ["service"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "egov_gateway_in_flight",
            "Calls being handled now.",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self.snapshot_version = Gauge(
            "egov_gateway_snapshot_version",
            "Version of the policy in force.",
            registry=self.registry,
        )
        self.snapshot_age = Gauge(
            "egov_gateway_snapshot_age_seconds",
            "Seconds since the control plane last confirmed the policy in force.",
            registry=self.registry,
            multiprocess_mode="livemax",
        )
        self.log_backlog = Gauge(
            "egov_gateway_log_backlog",
            "Message log records not yet in the store (memory and spill files).",
            registry=self.registry,
            multiprocess_mode="livesum",
        )
        self.log_store_up = Gauge(
            "egov_gateway_log_store_up",
            "1 when the message log store accepts writes.",
            registry=self.registry,
        )
        self.circuit_open = Gauge(
            "egov_gateway_circuit_open",
            "1 while the breaker of an upstream is open or half-open.",
            ["upstream"],
            registry=self.registry,
            multiprocess_mode="livemax",
        )

        self._children: dict[tuple[str, str, int], tuple[Any, Any, Any]] = {}

    def observe(
        self, service: str, consumer: str, status: int, seconds: float, upstream: float | None
    ) -> None:
        """Count one call; label children are cached (the lookup is the costly part)."""
        key = (service, consumer, status)
        children = self._children.get(key)
        if children is None:
            if len(self._children) > 10000:
                self._children.clear()
            children = self._children[key] = (
                self.calls.labels(service, consumer, str(status)),
                self.latency.labels(service, consumer),
                self.upstream_latency.labels(service),
            )
        children[0].inc()
        children[1].observe(seconds)
        if upstream is not None:
            children[2].observe(upstream)

    def render(self) -> bytes:
        if MULTIPROCESS_DIR in os.environ:
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest(self.registry)
