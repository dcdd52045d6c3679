"""The scheduler was down: the next sweep catches up (opens the period's round, materialises
what is due) and sends once; sweeping and sending again, or a second runner doing the same,
adds no message. Runs the Runner's own jobs on a fixed clock against the fake Slack."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from core.clock import FixedClock
from core.messenger import Platform
from scheduler.runner import Runner, RunnerConfig
from tests.delivery.test_outbox import pacer_for
from tests.flow import setup_org
from tests.slack.harness import Harness, running

MEMBERS = 6


def keys_sent(h: Harness) -> Counter[str]:
    found: Counter[str] = Counter()
    for message in h.api.messages.values():
        found[message["metadata"]["event_payload"]["key"]] += 1
    return found


def runner(h: Harness, clock: FixedClock) -> Runner:
    c = h.container
    return Runner(
        c.engine,
        c.uows,
        c.keys,
        clock,
        {Platform.SLACK: h.deps.messenger},
        pacer_for(clock),
        RunnerConfig(timezone="Europe/Oslo"),
    )


async def test_missed_times_are_caught_up_once(tmp_path: Path, db_url: str) -> None:
    # Down since before the round was due (Monday 09:00 Oslo); back on Thursday morning.
    clock = FixedClock(datetime(2026, 11, 26, 9, 30, tzinfo=UTC))
    async with running(tmp_path, db_url, clock) as h:
        await setup_org(h.container.uows, clock, {"Acme/Ops": MEMBERS})
        first, second = runner(h, clock), runner(h, clock)
        assert await first.sweep_if_leader()
        await first.send()
        sent = keys_sent(h)
        invitations = [k for k in sent if k.endswith(":invitation")]
        assert len(invitations) == MEMBERS and set(sent.values()) == {1}

        # A double fire, a second runner, a restart: nothing new, nothing sent twice (on
        # PostgreSQL the second runner does not lead while the first holds the lock).
        assert not await first.sweep_if_leader()
        assert not await second.sweep_if_leader()
        await first.send()
        await second.send()
        assert keys_sent(h) == sent

        # Later the same week: whatever else falls due is sent once, invitations never again.
        clock.set(datetime(2026, 11, 28, 9, 30, tzinfo=UTC))
        await second.sweep_if_leader()
        await second.send()
        await first.send()
        later = keys_sent(h)
        assert set(later.values()) == {1}
        assert [k for k in later if k.endswith(":invitation")] == invitations
        for each in (first, second):
            await each.stop()  # frees the leader lock's connection
