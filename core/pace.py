"""A token bucket per workspace: keeps a fan-out under the platform's rate limit, and waits
out a Retry-After for the whole workspace, not just for one message.

Tokens are handed out in groups (``take``): a sender waits once for about 0.2 s worth of the
rate (20 messages at 100/s) and then sends that many back to back, instead of waking the
event loop for every message. The bucket never holds more than ``burst`` tokens, so a group
is never larger than the burst the limit allows, and a group is never handed out while the
workspace is paused."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from core.clock import Clock

Sleep = Callable[[float], Awaitable[None]]
EPSILON = 1e-6
MIN_SLEEP = 0.001
#: How much of the rate one group of tokens is worth (seconds).
GROUP_SECONDS = 0.2


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
        #: Tokens a sender waits for at once: ~GROUP_SECONDS of the rate, at most the burst.
        self.group = max(1, min(burst, int(rate * GROUP_SECONDS)))
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

    def _refill(self, bucket: _Bucket, now: float) -> None:
        if now > bucket.updated:  # after a pause, tokens grow again from its end
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now

    def _ready_at(self, bucket: _Bucket, need: int, now: float) -> float:
        """When ``need`` tokens will be there (now, if they are)."""
        if bucket.paused_until - now > EPSILON:
            return bucket.paused_until
        self._refill(bucket, now)
        # Clocks tick in microseconds: without a tolerance a bucket a hair short of a token
        # would wait for a sleep too short to move the clock, forever.
        if bucket.tokens >= need - EPSILON:
            return now
        return now + (need - bucket.tokens) / self.rate

    async def take(self, workspace: str, want: int = 1, *, until: float | None = None) -> int:
        """Wait for a group of tokens and take them: ``min(want, group)`` at least, more if
        the bucket holds more, never more than ``want``. With ``until`` (a timestamp of the
        clock), give up instead of waiting past it: 0 tokens, nothing waited."""
        if want < 1:
            return 0
        bucket = self._bucket(workspace)
        need = min(want, self.group)
        while True:
            now = self._now()
            ready = self._ready_at(bucket, need, now)
            if until is not None and ready - until > EPSILON:
                return 0
            if ready - now <= EPSILON:
                taken = min(want, max(need, math.floor(bucket.tokens + EPSILON)))
                # A hair below zero is kept as debt: clamping it would run a microsecond
                # ahead of the rate per group, for ever.
                bucket.tokens -= taken
                return taken
            await self._sleep(max(MIN_SLEEP, ready - now))

    def give_back(self, workspace: str, tokens: int) -> None:
        """Tokens taken and not used (the rows needed no message): the bucket's again, up
        to its burst. Never after a pause: a 429 means the tokens were not there."""
        bucket = self._bucket(workspace)
        now = self._now()
        if tokens < 1 or bucket.paused_until > now:
            return
        self._refill(bucket, now)
        bucket.tokens = min(float(self.burst), bucket.tokens + tokens)

    def pause(self, workspace: str, seconds: float) -> None:
        bucket = self._bucket(workspace)
        bucket.paused_until = max(bucket.paused_until, self._now() + seconds)
        bucket.tokens = 0.0
        bucket.updated = bucket.paused_until
