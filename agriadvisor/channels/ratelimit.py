"""Per-sender token buckets: a burst is allowed, then messages at a steady rate.

Example:
    >>> limiter = RateLimiter(per_minute=6, burst=2)
    >>> [limiter.allow("farmer-1") for _ in range(3)]
    [True, True, False]
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable

__all__ = ["RateLimiter"]

MAX_TRACKED = 100_000


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """Allows ``burst`` messages at once per sender, refilled at ``per_minute`` a minute. Thread-safe."""

    def __init__(self, per_minute: float, burst: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute <= 0:
            raise ValueError(f"per_minute must be greater than 0, got {per_minute}")
        if burst < 1:
            raise ValueError(f"burst must be at least 1, got {burst}")
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def allow(self, sender: str) -> bool:
        """Take one token from ``sender``'s bucket; False when it is empty."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(sender)
            if bucket is None:
                if len(self._buckets) >= MAX_TRACKED:
                    self._forget_full(now)
                bucket = self._buckets[sender] = _Bucket(self.burst, now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
            if bucket.tokens < 1.0:
                return False
            bucket.tokens -= 1.0
            return True

    def retry_after(self, sender: str) -> int:
        """Whole seconds until ``sender`` may send again."""
        with self._lock:
            bucket = self._buckets.get(sender)
            missing = 0.0 if bucket is None else max(0.0, 1.0 - bucket.tokens)
        return max(1, int(missing / self.rate + 0.999))

    def _forget_full(self, now: float) -> None:
        """Drop senders whose bucket has refilled: they are indistinguishable from new ones."""
        full = [k for k, b in self._buckets.items() if b.tokens + (now - b.at) * self.rate >= self.burst]
        for k in full:
            del self._buckets[k]
