"""Button presses: "Answer (1 min)" opens the pulse modal; "I want to be contacted"."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.blocks import CONTACT_ACTION, OPEN_ACTION
from bot.slack.deps import SlackDeps, locale_of
from core.i18n import t
from core.submission import has_answered

log = logging.getLogger(__name__)


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.action(OPEN_ACTION)
    async def open_pulse(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        c = deps.container
        found = await deps.who(body)
        locale = locale_of(found)
        trigger = body.get("trigger_id", "")
        if found is None:
            await client.views_open(
                trigger_id=trigger,
                view=deps.blocks.message_view(t("slackui.no_member", locale), locale),
            )
            return
        tenant, member = found
        try:
            round_id = int(body["actions"][0]["value"])
        except (KeyError, IndexError, TypeError, ValueError):
            await client.views_open(
                trigger_id=trigger,
                view=deps.blocks.message_view(t("slackui.invalid_payload", locale), locale),
            )
            return
        async with c.uows.read_only() as uow:
            pulse = await uow.rounds.get(round_id)
            entry = await uow.rounds.member(round_id, member.id) if pulse else None
            stored = await uow.questions.by_id(pulse.question_set_id) if pulse else None
        asked = entry is not None
        if pulse is None or stored is None or pulse.tenant_id != tenant.id or not asked:
            text = t("slackui.no_open_round", locale)
        elif not pulse.accepts_answers(c.clock.now()):
            text = t("submission.round_closed", locale)
        elif await has_answered(c.uows, c.keys, round_id, member.id, c.sheets):
            text = t("slackui.already_answered", locale)
        else:
            container = body.get("container") or {}
            metadata = {
                "round": str(round_id),
                "channel": str(container.get("channel_id", "")),
                "ts": str(container.get("message_ts", "")),
            }
            view = deps.blocks.pulse_modal(pulse, stored.question_set, locale, metadata)
            await client.views_open(trigger_id=trigger, view=view)
            return
        await client.views_open(trigger_id=trigger, view=deps.blocks.message_view(text, locale))

    @app.action(CONTACT_ACTION)
    async def contact_me(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        found = await deps.who(body)
        locale = locale_of(found)
        if found is None:
            text = t("slackui.no_member", locale)
        else:
            tenant, member = found
            c = deps.container
            async with c.uows() as uow:
                await uow.organisation.add_contact_request(tenant.id, member.id, c.clock.now())
                await uow.commit()
            log.info("contact request registered", extra={"tenant_id": tenant.id})
            text = t("slackui.contact_registered", locale)
        view_id = (body.get("view") or {}).get("id")
        if view_id:
            await client.views_update(view_id=view_id, view=deps.blocks.message_view(text, locale))
