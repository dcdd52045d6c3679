"""Send a round's invitations directly through one platform's Messenger (``round open
--notify``): one attempt per member, failures counted, never hidden. A stop-gap until the
scheduler's delivery outbox sends them; Slack and Teams share this loop."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from core.messenger import DeliveryError, Invitation, Messenger, Platform, Recipient
from core.organisation import Member, Tenant
from core.ports import UnitOfWorkFactory
from core.rounds import Round

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NotifyReport:
    sent: int
    unreachable: int  # permanent: account gone, app not installed or not allowed
    failed: int  # transient, after retries
    no_platform: int  # no id on this platform (not matched yet, or on the other one)


async def notify_members(
    uows: UnitOfWorkFactory,
    messenger: Messenger,
    platform: Platform,
    found: Round,
    ref_of: Callable[[Member], str | None],
    workspace_of: Callable[[Tenant], str | None],
) -> NotifyReport:
    sent = unreachable = failed = missing = 0
    async with uows() as uow:
        org = await uow.organisation.load(found.tenant_id)
        snapshot = await uow.rounds.members(found.id)
    by_id = {m.id: m for m in org.members}
    workspace = workspace_of(org.tenant) or ""
    for entry in snapshot:
        member = by_id[entry.member_id]
        ref = ref_of(member)
        if not ref:
            missing += 1
            continue
        closes = found.closes_at.astimezone(ZoneInfo(member.timezone)).strftime("%Y-%m-%d %H:%M")
        try:
            await messenger.send_invitation(
                Recipient(platform, workspace, ref, member.locale),
                Invitation(found.id, found.period, len(found.items), closes),
            )
            sent += 1
        except DeliveryError as exc:
            log.warning(
                "invitation not delivered", extra={"reason": exc.reason, "permanent": exc.permanent}
            )
            if exc.permanent:
                unreachable += 1
            else:
                failed += 1
    return NotifyReport(sent, unreachable, failed, missing)
