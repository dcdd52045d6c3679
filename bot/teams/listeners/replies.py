"""Answering within a turn: a new card, or a card replacing the one the person acted on."""

from __future__ import annotations

import logging

import aiohttp
from microsoft_agents.hosting.core import TurnContext

from bot.teams.cards import Card
from bot.teams.messenger import card_activity

log = logging.getLogger(__name__)


async def reply(context: TurnContext, card: Card) -> None:
    await context.send_activity(card_activity(card))


async def replace(context: TurnContext, card: Card) -> None:
    """Replace the card whose Action.Submit started this turn (Teams sets replyToId to it);
    post the card instead when there is none or Teams refuses the update."""
    target = context.activity.reply_to_id
    if target:
        try:
            await context.update_activity(card_activity(card, target))
            return
        except aiohttp.ClientResponseError as exc:
            log.warning("card update failed, posting instead", extra={"status": exc.status})
    await reply(context, card)
