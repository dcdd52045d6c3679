"""The pulse modal's submission: parse, warn about identifying comments, commit, thank."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.slack.blocks import (
    AUDIENCE_BLOCK,
    COMMENT_BLOCK,
    CONFIRM_BLOCK,
    ITEM_PREFIX,
    PREFER_NOT,
    PULSE_CALLBACK,
)
from bot.slack.deps import SlackDeps, locale_of
from core.comments import comment_warnings
from core.errors import TempcheckError
from core.i18n import t
from core.messenger import DeliveryError, MessageRef, Platform, Recipient
from core.submission import Submission, SubmissionResult, confirmation_for

log = logging.getLogger(__name__)


class PayloadError(ValueError):
    """The submitted view is not shaped like our modal."""


def _selected(block: Mapping[str, Any]) -> str | None:
    element = block.get("value") or {}
    option = element.get("selected_option")
    if option is not None:
        return str(option["value"])
    options = element.get("selected_options")
    if options is not None:
        return ",".join(str(o["value"]) for o in options)
    value = element.get("value")
    return str(value) if value is not None else None


def parse_view(view: Mapping[str, Any]) -> tuple[bool, MessageRef | None, Submission]:
    """Read our own modal back; anything else is a PayloadError (nothing is stored)."""
    try:
        meta = json.loads(view["private_metadata"])
        round_id = int(meta["round"])
        values: Mapping[str, Mapping[str, Any]] = view["state"]["values"]
        answers: dict[str, int | None] = {}
        for block_id, block in values.items():
            if not block_id.startswith(ITEM_PREFIX):
                continue
            chosen = _selected(block)
            if chosen is None:
                raise PayloadError(f"no choice in {block_id}")
            answers[block_id.removeprefix(ITEM_PREFIX)] = (
                None if chosen == PREFER_NOT else int(chosen)
            )
        comment = _selected(values.get(COMMENT_BLOCK, {}))
        audience = _selected(values.get(AUDIENCE_BLOCK, {}))
        confirmed = _selected(values.get(CONFIRM_BLOCK, {})) == "send"
    except (KeyError, TypeError, ValueError, json.JSONDecodeError) as exc:
        raise PayloadError(type(exc).__name__) from None
    channel, ts = str(meta.get("channel", "")), str(meta.get("ts", ""))
    message = MessageRef(channel, ts) if channel and ts else None
    submission = Submission(round_id, 0, answers, comment or None, audience)
    return confirmed, message, submission


def register(app: AsyncApp, deps: SlackDeps) -> None:
    @app.view(PULSE_CALLBACK)
    async def submitted(ack: AsyncAck, body: dict[str, Any]) -> None:
        c = deps.container
        found = await deps.who(body)
        locale = locale_of(found)

        async def show(text: str) -> None:
            await ack(response_action="update", view=deps.blocks.message_view(text, locale))

        if found is None:
            await show(t("slackui.no_member", locale))
            return
        tenant, member = found
        try:
            confirmed, message, parsed = parse_view(body.get("view") or {})
        except PayloadError:
            log.warning("unreadable pulse submission")
            await show(t("slackui.invalid_payload", locale))
            return
        if parsed.comment and not confirmed:
            async with c.uows.read_only() as uow:
                names = [m.name for m in (await uow.organisation.load(tenant.id)).active_members()]
            warnings = comment_warnings(parsed.comment, names)
            if warnings:
                await ack(
                    response_action="errors",
                    errors={COMMENT_BLOCK: deps.blocks.comment_warning(warnings, locale)},
                )
                return
        submission = Submission(
            parsed.round_id, member.id, parsed.answers, parsed.comment, parsed.audience
        )
        team = (body.get("team") or {}).get("id") or tenant.slack_team_id or ""
        to = Recipient(Platform.SLACK, str(team), member.slack_user_id or "", locale)

        async def acknowledge(result: SubmissionResult) -> None:
            await ack(
                response_action="update",
                view=deps.blocks.thanks_view(confirmation_for(result), locale),
            )

        try:
            await c.answer(deps.messenger, submission, to, message, acknowledge)
        except TempcheckError as exc:
            await show(exc.render(locale))
        except DeliveryError as exc:
            # The answer is committed and the person has seen "thanks"; only the DM update
            # failed. Logged without identities.
            log.warning("confirmation update failed", extra={"reason": exc.reason})
