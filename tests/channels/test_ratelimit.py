"""Per-sender token buckets, driven by a fake clock."""

from __future__ import annotations

import pytest

from agriadvisor.channels.ratelimit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_steady_rate() -> None:
    clock = Clock()
    limiter = RateLimiter(per_minute=6, burst=3, clock=clock)
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.retry_after("a") == 10
    clock.now += 9.9
    assert limiter.allow("a") is False
    clock.now += 0.2
    assert limiter.allow("a") is True
    clock.now += 3600
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]  # refills to the burst, no more


def test_senders_are_independent() -> None:
    limiter = RateLimiter(per_minute=1, burst=1, clock=Clock())
    assert limiter.allow("a") and not limiter.allow("a")
    assert limiter.allow("b")


def test_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="per_minute must be greater than 0, got 0"):
        RateLimiter(per_minute=0, burst=1)
    with pytest.raises(ValueError, match="burst must be at least 1, got 0"):
        RateLimiter(per_minute=1, burst=0)
