"""Team channels: the app added to a team records the team's channels (and says how to use
them there), new and renamed channels are kept up to date, deleted ones and a team the app
left are forgotten, and a digest goes to a recorded channel with the stored address even
when nobody has a personal chat with the app yet. Signed (anonymous on loopback) activities
into the real /api/messages, the fake Bot Connector on 127.0.0.1."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from bot.cli import app
from core.clock import FixedClock
from core.ports import StoredChannel
from tests.flow import organisation
from tests.teams.harness import BOT_ID, TEAMS_TENANT, Harness, running

TEAM = "19:aaaa1111@thread.tacv2"
NEW = "19:bbbb2222@thread.tacv2"


def team_activity(h: Harness, event: str | None, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "tenant": {"id": TEAMS_TENANT},
        "team": {"id": TEAM, "name": "Drift"},
        **extra.pop("channel_data", {}),
    }
    if event:
        data["eventType"] = event
    return {
        "type": "conversationUpdate",
        "id": "in-team",
        "channelId": "msteams",
        "serviceUrl": h.connector.service_url,
        "from": {"id": "29:someone", "aadObjectId": "00000000-0000-0000-0000-0000000000aa"},
        "recipient": {"id": BOT_ID, "name": "tempcheck"},
        "conversation": {
            "id": TEAM,
            "conversationType": "channel",
            "isGroup": True,
            "tenantId": TEAMS_TENANT,
        },
        "channelData": data,
        "locale": "en-US",
        **extra,
    }


async def cli(locale: str) -> Result:
    # The CLI runs its own event loop: in a thread of its own, beside this test's loop.
    def run() -> Result:
        return CliRunner().invoke(app, ["--locale", locale, "teams", "channels"])

    return await asyncio.to_thread(run)


async def known(h: Harness) -> list[StoredChannel]:
    tenant = (await organisation(h.container.uows)).tenant
    async with h.container.uows() as uow:
        return list(await uow.conversations.channels(tenant.id))


async def test_a_team_install_records_its_channels_and_a_digest_reaches_them(
    tmp_path: Path, sqlite_migrated_url: str, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running(tmp_path, sqlite_migrated_url, clock) as h:
        await h.started()  # nobody has a personal chat with the app: nothing to borrow from
        added = await h.post(team_activity(h, "teamMemberAdded", membersAdded=[{"id": BOT_ID}]))
        assert added.status in (200, 201, 202)
        (welcome,) = h.connector.calls_to("reply") or h.connector.calls_to("send")
        assert welcome.conversation.startswith(TEAM)
        assert f"--platform teams --channel {TEAM}" in welcome.text
        created = team_activity(
            h, "channelCreated", channel_data={"channel": {"id": NEW, "name": "Resultater"}}
        )
        assert (await h.post(created)).status in (200, 201, 202)
        channels = await known(h)
        assert [(c.team_name, c.channel_name, c.channel_id) for c in channels] == [
            ("Drift", "General", TEAM),
            ("Drift", "Resultater", NEW),
        ]
        for channel in channels:  # an address only: no person in it
            assert "user" not in channel.reference
            assert channel.reference["conversation"] == {
                "id": channel.channel_id,
                "conversationType": "channel",
                "isGroup": True,
                "tenantId": TEAMS_TENANT,
            }
        ref = await h.deps.messenger.post_digest(
            TEAMS_TENANT, NEW, "*Results* for 2026-W48", None, "en"
        )
        digest = h.connector.calls_to("send")[-1]
        assert digest.conversation == NEW and ref.id

        # The operator's list, with the ids `tempcheck channel set` takes.
        monkeypatch.setenv("TEMPCHECK_DATABASE_URL", sqlite_migrated_url)
        monkeypatch.setenv("TEMPCHECK_TENANT", "acme")
        listed = await cli("en")
        assert listed.exit_code == 0, listed.output
        assert f"  Drift / Resultater: {NEW}" in listed.output
        assert f"  Drift / General: {TEAM}" in listed.output

        renamed = team_activity(
            h, "channelRenamed", channel_data={"channel": {"id": NEW, "name": "Puls"}}
        )
        await h.post(renamed)
        assert [c.channel_name for c in await known(h)] == ["General", "Puls"]
        deleted = team_activity(h, "channelDeleted", channel_data={"channel": {"id": NEW}})
        await h.post(deleted)
        assert [c.channel_id for c in await known(h)] == [TEAM]
        removed = team_activity(h, "teamMemberRemoved", membersRemoved=[{"id": BOT_ID}])
        await h.post(removed)
        assert await known(h) == []
        listed = await cli("nb")
        assert "Ingen ennå" in listed.output


async def test_a_personal_install_records_no_channel(
    tmp_path: Path, sqlite_migrated_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, sqlite_migrated_url, clock) as h:
        _, members = await h.started()
        await h.install(members[0])
        assert await known(h) == []
        assert "Hi! I'm **tempcheck**" in h.connector.calls[-1].text or "Hei!" in (
            h.connector.calls[-1].text
        )
