"""The results outbox: after a release, each unit's digest (to its managers' channel or its
leaders' DMs) and team summary (to its team channel) is posted once.

The leader's sweep materialises one row per (round, unit, purpose, target); every replica's
sender claims due rows (a lease, like the delivery outbox), renders the message from the
frozen release for exactly that audience, and posts it. A crash between posting and recording
may post a digest twice (at least once): a repeated digest is harmless, a lost one is not.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from core.clock import Clock
from core.destinations import ChannelRef, Purpose, destination
from core.messenger import DeliveryError, MessageRef, Platform, Recipient
from core.ports import UnitOfWorkFactory

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 6


class PostStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNREACHABLE = "unreachable"
    SKIPPED = "skipped"  # nothing to say to this audience (no leader reachable, etc.)


@dataclass(frozen=True)
class NewPost:
    round_id: int
    unit_id: int
    purpose: Purpose
    target: str  # "channel:<platform>:<id>" or "member:<id>"
    due_at: datetime


@dataclass(frozen=True)
class Post(NewPost):
    id: int
    status: PostStatus
    attempts: int


def channel_target(channel: ChannelRef) -> str:
    return f"channel:{channel.platform.value}:{channel.channel}"


def member_target(member_id: int) -> str:
    return f"member:{member_id}"


def parse_target(target: str) -> ChannelRef | int:
    kind, _, rest = target.partition(":")
    if kind == "member":
        return int(rest)
    platform, _, channel = rest.partition(":")
    return ChannelRef(Platform(platform), channel)


class PostRepository(Protocol):
    async def add_many(self, rows: Sequence[NewPost]) -> int:
        """Insert, ignoring rows that exist (round, unit, purpose, target); new row count."""
        ...

    async def claim(
        self, now: datetime, lease_expired_before: datetime, limit: int, worker: str
    ) -> Sequence[Post]: ...

    async def finish(
        self, post_id: int, status: PostStatus, message: MessageRef | None, error: str | None
    ) -> None: ...

    async def retry_later(self, post_id: int, due_at: datetime, error: str) -> None: ...

    async def counts(self) -> Mapping[tuple[str, str], int]:
        """(purpose, status) -> count."""
        ...


@dataclass(frozen=True)
class MessageAction:
    """A button under a message (Slack button / Teams Action.Submit): ``action_id`` names
    the handler, ``value`` is what it gets back (ids only, never a result or an answer)."""

    action_id: str
    label: str
    value: str


@dataclass(frozen=True)
class ResultMessage:
    """A digest or team summary, ready for a platform: text in a small Markdown subset that
    both adapters render (``*bold*``, ``_italic_``, lines starting with ``• ``), a chart."""

    text: str
    png: bytes | None
    filename: str
    alt: str
    locale: str
    actions: tuple[MessageAction, ...] = ()


@dataclass(frozen=True)
class PostTo:
    """Where a result message goes: a channel, or one person's DM."""

    platform: Platform
    workspace: str
    channel: ChannelRef | None
    person: Recipient | None


class ResultPoster(Protocol):
    async def post_result(self, to: PostTo, message: ResultMessage) -> MessageRef: ...


#: Builds the message for one claimed row (the audience decides what it may contain); None:
#: nothing may be said to this audience (the row is recorded as skipped, never retried).
Render = Callable[[Post], Awaitable[tuple[PostTo, ResultMessage] | None]]


async def materialise_posts(uows: UnitOfWorkFactory, round_id: int, due_at: datetime) -> int:
    """One row per unit of the released round and each of its audiences; idempotent."""
    async with uows() as uow:
        found = await uow.rounds.get(round_id)
        if found is None:
            return 0
        org = await uow.organisation.load(found.tenant_id)
        channels = await uow.organisation.channels(found.tenant_id)
        units = [u.unit_id for u in await uow.rounds.units(round_id)]
        rows: list[NewPost] = []
        for unit_id in sorted(units):
            for purpose in Purpose:
                where = destination(org, channels, unit_id, purpose)
                if where.channel is not None:
                    rows.append(
                        NewPost(round_id, unit_id, purpose, channel_target(where.channel), due_at)
                    )
                rows.extend(
                    NewPost(round_id, unit_id, purpose, member_target(m.id), due_at)
                    for m in where.leaders
                )
        added = await uow.posts.add_many(rows)
        await uow.commit()
    return added


@dataclass(frozen=True)
class PostReport:
    sent: int = 0
    skipped: int = 0
    retried: int = 0
    failed: int = 0


async def post_due(
    uows: UnitOfWorkFactory,
    posters: Mapping[Platform, ResultPoster],
    clock: Clock,
    render: Render,
    *,
    worker: str,
    batch: int = 20,
) -> PostReport:
    now = clock.now()
    async with uows() as uow:
        claimed = await uow.posts.claim(now, now - LEASE, batch, worker)
        await uow.commit()
    sent = skipped = retried = failed = 0
    for post in claimed:
        status, message, error = PostStatus.SENT, None, None
        rendered = await render(post)
        if rendered is None:
            status = PostStatus.SKIPPED
        else:
            to, content = rendered
            poster = posters.get(to.platform)
            if poster is None:
                status, error = PostStatus.UNREACHABLE, "no_platform"
            else:
                try:
                    message = await poster.post_result(to, content)
                except DeliveryError as exc:
                    error = exc.reason
                    if exc.permanent or post.attempts >= MAX_ATTEMPTS:
                        status = PostStatus.UNREACHABLE if exc.permanent else PostStatus.FAILED
                    else:
                        delay = exc.retry_after or min(600.0, 2.0 ** (post.attempts + 2))
                        async with uows() as uow:
                            await uow.posts.retry_later(
                                post.id, clock.now() + timedelta(seconds=delay), exc.reason
                            )
                            await uow.commit()
                        retried += 1
                        continue
        async with uows() as uow:
            await uow.posts.finish(post.id, status, message, error)
            await uow.commit()
        if status is PostStatus.SENT:
            sent += 1
        elif status is PostStatus.SKIPPED:
            skipped += 1
        else:
            failed += 1
            log.warning(
                "result post not sent",
                extra={"purpose": post.purpose.value, "status": status.value, "reason": error},
            )
    return PostReport(sent, skipped, retried, failed)
