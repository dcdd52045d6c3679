"""Repository contract for units' result channels: fake, SQLite and PostgreSQL alike."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from core.destinations import ChannelRef, Purpose
from core.messenger import Platform
from core.ports import StoredChannel, UnitOfWorkFactory
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


async def test_teams_channels_are_stored_refreshed_and_forgotten(uows: UnitOfWorkFactory) -> None:
    acme, other, _, _ = await seed(uows)
    at = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    reference = {"serviceUrl": "https://smba.example/", "conversation": {"id": "19:a"}}
    general = StoredChannel(acme, "19:a", "19:a", "Drift", "General", reference, at)
    results = StoredChannel(acme, "19:b", "19:a", "Drift", "Resultater", reference, at)
    async with uows() as uow:
        assert await uow.conversations.save_channel(general)
        assert await uow.conversations.save_channel(results)
        await uow.commit()
    async with uows() as uow:
        assert not await uow.conversations.save_channel(general)  # nothing new
        # A later sighting without names keeps the names known.
        later = replace(results, channel_name=None, team_name=None, updated_at=at.replace(hour=9))
        assert not await uow.conversations.save_channel(later)
        moved = {**reference, "serviceUrl": "https://smba.example/emea/"}
        assert await uow.conversations.save_channel(replace(later, reference=moved))
        await uow.commit()
    async with uows() as uow:
        found = await uow.conversations.channel(acme, "19:b")
        assert found is not None and found.channel_name == "Resultater"
        assert found.reference["serviceUrl"] == "https://smba.example/emea/"
        assert [c.channel_id for c in await uow.conversations.channels(acme)] == ["19:a", "19:b"]
        assert await uow.conversations.channels(other) == []
        await uow.conversations.forget_channel(acme, "19:b")
        await uow.conversations.forget_channel(acme, "19:nope")  # harmless
        await uow.commit()
    async with uows() as uow:
        assert [c.channel_id for c in await uow.conversations.channels(acme)] == ["19:a"]
        assert await uow.conversations.channel(acme, "19:b") is None
