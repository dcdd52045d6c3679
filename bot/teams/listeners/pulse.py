"""The pulse card's Action.Submit: parse, warn about identifying comments, commit, replace
the card; and "I want to be contacted" from the help shown after a screening "yes"."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from microsoft_agents.hosting.core import TurnContext

from bot.teams.deps import TeamsDeps, locale_of
from bot.teams.listeners.replies import replace, reply
from bot.teams.parse import MissingChoice, PayloadError, parse_pulse, round_of
from bot.teams.references import Speaker
from core.comments import comment_warnings
from core.errors import TempcheckError
from core.i18n import t
from core.messenger import Platform, Recipient
from core.submission import Submission, SubmissionResult, confirmation_for

log = logging.getLogger(__name__)


async def submitted(
    deps: TeamsDeps, context: TurnContext, speaker: Speaker, value: Mapping[str, object]
) -> None:
    c = deps.container
    found = await deps.directory.who(speaker)
    locale = locale_of(found, context.activity.locale)

    async def say(text: str) -> None:
        await reply(context, deps.cards.message(text))

    if found is None:
        await say(t("teamsui.no_member", locale))
        return
    tenant, member = found
    try:
        round_id = round_of(value)
    except PayloadError:
        log.warning("unreadable pulse submission")
        await say(t("teamsui.invalid_payload", locale))
        return
    async with c.uows() as uow:
        pulse = await uow.rounds.get(round_id)
    if pulse is None or pulse.tenant_id != tenant.id:
        await say(t("slackui.no_open_round", locale))
        return
    try:
        form = parse_pulse(value, pulse)
    except MissingChoice:
        await say(t("teamsui.missing_choice", locale))
        return
    except PayloadError:
        log.warning("unreadable pulse submission")
        await say(t("teamsui.invalid_payload", locale))
        return
    if form.comment and not form.confirmed:
        async with c.uows() as uow:
            names = [m.name for m in (await uow.organisation.load(tenant.id)).active_members()]
        warnings = comment_warnings(form.comment, names)
        if warnings:
            # A reply, not an update: the pulse card keeps what the person typed and chose,
            # and no card of ours ever carries their text or values (privacy rule 12).
            await reply(context, deps.cards.comment_warning(warnings, locale))
            return
    submission = Submission(form.round_id, member.id, form.answers, form.comment, form.audience)
    to = Recipient(Platform.TEAMS, speaker.teams_tenant_id or "", member.teams_aad_id or "", locale)

    async def acknowledge(result: SubmissionResult) -> None:
        # Only now is the answer committed. The replacement is built from the outcome; the
        # help after a screening "yes" stays in this person's own 1:1 chat.
        await replace(context, deps.cards.thanks(confirmation_for(result), locale))

    try:
        await c.answer(deps.messenger, submission, to, None, acknowledge)
    except TempcheckError as exc:
        await say(exc.render(locale))


async def contact_me(deps: TeamsDeps, context: TurnContext, speaker: Speaker) -> None:
    found = await deps.directory.who(speaker)
    locale = locale_of(found, context.activity.locale)
    if found is None:
        await reply(context, deps.cards.message(t("teamsui.no_member", locale)))
        return
    tenant, member = found
    c = deps.container
    async with c.uows() as uow:
        await uow.organisation.add_contact_request(tenant.id, member.id, c.clock.now())
        await uow.commit()
    log.info("contact request registered", extra={"tenant_id": tenant.id})
    await replace(context, deps.cards.contact_registered(locale))
