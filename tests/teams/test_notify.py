"""`round open --notify` on Teams: installed people get the card, the rest are counted."""

from __future__ import annotations

from pathlib import Path

from bot.teams.notify import notify_round_on_teams
from bot.teams.reach import unreachable_on_teams
from core.clock import FixedClock
from tests.teams.harness import running


async def test_notify_sends_to_installed_and_counts_the_rest(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, db_url, clock) as h:
        found, members = await h.started({"Acme/Ops": 7})
        for member in members[:5]:
            assert (await h.install(member)).status == 202
        before = len(h.connector.calls)
        assert await unreachable_on_teams(h.container.uows, members[0].tenant_id) == [
            m.id for m in members[5:]
        ]
        report = await notify_round_on_teams(h.deps, found)
        assert (report.sent, report.unreachable, report.failed, report.no_platform) == (5, 2, 0, 0)
        cards = [c for c in h.connector.calls[before:] if c.cards()]
        assert sorted(c.conversation for c in cards) == sorted(
            f"a:{m.teams_aad_id}" for m in members[:5]
        )
