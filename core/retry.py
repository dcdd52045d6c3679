"""One retry policy for every call to a chat platform (Slack's Web API, Teams' Bot Connector).

The platform adapter says what a failure means (``Failure``); this loop does the rest, the
same way for both:
- the platform asked for a pause (HTTP 429 with ``Retry-After``): wait that long, and let
  the other calls behind the same gate (the same workspace, and for Slack the same method)
  wait too instead of earning more 429s;
- a temporary failure (5xx, the platform's own "try again" errors, a lost connection):
  exponential backoff, half of each step fixed and half random so that senders that failed
  together do not retry together;
- a permanent failure: ``DeliveryError(permanent=True)`` at once;
- still failing after ``max_attempts``: ``DeliveryError(permanent=False, retry_after=...)``,
  for the outbox to try again later.
``sleep`` is injected: tests never wait. Logs name the platform, the operation, the error
code and the attempt; never ids, texts or payloads.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from core.messenger import DeliveryError

log = logging.getLogger(__name__)

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]
#: What a lost connection or an interrupted transfer is reported as.
CONNECTION_ERROR = "connection_error"
#: The pause taken when a 429 carries no (readable) ``Retry-After``.
DEFAULT_RETRY_AFTER = 1.0


@dataclass(frozen=True)
class Failure:
    """What a platform's failure means for the retry loop."""

    error: str  # the code logged and reported (``DeliveryError.reason``)
    permanent: bool = False
    #: Seconds the platform asked us to wait (a 429); None: back off on our own.
    retry_after: float | None = None
    #: A permanent failure that is expected in normal operation (a deactivated account):
    #: logged at INFO instead of WARNING.
    expected: bool = False


#: The adapter's reading of an exception; None: not a platform failure (raised unchanged).
Classify = Callable[[BaseException], Failure | None]


def retry_after(headers: Mapping[str, Any] | None) -> float:
    """The ``Retry-After`` header in seconds (any case), else ``DEFAULT_RETRY_AFTER``."""
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            try:
                return max(0.0, float(value))
            except (TypeError, ValueError):
                return DEFAULT_RETRY_AFTER
    return DEFAULT_RETRY_AFTER


class Retry:
    """Runs one platform call with the policy above."""

    def __init__(
        self,
        platform: str,
        classify: Classify,
        *,
        sleep: Sleep = asyncio.sleep,
        max_attempts: int = 5,
        rng: random.Random | None = None,
        base_delay: float = 1.0,
        max_delay: float = 30.0,
        logger: logging.Logger = log,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.platform = platform
        self._classify = classify
        self._sleep = sleep
        self.max_attempts = max_attempts
        self._rng = rng or random.Random()
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._gates: dict[Hashable, asyncio.Lock] = {}
        self._log = logger

    def backoff(self, attempt: int) -> float:
        """Delay after failed attempt ``attempt`` (1-based): half the exponential step fixed,
        half random."""
        step = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        return step / 2 + self._rng.uniform(0, step / 2)

    async def run(self, gate: Hashable, name: str, operation: Callable[[], Awaitable[T]]) -> T:
        """``operation`` until it succeeds; calls with the same ``gate`` wait out one
        another's 429 pause. ``name``: the operation, for the logs."""
        lock = self._gates.setdefault(gate, asyncio.Lock())
        for attempt in range(1, self.max_attempts + 1):
            async with lock:
                pass
            try:
                return await operation()
            except Exception as exc:
                failure = self._classify(exc)
                if failure is None:
                    raise
            if failure.permanent:
                level = logging.INFO if failure.expected else logging.WARNING
                self._log.log(
                    level, "%s %s failed permanently: %s", self.platform, name, failure.error
                )
                raise DeliveryError(failure.error, permanent=True)
            delay = failure.retry_after
            if delay is None:
                delay = self.backoff(attempt)
            if attempt == self.max_attempts:
                self._log.warning(
                    "%s %s gave up: %s (attempt %d/%d)",
                    self.platform,
                    name,
                    failure.error,
                    attempt,
                    self.max_attempts,
                )
                raise DeliveryError(failure.error, permanent=False, retry_after=delay)
            self._log.info(
                "%s %s failed: %s (attempt %d/%d), retrying in %.1fs",
                self.platform,
                name,
                failure.error,
                attempt,
                self.max_attempts,
                delay,
            )
            if failure.retry_after is not None:
                async with lock:
                    await self._sleep(delay)
            else:
                await self._sleep(delay)
        raise AssertionError("unreachable")  # the loop returns or raises
