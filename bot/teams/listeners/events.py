"""Installation and membership: remember where each person can be reached, and greet."""

from __future__ import annotations

from microsoft_agents.hosting.core import TurnContext

from bot.teams.deps import TeamsDeps, locale_of
from bot.teams.listeners.replies import reply
from bot.teams.references import Speaker
from core.i18n import t


async def conversation_update(deps: TeamsDeps, context: TurnContext, speaker: Speaker) -> None:
    activity = context.activity
    added = activity.members_added or []
    bot_id = activity.recipient.id if activity.recipient else None
    if not speaker.personal or not added:
        return
    if any(m.id == bot_id for m in added):
        # The app was just added to this person's chat: say hello once.
        found = await deps.directory.who(speaker)
        locale = locale_of(found, activity.locale)
        await reply(context, deps.cards.message(t("teamsui.welcome", locale)))
