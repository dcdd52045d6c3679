"""A token bucket per workspace: keeps a fan-out under the platform's rate limit, and waits
out a Retry-After for the whole workspace, not just for one message."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from core.clock import Clock

Sleep = Callable[[float], Awaitable[None]]
EPSILON = 1e-6
MIN_SLEEP = 0.001


@dataclass
class _Bucket:
    tokens: float
    updated: float
    paused_until: float = 0.0


class TokenBucketPacer:
    def __init__(self, rate: float, burst: int, clock: Clock, sleep: Sleep) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._buckets: dict[str, _Bucket] = {}

    def _now(self) -> float:
        return self._clock.now().timestamp()

    def _bucket(self, workspace: str) -> _Bucket:
        bucket = self._buckets.get(workspace)
        if bucket is None:
            bucket = self._buckets[workspace] = _Bucket(float(self.burst), self._now())
        return bucket

    async def acquire(self, workspace: str) -> None:
        bucket = self._bucket(workspace)
        while True:
            now = self._now()
            if bucket.paused_until - now > EPSILON:
                await self._sleep(max(MIN_SLEEP, bucket.paused_until - now))
                continue
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            # Clocks tick in microseconds: without a tolerance a bucket a hair short of one
            # token would wait for a sleep too short to move the clock, forever.
            if bucket.tokens >= 1 - EPSILON:
                bucket.tokens = max(0.0, bucket.tokens - 1)
                return
            await self._sleep(max(MIN_SLEEP, (1 - bucket.tokens) / self.rate))

    def pause(self, workspace: str, seconds: float) -> None:
        bucket = self._bucket(workspace)
        bucket.paused_until = max(bucket.paused_until, self._now() + seconds)
        bucket.tokens = 0.0
