"""/tempcheck help | privacy | status | help-contacts (answered privately, ephemeral)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.slack.blocks import Block
from bot.slack.deps import SlackDeps, locale_of
from core.i18n import t
from core.results import latest_results_for


async def results_blocks_for(
    deps: SlackDeps, tenant_id: int, member_id: int, locale: str, purpose: str
) -> list[Block] | None:
    c = deps.container
    scoped = await latest_results_for(c.uows, c.clock, tenant_id, member_id, purpose=purpose)
    if scoped is None:
        return None
    async with c.uows() as uow:
        stored = await uow.questions.by_id(scoped.round.question_set_id)
    qs = stored.question_set if stored else None
    return deps.blocks.results_blocks(
        scoped.cells, scoped.unit_paths, qs, scoped.round.period, locale
    )


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.command("/tempcheck")
    async def tempcheck(ack: AsyncAck, body: dict[str, Any]) -> None:
        found = await deps.who(body)
        locale = locale_of(found)
        words = str(body.get("text", "")).strip().lower().split()
        command = words[0] if words else "help"
        blocks: list[Block] | None
        if command == "help":
            text = t("slackui.command_help", locale)
            blocks = None
        elif command == "privacy":
            text = t("slackui.command_privacy", locale, url=deps.blocks.public_url)
            blocks = None
        elif command in ("help-contacts", "hjelp"):
            text = deps.blocks.help_text[locale]
            blocks = deps.blocks.help_blocks(locale, offer_contact=False)
        elif command == "status":
            blocks = None
            if found is not None:
                blocks = await results_blocks_for(
                    deps, found[0].id, found[1].id, locale, "slack status"
                )
            text = t("slackui.status_none", locale) if blocks is None else ""
        else:
            text = t("slackui.command_unknown", locale, command=command[:40])
            blocks = None
        if blocks:
            await ack(response_type="ephemeral", text=text or "tempcheck", blocks=blocks)
        else:
            await ack(response_type="ephemeral", text=text)
