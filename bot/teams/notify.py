"""Send a round's invitations through the Teams messenger (the Teams half of
``round open --notify``). Like the Slack one, a stop-gap until the delivery outbox: one
attempt per member, failures counted, never hidden."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.teams.deps import TeamsDeps
from core.messenger import DeliveryError, Invitation, Platform, Recipient
from core.rounds import Round

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TeamsNotifyReport:
    sent: int
    unreachable: int  # permanent: no conversation reference, app removed, user gone …
    failed: int  # transient, after retries
    no_platform: int  # no Teams id (AAD object id) in the roster


async def notify_round_on_teams(deps: TeamsDeps, found: Round) -> TeamsNotifyReport:
    container = deps.container
    sent = unreachable = failed = missing = 0
    async with container.uows() as uow:
        org = await uow.organisation.load(found.tenant_id)
        snapshot = await uow.rounds.members(found.id)
    by_id = {m.id: m for m in org.members}
    workspace = org.tenant.teams_tenant_id or ""
    for entry in snapshot:
        member = by_id[entry.member_id]
        if not member.teams_aad_id:
            missing += 1
            continue
        closes = found.closes_at.astimezone(ZoneInfo(member.timezone)).strftime("%Y-%m-%d %H:%M")
        to = Recipient(Platform.TEAMS, workspace, member.teams_aad_id, member.locale)
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
    return TeamsNotifyReport(sent, unreachable, failed, missing)
