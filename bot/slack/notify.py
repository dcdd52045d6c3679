"""The Slack half of ``round open --notify`` (the loop itself is core.notify)."""

from __future__ import annotations

from bot.app import Container
from bot.slack.app import build_slack
from core.messenger import Platform
from core.notify import NotifyReport, notify_members
from core.rounds import Round

__all__ = ["NotifyReport", "notify_round"]


async def notify_round(container: Container, found: Round) -> NotifyReport:
    _, deps = build_slack(container)
    return await notify_members(
        container.uows,
        deps.messenger,
        Platform.SLACK,
        found,
        lambda m: m.slack_user_id,
        lambda t: t.slack_team_id,
    )
