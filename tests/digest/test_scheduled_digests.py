"""The whole loop on the scheduler's own jobs: the sweep opens and releases a round, queues
its digests, and the sender posts each one once to its leader through the real Slack adapter
(fake Slack Web API on loopback); sweeping and sending again posts nothing twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.charts import digest_chart
from core.clock import FixedClock
from core.digest_service import renderer
from core.messenger import Platform
from core.organisation import Role, RoleGrant
from core.submission import Submission, submit
from scheduler.runner import Runner, RunnerConfig
from tests.delivery.test_outbox import pacer_for
from tests.flow import answers_for, organisation, setup_org
from tests.slack.harness import Harness, running


def runner(h: Harness) -> Runner:
    c = h.container
    return Runner(
        c.engine,
        c.uows,
        c.keys,
        h.clock,
        {Platform.SLACK: h.deps.messenger},
        pacer_for(h.clock),
        RunnerConfig(timezone="Europe/Oslo"),
        {Platform.SLACK: h.deps.messenger},
        renderer(c.uows, h.clock, digest_chart),
    )


def digests(h: Harness) -> list[tuple[str, str]]:
    return [
        (str(where[0]), str(m["text"]))
        for where, m in h.api.messages.items()
        if "Pulsresultater" in str(m.get("text", ""))
    ]


async def test_a_release_is_posted_to_the_leaders_once(tmp_path: Path, db_url: str) -> None:
    clock = FixedClock(datetime(2026, 11, 23, 8, 30, tzinfo=UTC))  # Monday 09:30 in Oslo
    async with running(tmp_path, db_url, clock) as h:
        uows = h.container.uows
        await setup_org(uows, clock, {"Acme/Ops": 8, "Acme/Sales": 7})
        org = await organisation(uows)
        ops = org.unit_by_path()["Acme/Ops"].id
        leader = next(m for m in org.members if m.home_unit_id == ops)
        async with uows() as uow:
            await uow.organisation.replace_grants(
                org.tenant.id, [RoleGrant(leader.id, Role.LEADER, ops)]
            )
            await uow.commit()
        first = runner(h)
        assert await first.sweep_if_leader()  # opens the week's round
        async with uows() as uow:
            (found,) = await uow.rounds.list(org.tenant.id)
        for member in org.active_members():
            await submit(
                uows, h.container.keys, clock, Submission(found.id, member.id, answers_for(found))
            )
        clock.set(found.closes_at + timedelta(hours=found.release_delay_hours, minutes=1))
        await first.sweep_if_leader()  # closes; releases once the delay has passed
        await first.sweep_if_leader()
        await first.send()
        posted = digests(h)
        # Ops' leader reads Ops; nobody leads Acme or Sales, so nothing goes there.
        assert [channel for channel, _ in posted] == [f"D{leader.slack_user_id}"]  # its DM
        assert "Acme/Ops" in posted[0][1]
        await first.sweep_if_leader()  # a later sweep queues nothing new
        await first.send()
        assert len(digests(h)) == 1
        await first.stop()
