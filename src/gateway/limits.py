"""Rate limits (token bucket) and daily quotas per grant.

A grant's ``rate_per_minute`` fills its bucket continuously (rate/60 tokens a second) up to a
capacity of one minute's allowance; each call takes one token. ``quota_per_day`` counts calls per
UTC day. With Redis configured both are kept there by one Lua script (atomic, one round trip, exact
across all gateway processes and nodes); otherwise each process keeps its own, and the rate is
divided by the number of worker processes so that one node as a whole stays close to the limit.
When Redis fails the gateway falls back to the in-process limiter and reports it in /readyz.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Any, Final

log = logging.getLogger("gateway.limits")

SECONDS_PER_DAY: Final = 86400


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: str = ""  # "rate" or "quota"
    retry_after: int = 0


ALLOW: Final = Decision(True)


def _seconds_to_midnight(now: float) -> int:
    return max(1, int(SECONDS_PER_DAY - (now % SECONDS_PER_DAY)))


class LocalLimiter:
    """In-process buckets and quota counters."""

    def __init__(self, share: int = 1) -> None:
        self.share = max(1, share)
        self._buckets: dict[str, tuple[float, float]] = {}  # key → (tokens, updated)
        self._quotas: dict[str, tuple[int, int]] = {}  # key → (day, used)

    def check(self, key: str, rate_per_minute: int | None, quota_per_day: int | None) -> Decision:
        now = time.time()
        if quota_per_day is not None:
            day = int(now // SECONDS_PER_DAY)
            stored_day, used = self._quotas.get(key, (day, 0))
            if stored_day != day:
                used = 0
            if used >= max(1, quota_per_day // self.share):
                return Decision(False, "quota", _seconds_to_midnight(now))
        if rate_per_minute is not None:
            rate = rate_per_minute / 60.0 / self.share
            capacity = max(1.0, rate_per_minute / self.share)
            tokens, updated = self._buckets.get(key, (capacity, now))
            tokens = min(capacity, tokens + (now - updated) * rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                wait = (1.0 - tokens) / rate if rate > 0 else 60.0
                return Decision(False, "rate", max(1, math.ceil(wait)))
            self._buckets[key] = (tokens - 1.0, now)
        if quota_per_day is not None:
            day = int(now // SECONDS_PER_DAY)
            stored_day, used = self._quotas.get(key, (day, 0))
            self._quotas[key] = (day, (used if stored_day == day else 0) + 1)
        return ALLOW


# KEYS[1] bucket hash, KEYS[2] quota counter; ARGV: rate/s, capacity, quota (or -1), now,
# seconds to midnight. Returns {allowed (1/0), reason (0 none, 1 rate, 2 quota), retry_after}.
_SCRIPT: Final = """
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local quota = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
local ttl_day = tonumber(ARGV[5])
if quota >= 0 then
  local used = tonumber(redis.call('GET', KEYS[2]) or '0')
  if used >= quota then return {0, 2, ttl_day} end
end
if rate >= 0 then
  local state = redis.call('HMGET', KEYS[1], 't', 'u')
  local tokens = tonumber(state[1]) or capacity
  local updated = tonumber(state[2]) or now
  if now > updated then tokens = math.min(capacity, tokens + (now - updated) * rate) end
  if tokens < 1 then
    redis.call('HSET', KEYS[1], 't', tokens, 'u', now)
    local wait = 60
    if rate > 0 then wait = math.ceil((1 - tokens) / rate) end
    return {0, 1, wait}
  end
  redis.call('HSET', KEYS[1], 't', tokens - 1, 'u', now)
  redis.call('EXPIRE', KEYS[1], math.ceil(capacity / math.max(rate, 0.001)) + 60)
end
if quota >= 0 then
  redis.call('INCR', KEYS[2])
  redis.call('EXPIRE', KEYS[2], ttl_day + 60)
end
return {1, 0, 0}
"""


class Limiter:
    """Redis-backed when ``redis_url`` is set and answering; in-process otherwise."""

    def __init__(self, redis_url: str | None, share: int = 1, prefix: str = "egw:") -> None:
        self.local = LocalLimiter(share)
        self.redis_url = redis_url
        self.prefix = prefix
        self._redis: Any = None
        self._script: Any = None
        self.redis_ok: bool | None = None
        self._retry_at = 0.0

    async def start(self) -> None:
        if not self.redis_url:
            return
        import redis.asyncio as aioredis

        self._redis = aioredis.Redis.from_url(
            self.redis_url, socket_connect_timeout=0.5, socket_timeout=0.5
        )
        self._script = self._redis.register_script(_SCRIPT)
        await self.ping()

    async def ping(self) -> bool:
        if self._redis is None:
            return False
        try:
            await self._redis.ping()
            self.redis_ok = True
        except Exception as error:  # any Redis failure means: fall back
            self.redis_ok = False
            log.warning("redis unavailable", extra={"error": str(error)})
        return bool(self.redis_ok)

    async def stop(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()

    async def check(
        self, key: str, rate_per_minute: int | None, quota_per_day: int | None
    ) -> Decision:
        if rate_per_minute is None and quota_per_day is None:
            return ALLOW
        if self._redis is None or (self.redis_ok is False and time.time() < self._retry_at):
            return self.local.check(key, rate_per_minute, quota_per_day)
        now = time.time()
        day = int(now // SECONDS_PER_DAY)
        try:
            allowed, reason, retry = await self._script(
                keys=[f"{self.prefix}b:{key}", f"{self.prefix}q:{key}:{day}"],
                args=[
                    rate_per_minute / 60.0 if rate_per_minute is not None else -1,
                    rate_per_minute if rate_per_minute is not None else 0,
                    quota_per_day if quota_per_day is not None else -1,
                    now,
                    _seconds_to_midnight(now),
                ],
            )
        except Exception as error:  # Redis down or slow: keep serving with local limits
            if self.redis_ok is not False:
                log.warning(
                    "redis limiter failed; using in-process limits", extra={"error": str(error)}
                )
            self.redis_ok = False
            self._retry_at = now + 5.0
            return self.local.check(key, rate_per_minute, quota_per_day)
        self.redis_ok = True
        if int(allowed):
            return ALLOW
        return Decision(False, "rate" if int(reason) == 1 else "quota", max(1, int(retry)))
