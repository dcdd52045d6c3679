"""Installation and membership: remember where each person can be reached, and greet."""

from __future__ import annotations

from microsoft_agents.hosting.core import TurnContext

from bot.teams.deps import TeamsDeps, locale_of
from bot.teams.listeners.replies import reply
from bot.teams.references import Speaker, team_update
from core.i18n import t


async def conversation_update(deps: TeamsDeps, context: TurnContext, speaker: Speaker) -> None:
    activity = context.activity
    added = activity.members_added or []
    bot_id = activity.recipient.id if activity.recipient else None
    if not added or not any(m.id == bot_id for m in added):
        return
    if not speaker.personal:
        # Added to a team: say, in its General channel, how results get posted here.
        update = team_update(activity)
        if update.seen:
            locale = locale_of(None, activity.locale)
            text = t("teamsui.team_welcome", locale, channel=update.seen[0].channel_id)
            await reply(context, deps.cards.message(text))
        return
    # The app was just added to this person's chat: say hello once.
    found = await deps.directory.who(speaker)
    locale = locale_of(found, activity.locale)
    await reply(context, deps.cards.message(t("teamsui.welcome", locale)))
