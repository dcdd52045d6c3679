"""The SDK Agent: one turn per incoming activity, dispatched to the listeners.

Every activity from a personal chat first refreshes the stored conversation reference
(installationUpdate, conversationUpdate, message), so proactive sends find the person.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from microsoft_agents.activity import ActivityTypes
from microsoft_agents.hosting.core import TurnContext

from bot.teams.cards import CONTACT, SUBMIT
from bot.teams.deps import TeamsDeps, locale_of
from bot.teams.listeners import commands, events, followup, pulse
from bot.teams.listeners.replies import reply
from bot.teams.parse import action_of
from bot.teams.references import reference_json, speaker_of
from core.digest_service import START_MEASURE_ACTION
from core.i18n import t
from core.measures import CONSULT_ACTION

log = logging.getLogger(__name__)

#: Follow-up card actions (bot/teams/listeners/followup.py), by the action key's value.
FOLLOWUP = {
    START_MEASURE_ACTION: followup.start_measure,
    followup.MEASURE_SUBMIT: followup.measure_submitted,
    CONSULT_ACTION: followup.consult,
    followup.CONSULT_SUBMIT: followup.consult_submitted,
}


class TempcheckAgent:
    def __init__(self, deps: TeamsDeps) -> None:
        self.deps = deps

    async def on_turn(self, context: TurnContext) -> None:
        activity = context.activity
        speaker = speaker_of(activity)
        kind = activity.type
        if kind in (
            ActivityTypes.message,
            ActivityTypes.installation_update,
            ActivityTypes.conversation_update,
        ):
            await self.deps.directory.remember(speaker, reference_json(activity))
            if speaker.personal:
                await self.deps.directory.link_by_email(speaker, context)
            else:
                await self.deps.directory.remember_team(speaker, activity)
        if kind == ActivityTypes.conversation_update:
            await events.conversation_update(self.deps, context, speaker)
        elif kind == ActivityTypes.message:
            value = activity.value
            if value is not None:
                action = action_of(value)
                if action == SUBMIT and isinstance(value, Mapping):
                    await pulse.submitted(self.deps, context, speaker, value)
                elif action == CONTACT:
                    await pulse.contact_me(self.deps, context, speaker)
                elif action in FOLLOWUP and isinstance(value, Mapping):
                    await FOLLOWUP[action](self.deps, context, speaker, value)
                else:
                    log.warning("unknown card action")
                    found = await self.deps.directory.who(speaker)
                    locale = locale_of(found, activity.locale)
                    await reply(
                        context, self.deps.cards.message(t("teamsui.invalid_payload", locale))
                    )
            else:
                text = activity.remove_recipient_mention() if activity.text else ""
                await commands.typed(self.deps, context, speaker, text or "")


async def on_turn_error(context: TurnContext, error: Exception) -> None:
    """The one place for unexpected errors: the type only, never the payload; the person
    gets a generic, translated answer (nothing was registered unless they were thanked)."""
    log.error("teams turn failed", extra={"error": type(error).__name__})
    activity = context.activity
    if activity.type != ActivityTypes.message:
        return
    text = t("slackui.error", locale_of(None, activity.locale))
    try:
        await context.send_activity(text)
    except Exception as exc:  # noqa: BLE001 - the error path must not raise again
        log.error("teams error reply failed", extra={"error": type(exc).__name__})
