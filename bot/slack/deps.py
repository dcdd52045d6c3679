"""What the Slack listeners share: the container, the blocks, the messenger, and looking up
who is talking (tenant by Slack team, member by Slack user id)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.app import Container
from bot.slack.blocks import SlackBlocks
from bot.slack.messenger import SlackMessenger
from core.i18n import DEFAULT_LOCALE
from core.organisation import Member, Tenant


@dataclass
class SlackDeps:
    container: Container
    blocks: SlackBlocks
    messenger: SlackMessenger
    default_tenant: str

    async def who(self, body: dict[str, Any]) -> tuple[Tenant, Member] | None:
        user = body.get("user") or {}
        user_id = user.get("id") or body.get("user_id") or (body.get("event") or {}).get("user")
        team_id = (body.get("team") or {}).get("id") or user.get("team_id") or body.get("team_id")
        if not isinstance(user_id, str):
            return None
        async with self.container.uows() as uow:
            tenant = None
            if isinstance(team_id, str):
                tenant = await uow.organisation.tenant_for_slack_team(team_id)
            if tenant is None:
                tenant = await uow.organisation.get_tenant(self.default_tenant)
            if tenant is None:
                return None
            member = await uow.organisation.member_by_slack_id(tenant.id, user_id)
        if member is None or not member.active:
            return None
        return tenant, member


def locale_of(found: tuple[Tenant, Member] | None, fallback: str = DEFAULT_LOCALE) -> str:
    return found[1].locale if found else fallback
