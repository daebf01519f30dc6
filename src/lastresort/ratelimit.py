"""Request rate limits per user and per client IP: fixed windows, in-process or shared through Redis.

In-process counters are right for the embedded default (one process). Several replicas share one limit only
through Redis (``LASTRESORT_REDIS_URL``): each window is one ``INCR`` with an expiry, atomic on the server.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from typing import Protocol

from lastresort.errors import InvalidInput

__all__ = ["Limit", "MemoryCounter", "RateLimiter", "RedisCounter", "parse_limit"]

_UNITS = {"second": 1, "sec": 1, "s": 1, "minute": 60, "min": 60, "m": 60, "hour": 3600, "h": 3600}


@dataclass(frozen=True)
class Limit:
    count: int  # requests allowed per window; 0 disables the limit
    window_s: int


def parse_limit(text: str) -> Limit:
    """``"60/minute"``, ``"5/second"``, ``"1000/hour"``, or ``"0"`` / ``"off"`` for no limit."""
    text = text.strip().lower()
    if text in ("0", "off", "none", ""):
        return Limit(0, 60)
    m = re.fullmatch(r"(\d+)\s*/\s*(\d*)\s*([a-z]+)", text)
    if not m or m.group(3) not in _UNITS:
        raise InvalidInput(f"Rate limit {text!r} is not like '60/minute', '5/second' or 'off'.")
    return Limit(int(m.group(1)), int(m.group(2) or 1) * _UNITS[m.group(3)])


class Counter(Protocol):
    def incr(self, key: str, window_s: int, now: float) -> int:
        """Add one hit to ``key`` in the current window and return the window's count."""


class MemoryCounter:
    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], int] = {}
        self._lock = threading.Lock()

    def incr(self, key: str, window_s: int, now: float) -> int:
        window = int(now // window_s)
        with self._lock:
            if len(self._counts) > 100_000:  # drop finished windows so memory stays bounded
                self._counts = {k: v for k, v in self._counts.items() if k[1] >= window - 1}
            count = self._counts.get((key, window), 0) + 1
            self._counts[(key, window)] = count
            return count


class RedisCounter:
    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def incr(self, key: str, window_s: int, now: float) -> int:
        name = f"lastresort:rl:{key}:{int(now // window_s)}"
        pipe = self._redis.pipeline()
        pipe.incr(name)
        pipe.expire(name, window_s + 1)
        count, _ = pipe.execute()
        return int(count)


class RateLimiter:
    def __init__(self, counter: Counter, *, per_user: Limit, per_ip: Limit) -> None:
        self.counter, self.per_user, self.per_ip = counter, per_user, per_ip

    def check(self, kind: str, key: str, now: float | None = None) -> float | None:
        """None if allowed, else the seconds until the window resets (for ``Retry-After``)."""
        limit = self.per_user if kind == "user" else self.per_ip
        if limit.count <= 0:
            return None
        now = time.time() if now is None else now
        if self.counter.incr(f"{kind}:{key}", limit.window_s, now) <= limit.count:
            return None
        return limit.window_s - (now % limit.window_s)
