"""Typed commands in the chat with the app: help, privacy, status, help-contacts.
Anything else is free text: never stored, the reply points to the card's comment field."""

from __future__ import annotations

from microsoft_agents.hosting.core import TurnContext

from bot.teams.cards import Card, from_mrkdwn
from bot.teams.deps import TeamsDeps, locale_of
from bot.teams.listeners.replies import reply
from bot.teams.references import Speaker
from core.i18n import t
from core.results import latest_results_for

COMMANDS = ("help", "hjelp", "privacy", "personvern", "status", "help-contacts")


async def results_card_for(
    deps: TeamsDeps, tenant_id: int, member_id: int, locale: str, purpose: str
) -> Card | None:
    c = deps.container
    scoped = await latest_results_for(c.uows, c.clock, tenant_id, member_id, purpose=purpose)
    if scoped is None:
        return None
    async with c.uows() as uow:
        stored = await uow.questions.by_id(scoped.round.question_set_id)
    qs = stored.question_set if stored else None
    return deps.cards.results(scoped.cells, scoped.unit_paths, qs, scoped.round.period, locale)


def command_of(text: str) -> str | None:
    words = text.strip().lower().split()
    if len(words) == 1 and words[0].strip("/!.") in COMMANDS:
        return words[0].strip("/!.")
    return None


async def typed(deps: TeamsDeps, context: TurnContext, speaker: Speaker, text: str) -> None:
    found = await deps.directory.who(speaker)
    locale = locale_of(found, context.activity.locale)
    command = command_of(text)
    card: Card | None
    if command == "help":
        card = deps.cards.message(t("teamsui.command_help", locale))
    elif command in ("privacy", "personvern"):
        card = deps.cards.message(t("slackui.command_privacy", locale, url=deps.cards.public_url))
    elif command in ("help-contacts", "hjelp"):
        card = deps.cards.help_card(locale)
    elif command == "status":
        card = None
        if found is not None:
            card = await results_card_for(deps, found[0].id, found[1].id, locale, "teams status")
        if card is None:
            card = deps.cards.message(from_mrkdwn(t("slackui.status_none", locale)))
    else:
        # The text itself is never read further, logged or stored (privacy rule 12).
        card = deps.cards.message(t("teamsui.free_text", locale))
    await reply(context, card)
