"""Match roster members to Slack users by e-mail (``tempcheck org sync-slack``).

Lookups run one at a time: ``users.lookupByEmail`` is Tier 3 (~50/min). We do not pace
ahead of time; Slack says when to slow down with a 429 and its ``Retry-After``, which the
shared retry policy waits out through the injected ``sleep``.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import dataclass, replace

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.messenger import SlackRetry, Sleep
from core.clock import Clock, SystemClock
from core.errors import TempcheckError
from core.messenger import DeliveryError
from core.organisation import Member
from core.ports import UnitOfWorkFactory
from core.question_sets import require_tenant

log = logging.getLogger("bot.slack.directory")

#: lookupByEmail answers: nobody in this workspace has that e-mail (or may be seen by us).
NOT_FOUND = frozenset({"users_not_found", "user_not_found"})


@dataclass(frozen=True)
class SyncResult:
    matched: int  # members that got their Slack id now
    already: int  # active members that had one before
    unmatched: tuple[str, ...]  # e-mails Slack does not know (or only as a deactivated user)
    conflicts: tuple[str, ...]  # e-mails whose Slack id another member already holds


async def _lookup(retry: SlackRetry, client: AsyncWebClient, email: str) -> str | None:
    try:
        response = await retry.call(
            "slack", "users.lookupByEmail", lambda: client.users_lookupByEmail(email=email)
        )
    except DeliveryError as exc:
        if exc.permanent and exc.reason in NOT_FOUND:
            return None
        raise TempcheckError("slack.sync.failed", error=exc.reason) from None
    user = response.get("user") or {}
    if not isinstance(user, dict) or user.get("deleted") or user.get("is_bot"):
        return None
    user_id = user.get("id")
    return str(user_id) if user_id else None


async def sync_slack_users(
    uows: UnitOfWorkFactory,
    client: AsyncWebClient,
    *,
    tenant_slug: str,
    sleep: Sleep = asyncio.sleep,
    max_attempts: int = 5,
    rng: random.Random | None = None,
    clock: Clock | None = None,
    actor: str = "slack:sync",
) -> SyncResult:
    """Give every active member without a Slack id the id Slack has for their e-mail.

    Lookups happen outside any transaction (they take a while); the ids are written in one
    unit of work against a fresh load, so a member changed meanwhile is not overwritten and
    an id held by another member (active or not) is reported as a conflict.
    """
    retry = SlackRetry(sleep=sleep, max_attempts=max_attempts, rng=rng)
    async with uows() as uow:
        tenant = await require_tenant(uow, tenant_slug)
        before = await uow.organisation.load(tenant.id)
    active = before.active_members()
    already = sum(1 for m in active if m.slack_user_id)
    found: dict[int, str] = {}
    unmatched: list[str] = []
    for member in active:
        if member.slack_user_id:
            continue
        slack_id = await _lookup(retry, client, member.email)
        if slack_id is None:
            unmatched.append(member.email)
        else:
            found[member.id] = slack_id

    matched = 0
    conflicts: list[str] = []
    async with uows() as uow:
        org = await uow.organisation.load(tenant.id)
        holder = {m.slack_user_id: m.id for m in org.members if m.slack_user_id}
        members: dict[int, Member] = {m.id: m for m in org.members}
        for member_id, slack_id in found.items():
            now = members.get(member_id)
            if now is None or now.slack_user_id:
                continue  # changed since the lookup: leave it as it is now
            if holder.get(slack_id, member_id) != member_id:
                conflicts.append(now.email)
                continue
            fields = replace(now.fields(), slack_user_id=slack_id)
            await uow.organisation.update_member(member_id, fields)
            holder[slack_id] = member_id
            matched += 1
        await uow.audit.record(
            tenant.id,
            (clock or SystemClock()).now(),
            actor,
            "org.sync_slack",
            {
                "matched": matched,
                "already": already,
                "unmatched": len(unmatched),
                "conflicts": len(conflicts),
            },
        )
        await uow.commit()
    log.info(
        "slack sync: %d matched, %d already, %d unmatched, %d conflicts",
        matched,
        already,
        len(unmatched),
        len(conflicts),
    )
    return SyncResult(matched, already, tuple(sorted(unmatched)), tuple(sorted(conflicts)))
