"""The Messenger port for Slack: invitation DMs, their "answered, thanks" update, digests.

Retries follow core.retry's policy (shared with Teams); this module says what each Slack
failure means. slack_sdk's own retry handlers sleep with the real ``asyncio.sleep``; a client
used here must be built with ``retry_handlers=[]`` (see ``slack_client``) so that waiting
goes through the injected ``sleep`` and tests never wait.

- 429: wait ``Retry-After`` and try again. While one call waits, the other calls of the same
  method in the same workspace wait too: that is the scope of Slack's limits.
- 5xx, Slack's transient errors, lost connections: exponential backoff with jitter.
- Everything else (the account is gone, the app is not allowed, the request is wrong) is
  permanent: ``DeliveryError(permanent=True)`` at once, never retried.

Logs name the method, the error code and the attempt, never user ids, text or payloads.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.slack.render import Blocks, SlackRenderer
from core.messenger import (
    Confirmation,
    DeliveryError,
    Invitation,
    MessageRef,
    Recipient,
)
from core.posts import PostTo, ResultMessage
from core.retry import CONNECTION_ERROR, Failure, Retry, retry_after

log = logging.getLogger("bot.slack.messenger")

T = TypeVar("T")
ClientFor = Callable[[str], Awaitable[AsyncWebClient]]
Sleep = Callable[[float], Awaitable[None]]

#: Errors that no retry can fix: the person or channel is unreachable for this app.
PERMANENT_ERRORS = frozenset(
    {
        "user_not_found",
        "users_not_found",
        "account_inactive",
        "user_disabled",
        "cannot_dm_bot",
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "restricted_action",
        "team_access_not_granted",
        "not_allowed_token_type",
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "missing_scope",
        "ekm_access_denied",
        "org_login_required",
        "message_not_found",
        "cant_update_message",
        "edit_window_closed",
    }
)
#: Errors Slack itself calls temporary (HTTP 200 or 5xx).
TRANSIENT_ERRORS = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"}
)
#: Slack's limits: 3,000 characters in a section's text, 40,000 in a message's ``text``.
MAX_SECTION = 3000
MAX_TEXT = 40000


def split_for_blocks(text: str) -> list[str]:
    """Cut text into section-sized parts at line ends (a longer line is cut hard)."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > MAX_SECTION:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:MAX_SECTION])
            line = line[MAX_SECTION:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > MAX_SECTION:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts[:50]  # a message holds at most 50 blocks


def quiet_logger(name: str) -> logging.Logger:
    """A logger at WARNING of its own, for Bolt and slack_sdk: they log whole payloads at
    DEBUG (never in our logs: privacy rule 13), and slack_sdk builds those messages — the
    request with its blocks, the response with its headers — on every call unless its
    logger's *own* level is above DEBUG (it checks ``logger.level``, not the effective level
    that capping the ``slack_sdk`` logger sets)."""
    logger = logging.getLogger(name)
    logger.setLevel(logging.WARNING)
    return logger


def slack_client(
    token: str | None, *, base_url: str, session: aiohttp.ClientSession | None = None
) -> AsyncWebClient:
    """An AsyncWebClient fit for SlackMessenger and the directory sync: no retry handlers
    (SlackMessenger retries with an injectable sleep, so tests never sleep)."""
    return AsyncWebClient(
        token=token,
        base_url=base_url,
        session=session,
        retry_handlers=[],
        logger=quiet_logger("bot.slack.web"),
    )


def _error_code(exc: SlackApiError) -> str | None:
    data = exc.response.data if exc.response is not None else None
    return str(data["error"]) if isinstance(data, dict) and data.get("error") else None


DELIVERY_EVENT = "tempcheck_delivery"


def _slack_failure(exc: BaseException) -> Failure | None:
    """What a failed Slack call means (see the module doc)."""
    if isinstance(exc, SlackApiError):
        status = exc.response.status_code if exc.response is not None else 0
        error = _error_code(exc)
        if status == 429:
            return Failure(error or "ratelimited", retry_after=retry_after(exc.response.headers))
        if status >= 500 or error in TRANSIENT_ERRORS:
            return Failure(error or f"http_{status}")
        error = error or f"http_{status}"
        return Failure(error, permanent=True, expected=error in PERMANENT_ERRORS)
    if isinstance(exc, aiohttp.ClientError | TimeoutError | SlackRequestError):
        # SlackRequestError: files_upload_v2 could not deliver the bytes.
        return Failure(CONNECTION_ERROR)
    return None


class SlackRetry(Retry):
    """core.retry's policy for Slack Web API calls. Slack limits each method per workspace:
    while one call sits out a 429, the other calls of that method in that workspace wait."""

    def __init__(
        self,
        *,
        sleep: Sleep = asyncio.sleep,
        max_attempts: int = 5,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(
            "slack", _slack_failure, sleep=sleep, max_attempts=max_attempts, rng=rng, logger=log
        )

    async def call(self, workspace: str, method: str, operation: Callable[[], Awaitable[T]]) -> T:
        return await self.run((workspace, method), method, operation)


class SlackMessenger:
    """core.messenger.Messenger for Slack, plus the channel digest."""

    def __init__(
        self,
        clients: ClientFor,
        renderer: SlackRenderer,
        *,
        sleep: Sleep = asyncio.sleep,
        max_attempts: int = 5,
        rng: random.Random | None = None,
    ) -> None:
        self._clients = clients
        self._renderer = renderer
        self._retry = SlackRetry(sleep=sleep, max_attempts=max_attempts, rng=rng)

    async def _client(self, workspace: str) -> AsyncWebClient:
        client = await self._clients(workspace)
        if client.retry_handlers:
            raise ValueError(
                "SlackMessenger retries by itself; build its clients with retry_handlers=[] "
                "(bot.slack.messenger.slack_client)"
            )
        return client

    async def _post(
        self, workspace: str, channel: str, text: str, blocks: Blocks, key: str = ""
    ) -> AsyncSlackResponse:
        client = await self._client(workspace)
        # The outbox's delivery key rides along as message metadata (invisible in Slack),
        # so that after a crash already_delivered() can tell whether this message arrived.
        metadata = {"event_type": DELIVERY_EVENT, "event_payload": {"key": key}} if key else None
        return await self._retry.call(
            workspace,
            "chat.postMessage",
            lambda: client.chat_postMessage(
                channel=channel, text=text, blocks=list(blocks), metadata=metadata
            ),
        )

    async def _dm(self, to: Recipient, text: str, blocks: Blocks, key: str = "") -> MessageRef:
        # A user id as channel posts into the app's DM: no conversations.open (Tier 3) needed.
        response = await self._post(to.workspace, to.ref, text, blocks, key)
        return MessageRef(channel=str(response["channel"]), id=str(response["ts"]))

    async def already_delivered(self, to: Recipient, delivery_key: str) -> MessageRef | None:
        """Look for a message carrying this delivery key in the app's DM with the person
        (only after a sender died mid-send: conversations.open is Tier 3)."""
        client = await self._client(to.workspace)
        opened = await self._retry.call(
            to.workspace, "conversations.open", lambda: client.conversations_open(users=to.ref)
        )
        channel = str(opened["channel"]["id"])
        history = await self._retry.call(
            to.workspace,
            "conversations.history",
            lambda: client.conversations_history(
                channel=channel, limit=50, include_all_metadata=True
            ),
        )
        messages: list[dict[str, Any]] = history.get("messages", [])
        for message in messages:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == DELIVERY_EVENT and payload.get("key") == delivery_key:
                return MessageRef(channel, str(message["ts"]))
        return None

    async def send_invitation(self, to: Recipient, invitation: Invitation) -> MessageRef:
        text, blocks = self._renderer.invitation(invitation, to.locale)
        return await self._dm(to, text, blocks, invitation.key)

    async def send_reminder(self, to: Recipient, invitation: Invitation) -> MessageRef:
        text, blocks = self._renderer.reminder(invitation, to.locale)
        return await self._dm(to, text, blocks, invitation.key)

    async def confirm(self, to: Recipient, message: MessageRef, confirmation: Confirmation) -> None:
        text, blocks = self._renderer.confirmation(confirmation, to.locale)
        client = await self._client(to.workspace)
        await self._retry.call(
            to.workspace,
            "chat.update",
            lambda: client.chat_update(
                channel=message.channel, ts=message.id, text=text, blocks=list(blocks)
            ),
        )

    async def post_result(self, to: PostTo, message: ResultMessage) -> MessageRef:
        """core.posts.ResultPoster: a digest or summary into a channel or a leader's DM
        (a user id as channel posts into the app's DM; the chart follows into that DM)."""
        channel = to.channel.channel if to.channel else to.person.ref if to.person else None
        if channel is None:
            raise DeliveryError("no_target", permanent=True)
        blocks: list[dict[str, Any]] = [
            {"type": "section", "text": {"type": "mrkdwn", "text": part}}
            for part in split_for_blocks(message.text)
        ]
        if message.actions:
            blocks.append(
                {
                    "type": "actions",
                    "block_id": "followup",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": a.action_id,
                            "text": {"type": "plain_text", "text": a.label[:75]},
                            "value": a.value,
                        }
                        for a in message.actions
                    ],
                }
            )
        return await self.post_digest(
            to.workspace, channel, message.text[:MAX_TEXT], blocks, message.png, message.filename
        )

    async def post_digest(
        self,
        workspace: str,
        channel: str,
        text: str,
        blocks: Blocks,
        png: bytes | None,
        filename: str,
    ) -> MessageRef:
        """Post the digest into a channel (an id: files_upload_v2 needs one), then its chart.

        Each call is retried on its own, so a failed upload never posts the text twice.
        """
        response = await self._post(workspace, channel, text, blocks)
        ref = MessageRef(channel=str(response["channel"]), id=str(response["ts"]))
        if png is not None:
            client = await self._client(workspace)
            await self._retry.call(
                workspace,
                "files.upload_v2",
                lambda: client.files_upload_v2(
                    channel=ref.channel, file=png, filename=filename, title=filename
                ),
            )
        return ref
