"""TeamsMessenger against the fake Bot Connector: proactive sends with the stored
reference, retries (429 with Retry-After, 412/502/504) through the injected sleep,
permanent failures (403/404, no reference), the confirmation update and the digest."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.teams.reach import unreachable_on_teams
from core.clock import FixedClock
from core.messenger import (
    Confirmation,
    ConfirmationKind,
    DeliveryError,
    Invitation,
    MessageRef,
    Platform,
    Recipient,
)
from tests.teams.harness import TEAMS_TENANT, running

pytestmark = pytest.mark.usefixtures("clock")


async def test_429_waits_retry_after_then_sends_once(
    tmp_path: Path, sqlite_migrated_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, sqlite_migrated_url, clock) as h:
        found, members = await h.started()
        member = members[0]
        await h.install(member)
        h.connector.fail(429, retry_after="7")
        h.connector.fail(429)  # no Retry-After: a default second
        message = await h.invite(member, found)
        assert h.sleeps.delays == [7.0, 1.0]
        sends = h.connector.calls_to("send")
        assert len(sends) == 3 and message.id.startswith("act-")
        assert message.channel == f"a:{member.teams_aad_id}"


@pytest.mark.parametrize("status", [412, 502, 504])
async def test_transient_errors_back_off_with_jitter(
    tmp_path: Path, sqlite_migrated_url: str, clock: FixedClock, status: int
) -> None:
    async with running(tmp_path, sqlite_migrated_url, clock) as h:
        found, members = await h.started()
        await h.install(members[0])
        h.connector.fail(status, times=2)
        await h.invite(members[0], found)
        first, second = h.sleeps.delays
        assert 0.5 <= first <= 1.0 and 1.0 <= second <= 2.0


async def test_gives_up_after_five_attempts_as_a_temporary_failure(
    tmp_path: Path, sqlite_migrated_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, sqlite_migrated_url, clock) as h:
        found, members = await h.started()
        await h.install(members[0])
        h.connector.fail(502, times=5)
        with pytest.raises(DeliveryError) as caught:
            await h.invite(members[0], found)
        assert not caught.value.permanent and caught.value.reason == "http_502"
        assert len(h.sleeps.delays) == 4


@pytest.mark.parametrize("status", [403, 404])
async def test_unreachable_recipients_are_permanent_at_once(
    tmp_path: Path, sqlite_migrated_url: str, clock: FixedClock, status: int
) -> None:
    async with running(tmp_path, sqlite_migrated_url, clock) as h:
        found, members = await h.started()
        await h.install(members[0])
        h.connector.fail(status)
        with pytest.raises(DeliveryError) as caught:
            await h.invite(members[0], found)
        assert caught.value.permanent and caught.value.reason == f"http_{status}"
        assert h.sleeps.delays == []


async def test_no_reference_is_permanent_and_reported_as_unreachable(
    tmp_path: Path, sqlite_migrated_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, sqlite_migrated_url, clock) as h:
        found, members = await h.started()
        await h.install(members[0])
        with pytest.raises(DeliveryError) as caught:
            await h.invite(members[1], found)
        assert caught.value.permanent and caught.value.reason == "no_conversation_reference"
        assert h.connector.calls_to("send") == []
        missing = await unreachable_on_teams(h.container.uows, members[0].tenant_id)
        assert missing == sorted(m.id for m in members[1:])


async def test_reminder_confirm_and_digest(
    tmp_path: Path, sqlite_migrated_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, sqlite_migrated_url, clock) as h:
        found, members = await h.started()
        member = members[0]
        await h.install(member)
        to = Recipient(Platform.TEAMS, TEAMS_TENANT, member.teams_aad_id or "", "en")
        reminder = await h.deps.messenger.send_reminder(
            to, Invitation(found.id, found.period, len(found.items), "Friday 12:00")
        )
        assert "gentle reminder" in h.connector.calls_to("send")[-1].text
        await h.deps.messenger.confirm(
            to, reminder, Confirmation(ConfirmationKind.ANSWERED, show_help=True)
        )
        (update,) = h.connector.calls_to("update")
        assert update.activity_id == reminder.id and "thank you" in update.text
        # The port's confirmation is the same whatever was answered: no help there.
        assert "Arbeidstilsynet" not in update.text
        h.connector.fail(429, retry_after="2")
        ref = await h.deps.messenger.post_digest(
            TEAMS_TENANT, "19:general@thread.tacv2", "*Results* for 2026-W48", b"\x89PNG-ish", "en"
        )
        digest = h.connector.calls_to("send")[-1]
        assert digest.conversation == "19:general@thread.tacv2" and ref.id.startswith("act-")
        assert "data:image/png;base64," in digest.text and "**Results**" in digest.text
        assert h.sleeps.delays == [2.0]
        assert isinstance(ref, MessageRef)
