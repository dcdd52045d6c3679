"""The outbox against the fake Slack on loopback and real storage: exactly one invitation
per member across double fires, crashes mid-send and concurrent senders."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from core.clock import FixedClock
from core.delivery import (
    INVITATION,
    LEASE,
    DeliveryStatus,
    SendReport,
    delivery_key,
    invitations_from,
    materialise,
    send_due,
)
from core.messenger import Invitation, MessageRef, Messenger, Platform, Recipient
from core.pace import TokenBucketPacer
from core.rounds import Round
from core.submission import Submission, submit
from storage import delivery_repository
from tests.flow import answers_for, open_for, organisation, setup_org
from tests.slack.harness import TEAM, Harness, running

#: Single-workspace mode: the tenant is not linked to a team id, so the workspace is "".
WS = ""


def pacer_for(clock: FixedClock, rate: float = 50.0, burst: int = 5) -> TokenBucketPacer:
    async def sleep(seconds: float) -> None:  # time passes in the clock, not on the wall
        clock.set(clock.now() + timedelta(seconds=seconds))

    return TokenBucketPacer(rate, burst, clock, sleep)


async def send_all(h: Harness, worker: str = "w1", rounds: int = 50) -> SendReport:
    c = h.container
    messengers = {Platform.SLACK: h.deps.messenger}
    total = SendReport()
    pacer = pacer_for(h.clock)
    invitation_for = invitations_from(c.uows, h.clock)
    for _ in range(rounds):
        report = await send_due(
            c.uows, messengers, h.clock, pacer, c.keys, invitation_for, worker=worker
        )
        total += report
        if report == SendReport():
            break
    return total


async def fan_out(h: Harness, members: int) -> Round:
    """An organisation of ``members``, one open round, an invitation each due now."""
    c = h.container
    await setup_org(c.uows, h.clock, {"Acme/Ops": members})
    found = (await open_for(c.uows, c.keys, h.clock, "2026-W48")).round
    await materialise(c.uows, found.id, INVITATION, lambda m: h.clock.now())
    return found


def posts_per_user(h: Harness) -> Counter[str]:
    return Counter(str(c.params["channel"]) for c in h.api.calls_to("chat.postMessage"))


async def test_materialise_is_idempotent_and_everyone_gets_exactly_one(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, db_url, clock) as h:
        c = h.container
        await setup_org(c.uows, clock, {"Acme/Ops": 9})
        found = (await open_for(c.uows, c.keys, clock, "2026-W48")).round
        first = await materialise(c.uows, found.id, INVITATION, lambda m: clock.now())
        again = await materialise(c.uows, found.id, INVITATION, lambda m: clock.now())
        assert (first, again) == (9, 0)
        report = await send_all(h)
        assert report.sent == 9
        assert set(posts_per_user(h).values()) == {1} and len(posts_per_user(h)) == 9
        assert (await send_all(h)) == SendReport()
        async with c.uows() as uow:
            counts = await uow.deliveries.counts()
        assert counts == {(WS, "invitation", "sent"): 9}


async def test_a_sender_that_died_mid_send_is_recovered_without_duplicates(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, db_url, clock) as h:
        c = h.container
        found = await fan_out(h, 8)
        # The dead sender claimed four rows and had posted two of them when it died.
        async with c.uows() as uow:
            claimed = await uow.deliveries.claim(clock.now(), clock.now() - LEASE, 4, "dead")
            await uow.commit()
        for row in claimed[:2]:
            to = Recipient(Platform.SLACK, TEAM, row.recipient, row.locale)
            key = delivery_key(row.round_id, row.member_id, row.kind)
            await h.deps.messenger.send_invitation(to, Invitation(found.id, "p", 5, "x", key))
        clock.set(clock.now() + LEASE + timedelta(seconds=1))
        report = await send_all(h, worker="alive")
        assert (report.recovered, report.sent) == (2, 6)
        assert len(posts_per_user(h)) == 8 and set(posts_per_user(h).values()) == {1}


async def test_rate_limit_pauses_the_workspace_and_retries_once(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, db_url, clock) as h:
        c = h.container
        await fan_out(h, 6)
        h.api.rate_limit_next("chat.postMessage", retry_after=30, times=6)
        h.api.fail_next("chat.postMessage", error="account_inactive")
        report = await send_all(h)
        assert report.unreachable == 1 and report.sent == 5
        assert len(posts_per_user(h)) == 6
        async with c.uows() as uow:
            counts = await uow.deliveries.counts()
        assert counts[(WS, "invitation", DeliveryStatus.UNREACHABLE.value)] == 1


async def test_reminders_skip_those_who_answered_and_leave_no_trace(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, db_url, clock) as h:
        c = h.container
        await setup_org(c.uows, clock, {"Acme/Ops": 6})
        found = (await open_for(c.uows, c.keys, clock, "2026-W48")).round
        members = (await organisation(c.uows)).active_members()
        for m in members[:4]:
            await submit(c.uows, c.keys, clock, Submission(found.id, m.id, answers_for(found)))
        await materialise(c.uows, found.id, "reminder:1", lambda m: clock.now())
        report = await send_all(h)
        assert (report.sent, report.skipped) == (2, 4)
        reminded = set(posts_per_user(h))
        assert reminded == {m.slack_user_id for m in members[4:]}
        async with c.uows() as uow:
            counts = await uow.deliveries.counts()
        # No row says who was reminded; only tallies remain.
        assert counts == {(WS, "reminder", "handled"): 4, (WS, "reminder", "sent"): 2}


async def test_two_concurrent_senders_share_the_fan_out(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, db_url, clock) as h:
        await fan_out(h, 30)
        one, two = await asyncio.gather(send_all(h, "a"), send_all(h, "b"))
        assert one.sent + two.sent == 30
        assert len(posts_per_user(h)) == 30 and set(posts_per_user(h).values()) == {1}


async def test_materialise_inserts_in_chunks_and_stays_idempotent(
    tmp_path: Path, db_url: str, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PostgreSQL takes at most 65,535 parameters per statement: big units go in chunks.
    monkeypatch.setattr(delivery_repository, "INSERT_CHUNK", 3)
    async with running(tmp_path, db_url, clock) as h:
        c = h.container
        await setup_org(c.uows, clock, {"Acme/Ops": 8})
        found = (await open_for(c.uows, c.keys, clock, "2026-W48")).round
        first = await materialise(c.uows, found.id, INVITATION, lambda m: clock.now())
        again = await materialise(c.uows, found.id, INVITATION, lambda m: clock.now())
        assert (first, again) == (8, 0)
        async with c.uows() as uow:
            assert await uow.deliveries.counts() == {(WS, "invitation", "pending"): 8}


class SlowSlack:
    """The Slack messenger on a platform that takes ``seconds`` of the clock per message."""

    def __init__(self, h: Harness, seconds: float) -> None:
        self.inner, self.clock, self.seconds = h.deps.messenger, h.clock, seconds

    async def send_invitation(self, to: Recipient, invitation: Invitation) -> MessageRef:
        message = await self.inner.send_invitation(to, invitation)
        self.clock.set(self.clock.now() + timedelta(seconds=self.seconds))
        return message

    async def send_reminder(self, to: Recipient, invitation: Invitation) -> MessageRef:
        raise AssertionError("no reminders here")

    async def confirm(self, to: Recipient, message: MessageRef, confirmation: Any) -> None:
        raise AssertionError("no confirmations here")


STALL_LEASE = timedelta(seconds=10)


async def stalled_pass(h: Harness, messenger: Messenger, rate: float) -> SendReport:
    """Sender "a" claims the whole fan-out with a 10 s lease; each message costs 1 s of the
    clock (the pacer at 1/s, or a slow platform)."""
    return await send_due(
        h.container.uows,
        {Platform.SLACK: messenger},
        h.clock,
        pacer_for(h.clock, rate, burst=1),
        h.container.keys,
        invitations_from(h.container.uows, h.clock),
        worker="a",
        batch=12,
        lease=STALL_LEASE,
    )


@pytest.mark.parametrize("stall", ["pacer", "platform"])
async def test_a_stalled_sender_stops_at_half_its_lease_and_hands_the_rest_back(
    tmp_path: Path, db_url: str, clock: FixedClock, stall: str
) -> None:
    async with running(tmp_path, db_url, clock) as h:
        c = h.container
        await fan_out(h, 12)
        started = clock.now()
        if stall == "pacer":  # the workspace allows one message a second
            report = await stalled_pass(h, h.deps.messenger, rate=1.0)
        else:  # each chat.postMessage takes a second
            report = await stalled_pass(h, SlowSlack(h, 1.0), rate=1000.0)
        # Batch of 12 at one a second, lease 10 s: sent at 0..4 s, nothing from 5 s on.
        assert (report.sent, report.handed_back) == (5, 7)
        assert clock.now() - started <= STALL_LEASE / 2
        async with c.uows() as uow:
            counts = await uow.deliveries.counts()
        assert counts == {(WS, INVITATION, "sent"): 5, (WS, INVITATION, "pending"): 7}
        # Another sender takes the rest at once (before "a"'s lease ran out) as fresh rows:
        # no look-up on Slack, nobody messaged twice.
        rest = await send_all(h, worker="b")
        assert (rest.sent, rest.recovered) == (7, 0)
        assert not h.api.calls_to("conversations.history")
        assert len(posts_per_user(h)) == 12 and set(posts_per_user(h).values()) == {1}
