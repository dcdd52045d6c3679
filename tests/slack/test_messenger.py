"""SlackMessenger against the fake Slack Web API: what is sent, retries, permanent failures."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.messenger import PERMANENT_ERRORS, SlackMessenger, slack_client
from bot.slack.render import Blocks
from core.messenger import (
    Confirmation,
    ConfirmationKind,
    DeliveryError,
    Invitation,
    Platform,
    Recipient,
)
from tests.fakes.slack_api import UPLOAD, FakeSlackApi

WORKSPACE = "T0TEMPCHECK"
ANNA = Recipient(Platform.SLACK, WORKSPACE, "U0ANNA", "nb")
INVITATION = Invitation(round_id=7, period="2026-W48", items=6, closes_at_text="fredag 12:00")


class TinyRenderer:
    """Blocks that show which builder ran and in which language; never an answer value."""

    def invitation(self, invitation: Invitation, locale: str) -> tuple[str, Blocks]:
        return f"invite {invitation.round_id} {locale}", [_section(f"invite/{locale}")]

    def reminder(self, invitation: Invitation, locale: str) -> tuple[str, Blocks]:
        return f"remind {invitation.round_id} {locale}", [_section(f"remind/{locale}")]

    def confirmation(self, confirmation: Confirmation, locale: str) -> tuple[str, Blocks]:
        return f"thanks {confirmation.kind.value}", [_section(f"thanks/{locale}")]


def _section(text: str) -> dict[str, object]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


class RecordingSleep:
    """Stands in for asyncio.sleep: remembers the delays, returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
async def api() -> AsyncIterator[FakeSlackApi]:
    async with FakeSlackApi() as running:
        yield running


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()


def messenger_for(
    api: FakeSlackApi, sleep: RecordingSleep, *, max_attempts: int = 5, seed: int = 1
) -> SlackMessenger:
    client = slack_client("xoxb-test", base_url=api.base_url)
    asked: list[str] = []

    async def clients(workspace: str) -> AsyncWebClient:
        asked.append(workspace)
        assert workspace == WORKSPACE
        return client

    return SlackMessenger(
        clients, TinyRenderer(), sleep=sleep, max_attempts=max_attempts, rng=random.Random(seed)
    )


async def test_invitation_is_posted_to_the_user_id_in_their_language(
    api: FakeSlackApi, sleep: RecordingSleep
) -> None:
    ref = await messenger_for(api, sleep).send_invitation(ANNA, INVITATION)
    (call,) = api.calls_to("chat.postMessage")
    assert call.params["channel"] == "U0ANNA"  # no conversations.open per recipient
    assert call.params["text"] == "invite 7 nb"
    assert call.params["blocks"] == [_section("invite/nb")]
    assert ref.channel == "DU0ANNA"
    assert api.messages[(ref.channel, ref.id)]["text"] == "invite 7 nb"
    assert sleep.delays == []


async def test_reminder_uses_the_reminder_blocks(api: FakeSlackApi, sleep: RecordingSleep) -> None:
    english = Recipient(Platform.SLACK, WORKSPACE, "U0BEN", "en")
    await messenger_for(api, sleep).send_reminder(english, INVITATION)
    assert api.calls_to("chat.postMessage")[0].params["blocks"] == [_section("remind/en")]


async def test_confirm_updates_the_same_message(api: FakeSlackApi, sleep: RecordingSleep) -> None:
    messenger = messenger_for(api, sleep)
    ref = await messenger.send_invitation(ANNA, INVITATION)
    await messenger.confirm(ANNA, ref, Confirmation(ConfirmationKind.ANSWERED, show_help=False))
    (call,) = api.calls_to("chat.update")
    assert (call.params["channel"], call.params["ts"]) == (ref.channel, ref.id)
    assert api.messages[(ref.channel, ref.id)]["blocks"] == [_section("thanks/nb")]
    assert api.messages[(ref.channel, ref.id)]["text"] == "thanks answered"


async def test_429_waits_retry_after_through_the_injected_sleep(
    api: FakeSlackApi, sleep: RecordingSleep
) -> None:
    api.rate_limit_next("chat.postMessage", retry_after=3, times=2)
    ref = await messenger_for(api, sleep).send_invitation(ANNA, INVITATION)
    assert sleep.delays == [3.0, 3.0]
    assert len(api.calls_to("chat.postMessage")) == 3
    assert ref.channel == "DU0ANNA"


async def test_5xx_backs_off_exponentially_with_bounded_jitter(
    api: FakeSlackApi, sleep: RecordingSleep
) -> None:
    api.server_error_next("chat.postMessage", status=503, times=4)
    await messenger_for(api, sleep, max_attempts=5).send_invitation(ANNA, INVITATION)
    assert len(api.calls_to("chat.postMessage")) == 5
    assert len(sleep.delays) == 4
    for attempt, delay in enumerate(sleep.delays, start=1):
        step = 2 ** (attempt - 1)  # base delay 1 s
        assert step / 2 <= delay <= step
    # jitter: another seed, other delays
    other = RecordingSleep()
    api.server_error_next("chat.postMessage", status=503, times=4)
    await messenger_for(api, other, seed=2).send_invitation(ANNA, INVITATION)
    assert other.delays != sleep.delays


async def test_lost_connections_are_retried(api: FakeSlackApi, sleep: RecordingSleep) -> None:
    api.disconnect_next("chat.postMessage")
    await messenger_for(api, sleep).send_invitation(ANNA, INVITATION)
    assert len(api.calls_to("chat.postMessage")) == 2
    assert len(sleep.delays) == 1


async def test_max_attempts_then_a_temporary_delivery_error(
    api: FakeSlackApi, sleep: RecordingSleep
) -> None:
    api.rate_limit_next("chat.postMessage", retry_after=9, times=10)
    with pytest.raises(DeliveryError) as caught:
        await messenger_for(api, sleep, max_attempts=3).send_invitation(ANNA, INVITATION)
    assert len(api.calls_to("chat.postMessage")) == 3
    assert sleep.delays == [9.0, 9.0]
    assert caught.value.permanent is False
    assert caught.value.retry_after == 9.0
    assert caught.value.reason == "ratelimited"


@pytest.mark.parametrize(
    "error",
    [
        "user_not_found",
        "account_inactive",
        "user_disabled",
        "cannot_dm_bot",
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "team_access_not_granted",
        "not_allowed_token_type",
        "invalid_auth",
        "token_revoked",
        "missing_scope",
        "invalid_blocks",  # unknown to us: retrying cannot fix a request Slack rejects
    ],
)
async def test_permanent_errors_are_never_retried(
    api: FakeSlackApi, sleep: RecordingSleep, error: str
) -> None:
    api.fail_next("chat.postMessage", error=error, times=5)
    with pytest.raises(DeliveryError) as caught:
        await messenger_for(api, sleep).send_invitation(ANNA, INVITATION)
    assert caught.value.permanent is True
    assert caught.value.reason == error
    assert len(api.calls_to("chat.postMessage")) == 1
    assert sleep.delays == []


async def test_transient_slack_errors_are_retried(api: FakeSlackApi, sleep: RecordingSleep) -> None:
    api.fail_next("chat.update", error="internal_error")
    messenger = messenger_for(api, sleep)
    ref = await messenger.send_invitation(ANNA, INVITATION)
    await messenger.confirm(ANNA, ref, Confirmation(ConfirmationKind.ALREADY_ANSWERED, False))
    assert len(api.calls_to("chat.update")) == 2


def test_the_listed_permanent_errors_are_known() -> None:
    assert {"user_not_found", "users_not_found", "invalid_auth", "missing_scope"} <= (
        PERMANENT_ERRORS
    )


async def test_digest_posts_text_then_uploads_the_chart(
    api: FakeSlackApi, sleep: RecordingSleep
) -> None:
    png = b"\x89PNG\r\n\x1a\nchart"
    ref = await messenger_for(api, sleep).post_digest(
        WORKSPACE, "C0DIGEST", "Digest", [_section("digest")], png, "digest-2026-W48.png"
    )
    assert ref.channel == "C0DIGEST"
    assert api.methods() == [
        "chat.postMessage",
        "files.getUploadURLExternal",
        UPLOAD,
        "files.completeUploadExternal",
    ]
    (upload,) = api.uploads.values()
    assert (upload.filename, upload.data, upload.shared_to) == (
        "digest-2026-W48.png",
        png,
        ["C0DIGEST"],
    )


async def test_digest_without_chart_and_a_rate_limited_upload(
    api: FakeSlackApi, sleep: RecordingSleep
) -> None:
    messenger = messenger_for(api, sleep)
    await messenger.post_digest(WORKSPACE, "C0DIGEST", "Digest", [], None, "x.png")
    assert api.methods() == ["chat.postMessage"]
    api.rate_limit_next("files.completeUploadExternal", retry_after=2)
    await messenger.post_digest(WORKSPACE, "C0DIGEST", "Digest", [], b"png", "x.png")
    assert len(api.calls_to("chat.postMessage")) == 2  # the text is never posted twice
    assert len(api.calls_to("files.completeUploadExternal")) == 2
    assert sleep.delays == [2.0]


async def test_other_calls_of_the_method_wait_while_one_sits_out_a_429(
    api: FakeSlackApi,
) -> None:
    release, waiting = asyncio.Event(), asyncio.Event()
    waits: list[float] = []

    async def held_sleep(seconds: float) -> None:
        waits.append(seconds)
        waiting.set()
        await release.wait()

    client = slack_client("xoxb-test", base_url=api.base_url)

    async def clients(workspace: str) -> AsyncWebClient:
        return client

    messenger = SlackMessenger(clients, TinyRenderer(), sleep=held_sleep)
    api.rate_limit_next("chat.postMessage", retry_after=30)
    first = asyncio.create_task(messenger.send_invitation(ANNA, INVITATION))
    await waiting.wait()  # the first call got its 429 and sits it out
    ben = Recipient(Platform.SLACK, WORKSPACE, "U0BEN", "en")
    second = asyncio.create_task(messenger.send_invitation(ben, INVITATION))
    for _ in range(50):
        await asyncio.sleep(0)
    assert len(api.calls_to("chat.postMessage")) == 1  # the second waits at the gate
    release.set()
    await asyncio.gather(first, second)
    assert len(api.calls_to("chat.postMessage")) == 3
    assert waits == [30.0]


async def test_clients_with_sleeping_retry_handlers_are_refused(api: FakeSlackApi) -> None:
    default = AsyncWebClient(token="xoxb-test", base_url=api.base_url)  # sleeps for real

    async def clients(workspace: str) -> AsyncWebClient:
        return default

    with pytest.raises(ValueError, match="retry_handlers"):
        await SlackMessenger(clients, TinyRenderer()).send_invitation(ANNA, INVITATION)
    assert api.calls == []


async def test_logs_name_method_error_and_attempt_but_no_person(
    api: FakeSlackApi, sleep: RecordingSleep, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.slack.messenger")
    api.server_error_next("chat.postMessage", status=503)
    api.fail_next("chat.postMessage", error="account_inactive")
    messenger = messenger_for(api, sleep)
    with pytest.raises(DeliveryError):
        await messenger.send_invitation(ANNA, INVITATION)
    text = "\n".join(r.getMessage() for r in caplog.records if r.name == "bot.slack.messenger")
    assert "chat.postMessage" in text and "internal_error" in text and "1/5" in text
    assert "account_inactive" in text
    assert "U0ANNA" not in text and "invite" not in text


async def test_the_sdk_client_does_not_format_payloads_for_debug_logs(
    api: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    # slack_sdk builds a DEBUG message of every request and response (payload, headers)
    # unless its logger's own level is above DEBUG: work for every message of a fan-out,
    # and payloads that must never reach the logs.
    client = slack_client("xoxb-t", base_url=api.base_url)
    assert client.logger.level > logging.DEBUG
    caplog.set_level(logging.DEBUG)
    await client.chat_postMessage(channel="U1", text="hello")
    assert not [r for r in caplog.records if "hello" in r.getMessage()]
