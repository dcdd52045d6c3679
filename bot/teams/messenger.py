"""The Messenger port for Teams: proactive pulse cards, their "answered, thanks" update,
channel digests.

Every send is a proactive turn (``continue_conversation``) in the conversation whose
reference was stored when the app was installed for the person or they wrote to it.
Retries follow core.retry's policy (shared with Slack), with an injectable ``sleep`` (tests
never wait); this module says what each Bot Connector failure means:

- 429: wait ``Retry-After`` (seconds) and try again; meanwhile the other sends to the same
  tenant wait too (Teams limits per app and tenant, and per conversation).
- 412, 500, 502, 503, 504 and lost connections: exponential backoff with jitter.
- 403, 404 (the app was removed, the user is gone or blocked the app) and any other 4xx:
  permanent, ``DeliveryError(permanent=True)`` at once. No stored reference: permanent too.

Logs name the operation, the HTTP status and the attempt; never ids, texts or payloads.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

import aiohttp
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core import ConnectorClientBase, TurnContext

from bot.teams.cards import Card, TeamsCards, attachment
from bot.teams.references import continuation, conversation_id
from core.i18n import t
from core.messenger import Confirmation, DeliveryError, Invitation, MessageRef, Recipient
from core.posts import MessageAction, PostTo, ResultMessage
from core.questions import QuestionSet
from core.retry import CONNECTION_ERROR, Failure, Retry, retry_after
from core.rounds import Round

log = logging.getLogger("bot.teams.messenger")

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]
Turn = Callable[[TurnContext], Awaitable[None]]
#: Runs ``callback`` in a proactive turn of the conversation ``activity`` continues.
Continue = Callable[[Activity, Turn], Awaitable[None]]
#: (Teams tenant id, AAD object id) -> the stored conversation reference.
ReferenceFor = Callable[[str, str], Awaitable[Mapping[str, object] | None]]
#: (Teams tenant id, channel id) -> a reference to post into that channel.
ChannelFor = Callable[[str, str], Awaitable[Mapping[str, object] | None]]
#: round id -> the round and its question set (to put the questions on the card).
FormFor = Callable[[int], Awaitable[tuple[Round, QuestionSet] | None]]

RETRY_STATUSES = frozenset({412, 500, 502, 503, 504})
#: Teams refuses messages over about 100 KB; an inline chart must leave room for the card.
MAX_INLINE_IMAGE_BYTES = 60_000


def card_activity(card: Card, activity_id: str | None = None) -> Activity:
    data: dict[str, Any] = {"type": "message", "attachments": [attachment(card)]}
    if activity_id:
        data["id"] = activity_id
    return Activity.model_validate(data)


def _teams_failure(exc: BaseException) -> Failure | None:
    """What a failed Bot Connector call means (see the module doc)."""
    if isinstance(exc, aiohttp.ClientResponseError):
        error = f"http_{exc.status}"
        if exc.status == 429:
            return Failure(error, retry_after=retry_after(exc.headers))
        if exc.status in RETRY_STATUSES:
            return Failure(error)
        return Failure(error, permanent=True, expected=exc.status in (403, 404))
    if isinstance(exc, aiohttp.ClientError | TimeoutError):
        return Failure(CONNECTION_ERROR)
    return None


class TeamsRetry(Retry):
    """core.retry's policy for Bot Connector calls; Teams limits per app and tenant, so a
    429 holds the tenant's other sends."""

    def __init__(
        self,
        *,
        sleep: Sleep = asyncio.sleep,
        max_attempts: int = 5,
        rng: random.Random | None = None,
    ) -> None:
        super().__init__(
            "teams", _teams_failure, sleep=sleep, max_attempts=max_attempts, rng=rng, logger=log
        )

    async def call(self, workspace: str, name: str, operation: Callable[[], Awaitable[T]]) -> T:
        return await self.run(workspace, name, operation)


class TeamsMessenger:
    """core.messenger.Messenger for Teams, plus the channel digest."""

    def __init__(
        self,
        continue_conversation: Continue,
        references: ReferenceFor,
        forms: FormFor,
        cards: TeamsCards,
        *,
        channels: ChannelFor | None = None,
        sleep: Sleep = asyncio.sleep,
        max_attempts: int = 5,
        rng: random.Random | None = None,
    ) -> None:
        self._continue = continue_conversation
        self._references = references
        self._forms = forms
        self._channels = channels
        self.cards = cards
        self._retry = TeamsRetry(sleep=sleep, max_attempts=max_attempts, rng=rng)

    async def _in_turn(
        self, stored: Mapping[str, object], action: Callable[[TurnContext], Awaitable[T]]
    ) -> T:
        """Run ``action`` in one proactive turn; its HTTP errors come back out of the turn
        (the SDK would otherwise hand them to the turn error handler)."""
        results: list[T] = []
        errors: list[BaseException] = []

        async def callback(context: TurnContext) -> None:
            try:
                results.append(await action(context))
            except (aiohttp.ClientError, TimeoutError) as exc:
                errors.append(exc)

        await self._continue(continuation(stored), callback)
        if errors:
            raise errors[0]
        if not results:
            raise aiohttp.ClientError("the proactive turn did not run")
        return results[0]

    async def _reference(self, to: Recipient) -> Mapping[str, object]:
        stored = await self._references(to.workspace, to.ref)
        if stored is None:
            # Never installed for this person (or they removed the app): see docs/teams.md.
            raise DeliveryError("no_conversation_reference", permanent=True)
        return stored

    async def _send_card(
        self, workspace: str, stored: Mapping[str, object], card: Card, name: str
    ) -> MessageRef:
        async def send(context: TurnContext) -> str:
            # Straight to the connector rather than context.send_activity: the SDK's send
            # path sets ``id`` to an explicit null, which it then serialises for a new
            # conversation message; the Agents Playground refuses that (400 BadArgument).
            activity = card_activity(card)
            activity.apply_conversation_reference(context.activity.get_conversation_reference())
            connector = context.services.get(ConnectorClientBase)  # type: ignore[type-abstract]
            if connector is None:
                raise aiohttp.ClientError("no connector client in the proactive turn")
            response = await connector.conversations.send_to_conversation(
                conversation_id(stored), activity
            )
            return str(response.id or "") if response else ""

        sent = await self._retry.call(workspace, name, lambda: self._in_turn(stored, send))
        return MessageRef(channel=conversation_id(stored), id=sent)

    async def _pulse(self, key: str, to: Recipient, invitation: Invitation) -> MessageRef:
        stored = await self._reference(to)
        form = await self._forms(invitation.round_id)
        if form is None:
            raise DeliveryError("round_not_found", permanent=True)
        found, qs = form
        card = self.cards.pulse(key, invitation, found, qs, to.locale)
        return await self._send_card(to.workspace, stored, card, "send")

    async def send_invitation(self, to: Recipient, invitation: Invitation) -> MessageRef:
        return await self._pulse("teamsui.invite", to, invitation)

    async def send_reminder(self, to: Recipient, invitation: Invitation) -> MessageRef:
        return await self._pulse("teamsui.remind", to, invitation)

    async def confirm(self, to: Recipient, message: MessageRef, confirmation: Confirmation) -> None:
        stored = await self._reference(to)
        card = self.cards.confirmation(confirmation, to.locale)

        async def update(context: TurnContext) -> None:
            await context.update_activity(card_activity(card, message.id))

        await self._retry.call(to.workspace, "update", lambda: self._in_turn(stored, update))

    async def post_result(self, to: PostTo, message: ResultMessage) -> MessageRef:
        """core.posts.ResultPoster: a digest or summary into a channel or a leader's chat."""
        if to.person is not None:
            stored = await self._reference(to.person)
            return await self._digest_card(
                to.workspace, stored, message.text, message.png, message.locale, message.actions
            )
        if to.channel is None:
            raise DeliveryError("no_target", permanent=True)
        return await self.post_digest(
            to.workspace,
            to.channel.channel,
            message.text,
            message.png,
            message.locale,
            message.actions,
        )

    async def post_digest(
        self,
        workspace: str,
        channel: str,
        text: str,
        png: bytes | None,
        locale: str,
        actions: Sequence[MessageAction] = (),
    ) -> MessageRef:
        """Post a digest card into a team channel (the app must be installed in the team).
        A chart small enough for Teams' message limit is inlined; a larger one is left out
        (logged), since the card alone carries the released figures."""
        stored = await self._channels(workspace, channel) if self._channels else None
        if stored is None:
            raise DeliveryError("no_channel_reference", permanent=True)
        return await self._digest_card(workspace, stored, text, png, locale, actions)

    async def _digest_card(
        self,
        workspace: str,
        stored: Mapping[str, object],
        text: str,
        png: bytes | None,
        locale: str,
        actions: Sequence[MessageAction] = (),
    ) -> MessageRef:
        image = None
        if png is not None and len(png) <= MAX_INLINE_IMAGE_BYTES:
            image = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        elif png is not None:
            log.warning("digest chart too large for a Teams message: left out")
        card = self.cards.digest(text, image, t("teamsui.digest_chart", locale), actions)
        return await self._send_card(workspace, stored, card, "digest")
