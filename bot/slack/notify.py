"""Send a round's invitations directly through the Slack messenger (``round open --notify``).

A stop-gap until the delivery outbox (paced, exactly once across replicas) replaces it:
each call here is one attempt per member, and failures are counted, never hidden.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.app import Container
from bot.slack.app import build_slack
from core.messenger import DeliveryError, Invitation, Platform, Recipient
from core.rounds import Round

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NotifyReport:
    sent: int
    unreachable: int  # permanent: account gone, app not allowed …
    failed: int  # transient, after retries
    no_platform: int  # no Slack user id (not matched yet, or on Teams)


async def notify_round(container: Container, found: Round) -> NotifyReport:
    _, deps = build_slack(container)
    sent = unreachable = failed = missing = 0
    async with container.uows() as uow:
        org = await uow.organisation.load(found.tenant_id)
        snapshot = await uow.rounds.members(found.id)
    by_id = {m.id: m for m in org.members}
    team = org.tenant.slack_team_id or ""
    for entry in snapshot:
        member = by_id[entry.member_id]
        if not member.slack_user_id:
            missing += 1
            continue
        closes = found.closes_at.astimezone(ZoneInfo(member.timezone)).strftime("%Y-%m-%d %H:%M")
        to = Recipient(Platform.SLACK, team, member.slack_user_id, member.locale)
        try:
            await deps.messenger.send_invitation(
                to, Invitation(found.id, found.period, len(found.items), closes)
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
