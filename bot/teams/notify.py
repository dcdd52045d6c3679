"""The Teams half of ``round open --notify`` (the loop itself is core.notify)."""

from __future__ import annotations

from bot.teams.deps import TeamsDeps
from core.messenger import Platform
from core.notify import NotifyReport, notify_members
from core.rounds import Round

TeamsNotifyReport = NotifyReport


async def notify_round_on_teams(deps: TeamsDeps, found: Round) -> NotifyReport:
    return await notify_members(
        deps.container.uows,
        deps.messenger,
        Platform.TEAMS,
        found,
        lambda m: m.teams_aad_id,
        lambda t: t.teams_tenant_id,
    )
