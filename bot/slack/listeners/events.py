"""Events: App Home, and free text sent as a DM (never stored; the bot points to the form)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncSay
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.deps import SlackDeps, locale_of
from bot.slack.listeners.commands import results_blocks_for
from core.i18n import t
from core.results import open_round_for_member

log = logging.getLogger(__name__)


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.event("app_home_opened")
    async def home(event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        found = await deps.who(body)
        locale = locale_of(found)
        next_pulse = None
        results = None
        if found is not None:
            tenant, member = found
            c = deps.container
            pulse = await open_round_for_member(c.uows, c.clock, tenant.id, member.id)
            if pulse is not None:
                closes = pulse.closes_at.isoformat(timespec="minutes")
                next_pulse = t("slackui.home_next", locale, closes=closes)
            results = await results_blocks_for(deps, tenant.id, member.id, locale, "app home")
        await client.views_publish(
            user_id=event.get("user", ""), view=deps.blocks.home_view(locale, next_pulse, results)
        )

    @app.event("message")
    async def direct_message(event: dict[str, Any], body: dict[str, Any], say: AsyncSay) -> None:
        # Only people writing to the bot in its DM; the text itself is never read or stored.
        if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype"):
            return
        locale = locale_of(await deps.who(body))
        await say(text=t("slackui.free_text", locale))
