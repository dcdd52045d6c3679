"""The pacer hands out tokens in groups (one wake per ~0.2 s of the rate, not per message),
never faster than the rate allows, and honours Retry-After pauses. Time is a FixedClock that
the injected sleep moves; nothing waits for real."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.clock import FixedClock
from core.pace import TokenBucketPacer

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class Sleeper:
    """The pacer's sleep: moves the clock and counts the wakes."""

    def __init__(self, clock: FixedClock) -> None:
        self.clock = clock
        self.wakes = 0

    async def __call__(self, seconds: float) -> None:
        self.wakes += 1
        self.clock.set(self.clock.now() + timedelta(seconds=seconds))


def pacer(rate: float = 100.0, burst: int = 20) -> tuple[TokenBucketPacer, FixedClock, Sleeper]:
    clock = FixedClock(START)
    sleep = Sleeper(clock)
    return TokenBucketPacer(rate, burst, clock, sleep), clock, sleep


class SlackCap:
    """Slack's side, as the fake enforces it: a bucket of one second's worth of the cap."""

    def __init__(self, clock: FixedClock, rate: float) -> None:
        self.clock, self.rate = clock, rate
        self.tokens, self.at = rate, clock.now()
        self.over = 0

    def post(self) -> None:
        now = self.clock.now()
        self.tokens = min(self.rate, self.tokens + (now - self.at).total_seconds() * self.rate)
        self.at = now
        if self.tokens < 1 - 1e-6:  # the clock ticks in microseconds
            self.over += 1
        else:
            self.tokens -= 1


async def send(p: TokenBucketPacer, messages: int, cap: SlackCap, ws: str = "T1") -> list[int]:
    groups = []
    left = messages
    while left:
        granted = await p.take(ws, left)
        assert 1 <= granted <= left
        groups.append(granted)
        for _ in range(granted):
            cap.post()
        left -= granted
    return groups


async def test_groups_of_a_fifth_of_a_second_wake_the_loop_five_times_a_second() -> None:
    p, clock, sleep = pacer(rate=100, burst=20)
    assert p.group == 20
    cap = SlackCap(clock, 100)
    groups = await send(p, 1000, cap)
    # The first group is the full bucket; every later one waits for 20 new tokens.
    assert groups == [20] * 50
    assert sleep.wakes == 49  # per message it would be 980
    assert (clock.now() - START).total_seconds() == pytest.approx(9.8)
    assert cap.over == 0


async def test_never_faster_than_the_rate_with_any_burst_and_group() -> None:
    # (A burst above one second of the cap would be a configuration Slack answers 429.)
    for rate, burst in [(100, 20), (50, 20), (10, 10), (10, 1), (3, 3), (1000, 5)]:
        p, clock, _ = pacer(rate=rate, burst=burst)
        cap = SlackCap(clock, rate)
        await send(p, int(rate * 5) + burst, cap)
        elapsed = (clock.now() - START).total_seconds()
        assert elapsed == pytest.approx(5.0, abs=1 / rate), (rate, burst)
        assert cap.over == 0, (rate, burst)
        assert p.group == max(1, min(burst, int(rate * 0.2)))


async def test_a_small_want_waits_only_for_what_it_needs() -> None:
    p, clock, _ = pacer(rate=100, burst=20)
    assert await p.take("T1", 20) == 20  # the bucket is empty now
    assert await p.take("T1", 3) == 3
    assert (clock.now() - START).total_seconds() == pytest.approx(0.03)


async def test_retry_after_pauses_the_workspace_and_tokens_grow_from_its_end() -> None:
    p, clock, _ = pacer(rate=100, burst=20)
    assert await p.take("T1", 5) == 5
    p.pause("T1", 3.0)
    p.give_back("T1", 5)  # while paused: ignored (a 429 said the tokens were not there)
    assert await p.take("T1", 50) == 20
    # 3 s of pause, then a whole group's worth of refill: no burst right after a 429.
    assert (clock.now() - START).total_seconds() == pytest.approx(3.2)
    # Another workspace is not paused.
    assert await p.take("T2", 50) == 20
    assert (clock.now() - START).total_seconds() == pytest.approx(3.2)


async def test_until_gives_up_at_once_instead_of_waiting_past_it() -> None:
    p, clock, sleep = pacer(rate=100, burst=20)
    assert await p.take("T1", 20) == 20
    soon = START.timestamp() + 0.1
    assert await p.take("T1", 20, until=soon) == 0  # 20 tokens take 0.2 s
    assert (clock.now(), sleep.wakes) == (START, 0)
    p.pause("T1", 30)
    assert await p.take("T1", 1, until=START.timestamp() + 15) == 0
    assert await p.take("T1", 1, until=START.timestamp() + 31) == 1


async def test_unused_tokens_go_back_up_to_the_burst() -> None:
    p, clock, sleep = pacer(rate=100, burst=20)
    assert await p.take("T1", 20) == 20
    p.give_back("T1", 15)
    assert await p.take("T1", 15) == 15
    assert sleep.wakes == 0
    p.give_back("T1", 100)
    assert await p.take("T1", 100) == 20
    assert clock.now() == START


async def test_one_token_at_a_time() -> None:
    p, clock, sleep = pacer(rate=10, burst=1)
    for _ in range(5):
        await p.take("T1", 1)
    assert sleep.wakes == 4
    assert (clock.now() - START).total_seconds() == pytest.approx(0.4)
