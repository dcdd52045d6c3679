"""The delivery outbox on Teams, whose messages cannot be looked up after a crash: each
invitation is recorded as sent as soon as the Bot Connector took it, so a sender killed
mid-batch leaves at most the message in flight to be sent again (not the whole batch)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from core.clock import FixedClock
from core.delivery import INVITATION, SendReport, invitations_from, materialise, send_due
from core.messenger import Platform
from tests.delivery.test_outbox import pacer_for
from tests.fakes.bot_connector import ConnectorCall
from tests.teams.harness import running

MEMBERS = 7
WATCHED = 4  # the card whose arrival the test looks through


async def test_each_teams_invitation_is_recorded_when_sent_not_at_the_end_of_the_batch(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, db_url, clock) as h:
        c = h.container
        found, members = await h.started({"Acme/Ops": MEMBERS})
        for member in members:
            assert (await h.install(member)).status == 202
        assert await materialise(c.uows, found.id, INVITATION, lambda m: clock.now()) == MEMBERS
        recorded_when_watched: list[int] = []
        before = len(h.connector.calls)  # (installing got each person a welcome)

        async def look(call: ConnectorCall) -> None:
            cards = [x for x in h.connector.calls[before:] if x.cards()]
            if call.cards() and len(cards) == WATCHED:
                # The moment a SIGKILL would hit: what does the outbox already say?
                async with c.uows() as uow:
                    counts = await uow.deliveries.counts()
                recorded_when_watched.append(counts.get(("", INVITATION, "sent"), 0))

        h.connector.on_call = look
        report = await send_due(
            c.uows,
            {Platform.TEAMS: h.deps.messenger},
            clock,
            pacer_for(clock),
            c.keys,
            invitations_from(c.uows, clock),
            worker="w1",
        )
        assert report == SendReport(sent=MEMBERS)
        # The three cards before were recorded; only the one in flight was not yet.
        assert recorded_when_watched == [WATCHED - 1]
        cards = Counter(x.conversation for x in h.connector.calls[before:] if x.cards())
        assert len(cards) == MEMBERS and set(cards.values()) == {1}
        async with c.uows() as uow:
            assert await uow.deliveries.counts() == {("", INVITATION, "sent"): MEMBERS}
