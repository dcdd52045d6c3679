"""Two ``tempcheck serve`` replicas on PostgreSQL share a fan-out (exactly one invitation
per member), and when the leader is killed with SIGKILL the other takes over scheduling:
its sweep opens the next round, which only a leader does, and the heartbeat says so."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from bot.app import Container
from core.cadence_service import set_unit_cadence
from core.round_service import close_round
from storage.heartbeat import Heartbeat
from tests.delivery.procs import (
    GatedSlackApi,
    Serve,
    container_for,
    round_with_invitations,
    serve_env,
    tick,
)
from tests.flow import TENANT
from tests.slack.harness import TEAM

MEMBERS = 30

pytestmark = pytest.mark.postgres


async def claimed_by(c: Container, worker: str) -> int:
    """Rows ``worker`` claimed and did not record."""
    async with c.engine.connect() as connection:
        count = await connection.scalar(
            text("SELECT count(*) FROM deliveries WHERE status = 'sending' AND claimed_by = :w"),
            {"w": worker},
        )
    return int(count or 0)


@pytest.fixture
async def pg_url(pg_migrated_url: str) -> str:
    from tests.conftest import _truncate

    await _truncate(pg_migrated_url)
    return pg_migrated_url


async def test_two_replicas_share_the_fan_out_and_the_survivor_takes_over(
    tmp_path: Path, pg_url: str
) -> None:
    c, clock = container_for(pg_url, tmp_path)
    try:
        first_round = await round_with_invitations(c, clock, MEMBERS)
        # Every day a working day, no holidays, no quiet hours, a round as long as its
        # period, and the period starting at midnight today (the replicas run on the real
        # clock): whatever the date the tests run on, a cadence round is due right now, with
        # more than half of its window left (the sweep does not open a round later than that).
        today = datetime.now(ZoneInfo("Europe/Oslo")).weekday()
        await set_unit_cadence(
            c.uows,
            clock,
            tenant_slug=TENANT,
            unit_path="Acme",
            changes={
                "weekday": today,
                "send_time": "00:00",
                "working_days": [0, 1, 2, 3, 4, 5, 6],
                "holiday_calendar": None,
                "quiet_hours": None,
                "round_days": 7,
                "reminder_days": [],
            },
            actor="t",
        )
        async with GatedSlackApi(team_id=TEAM) as api:
            env = serve_env(pg_url, tmp_path, api)
            api.hold_after = 0  # hold every post until both replicas have one in flight
            replicas = [await Serve(env, tmp_path / f"replica{n}.log").start() for n in (1, 2)]
            try:
                await api.wait_held(2)  # each sender sends one at a time: two senders
                api.release()
                await api.wait_until(lambda: len(api.delivered()) >= MEMBERS)
                assert set(api.delivered().values()) == {1}

                beats = await Heartbeat(c.engine).workers()
                leaders = [b for b in beats if b.is_leader]
                assert len(beats) == 2 and len(leaders) == 1
                leader_pid = int(leaders[0].worker.split(":")[1])
                (leader,) = [r for r in replicas if r.pid == leader_pid]
                (survivor,) = [r for r in replicas if r.pid != leader_pid]
                looked_up = len(api.calls_to("conversations.history"))
                await leader.kill()
                # The leader may die between sending its last batch and recording it. The
                # survivor takes those rows over when their lease ends and finds each on
                # Slack: wait for those look-ups while round 1 is still open, so that none
                # is left "sending" when the test ends (and none is sent again).
                unrecorded = await claimed_by(c, leaders[0].worker)
                await api.wait_until(
                    lambda: len(api.calls_to("conversations.history")) >= looked_up + unrecorded
                )

                # Only a leader's sweep opens the cadence round once this one is closed.
                tick(clock)
                await close_round(c.uows, clock, first_round.id, actor="t")
                await api.wait_until(lambda: len(api.delivered()) >= 2 * MEMBERS)
            finally:
                for replica in replicas:
                    await replica.stop()
            delivered = api.delivered()
            rounds = {key.split(":")[0] for key in delivered}
            assert len(delivered) == 2 * MEMBERS and len(rounds) == 2
            assert set(delivered.values()) == {1}, survivor.output()[-2000:]
        async with c.uows() as uow:
            counts = await uow.deliveries.counts()
        assert counts == {("", "invitation", "sent"): 2 * MEMBERS}
        # The killed leader's row stays (it never said goodbye) but no longer leads.
        beats = await Heartbeat(c.engine).workers()
        assert [b.worker.split(":")[1] for b in beats] == [str(leader_pid)]
        assert not beats[0].is_leader
    finally:
        await c.close()
