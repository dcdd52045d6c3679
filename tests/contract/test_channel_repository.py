"""Repository contract for units' result channels: fake, SQLite and PostgreSQL alike."""

from __future__ import annotations

from core.destinations import ChannelRef, Purpose
from core.messenger import Platform
from core.ports import UnitOfWorkFactory
from tests.contract.test_cadence_repository import seed


async def test_set_replace_and_clear_channels(uows: UnitOfWorkFactory) -> None:
    acme, other, root, ops = await seed(uows)
    leaders = ChannelRef(Platform.SLACK, "C0LEADERS")
    team = ChannelRef(Platform.TEAMS, "19:abc@thread.tacv2")
    async with uows() as uow:
        assert await uow.organisation.channels(acme) == {}
        await uow.organisation.set_channel(acme, ops, Purpose.MANAGERS, leaders)
        await uow.organisation.set_channel(acme, ops, Purpose.TEAM, team)
        await uow.organisation.set_channel(acme, root, Purpose.MANAGERS, leaders)
        await uow.commit()
    async with uows() as uow:
        assert await uow.organisation.channels(acme) == {
            (ops, Purpose.MANAGERS): leaders,
            (ops, Purpose.TEAM): team,
            (root, Purpose.MANAGERS): leaders,
        }
        assert await uow.organisation.channels(other) == {}
        moved = ChannelRef(Platform.SLACK, "C0OTHER")
        await uow.organisation.set_channel(acme, ops, Purpose.MANAGERS, moved)
        await uow.organisation.set_channel(acme, root, Purpose.MANAGERS, None)
        await uow.organisation.set_channel(acme, root, Purpose.MANAGERS, None)  # harmless
        await uow.commit()
    async with uows() as uow:
        assert await uow.organisation.channels(acme) == {
            (ops, Purpose.MANAGERS): moved,
            (ops, Purpose.TEAM): team,
        }


async def test_channel_changes_roll_back_without_commit(uows: UnitOfWorkFactory) -> None:
    acme, _, _, ops = await seed(uows)
    async with uows() as uow:
        await uow.organisation.set_channel(
            acme, ops, Purpose.TEAM, ChannelRef(Platform.SLACK, "C1")
        )
    async with uows() as uow:
        assert await uow.organisation.channels(acme) == {}
