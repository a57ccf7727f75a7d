"""Gateway test fixtures; the helpers live in ``gwtest`` (a name no other test package uses)."""

from __future__ import annotations

from gwtest import _stop_gateways, gateway, servers, world

__all__ = ["_stop_gateways", "gateway", "servers", "world"]
