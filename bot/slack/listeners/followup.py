"""Follow-up from Slack: "Start a measure" under a digest opens a modal (factor preselected,
the bank's suggestions offered) whose submission creates the measure and asks the unit's
verneombud for their view; "Record consultation" opens a modal whose submission appends the
verneombud's statement to the consultation log. Core decides everything (access, the survey
rule); errors come back on the modal, translated."""

from __future__ import annotations

import json
import logging
from datetime import date, timedelta
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.deps import SlackDeps, locale_of
from core.digest_service import START_MEASURE_ACTION
from core.errors import TempcheckError
from core.followup_service import SCORED_FACTORS, record_consultation
from core.i18n import t
from core.measures import (
    CONSULT_ACTION,
    MeasureInput,
    consultation_requests,
    create_measure,
    suggestions,
)
from core.messenger import DeliveryError, Platform
from core.questions import load_default_bank

log = logging.getLogger(__name__)

MEASURE_CALLBACK = "followup_measure"
CONSULT_CALLBACK = "followup_consult"
DEFAULT_DUE_DAYS = 42


def _plain(text: str, limit: int = 75) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:limit]}


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": _plain(text), "value": value}


def _input(block_id: str, label: str, element: dict[str, Any], optional: bool) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": _plain(label, 2000),
        "element": {**element, "action_id": "value"},
    }


def measure_modal(unit_id: int, factor: str | None, locale: str, today: date) -> dict[str, Any]:
    bank = load_default_bank()
    names = {f.id: f.name.get(locale) or f.id for f in bank.factors}
    factors = [_option(names.get(f, f), f) for f in SCORED_FACTORS]
    chosen = factor if factor in SCORED_FACTORS else None
    factor_element: dict[str, Any] = {"type": "static_select", "options": factors}
    if chosen:
        factor_element["initial_option"] = _option(names.get(chosen, chosen), chosen)
    blocks = [_input("factor", t("followup.chat.factor", locale), factor_element, False)]
    offered = suggestions(chosen, locale, bank) if chosen else ()
    if offered:
        blocks.append(
            _input(
                "suggestion",
                t("followup.chat.suggestion", locale),
                {
                    "type": "static_select",
                    "placeholder": _plain(t("followup.chat.suggestion_hint", locale)),
                    "options": [_option(s.text, str(i)) for i, s in enumerate(offered)],
                },
                True,
            )
        )
    blocks += [
        _input("title", t("followup.chat.title", locale), {"type": "plain_text_input"}, True),
        _input(
            "due",
            t("followup.chat.due", locale),
            {
                "type": "datepicker",
                "initial_date": (today + timedelta(days=DEFAULT_DUE_DAYS)).isoformat(),
            },
            False,
        ),
        _input("effect", t("followup.chat.effect", locale), {"type": "plain_text_input"}, True),
    ]
    return {
        "type": "modal",
        "callback_id": MEASURE_CALLBACK,
        "private_metadata": json.dumps({"unit": unit_id, "factor": chosen or ""}),
        "title": _plain(t("followup.chat.measure_modal_title", locale), 24),
        "submit": _plain(t("followup.chat.submit", locale), 24),
        "close": _plain(t("followup.chat.cancel", locale), 24),
        "blocks": blocks,
    }


def consult_modal(subject: str, subject_id: int, locale: str) -> dict[str, Any]:
    positions = [_option(t(f"followup.position.{p}", locale), p) for p in ("agree", "disagree")]
    return {
        "type": "modal",
        "callback_id": CONSULT_CALLBACK,
        "private_metadata": json.dumps({"subject": subject, "id": subject_id}),
        "title": _plain(t("followup.chat.consult_modal_title", locale), 24),
        "submit": _plain(t("followup.chat.submit", locale), 24),
        "close": _plain(t("followup.chat.cancel", locale), 24),
        "blocks": [
            _input(
                "position",
                t("followup.chat.position", locale),
                {"type": "radio_buttons", "options": positions},
                False,
            ),
            _input(
                "comment",
                t("followup.chat.comment", locale),
                {"type": "plain_text_input", "multiline": True},
                True,
            ),
        ],
    }


def _value(values: dict[str, Any], block: str) -> str | None:
    element = (values.get(block) or {}).get("value") or {}
    for key in ("selected_option",):
        if element.get(key):
            return str(element[key]["value"])
    for key in ("selected_date", "value"):
        if element.get(key):
            return str(element[key])
    return None


def register(app: AsyncApp, deps: SlackDeps) -> None:
    c = deps.container

    def notice(key: str, locale: str, **params: object) -> dict[str, Any]:
        """A modal that only says something (not linked, unreadable, done)."""
        return deps.blocks.message_view(t(key, locale, **params), locale)

    async def replace_with(ack: AsyncAck, key: str, locale: str, **params: object) -> None:
        await ack(response_action="update", view=notice(key, locale, **params))

    @app.action(START_MEASURE_ACTION)
    async def start_measure(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        found = await deps.who(body)
        locale = locale_of(found)
        trigger = body.get("trigger_id", "")
        try:
            unit_raw, _, factor = str(body["actions"][0]["value"]).partition(":")
            unit_id = int(unit_raw)
        except (KeyError, IndexError, ValueError):
            view = notice("slackui.invalid_payload", locale)
        else:
            view = measure_modal(unit_id, factor or None, locale, c.clock.now().date())
        if found is None:
            view = notice("followup.chat.not_linked", locale)
        await client.views_open(trigger_id=trigger, view=view)

    @app.view(MEASURE_CALLBACK)
    async def measure_submitted(ack: AsyncAck, body: dict[str, Any]) -> None:
        found = await deps.who(body)
        locale = locale_of(found)
        if found is None:
            await replace_with(ack, "followup.chat.not_linked", locale)
            return
        tenant, member = found
        view = body.get("view") or {}
        values = (view.get("state") or {}).get("values") or {}
        try:
            meta = json.loads(view.get("private_metadata") or "{}")
            unit_id = int(meta["unit"])
        except (KeyError, ValueError, TypeError):
            await replace_with(ack, "slackui.invalid_payload", locale)
            return
        factor = _value(values, "factor") or str(meta.get("factor") or "")
        title = (_value(values, "title") or "").strip()
        picked = _value(values, "suggestion")
        if not title and picked is not None and factor:
            offered = suggestions(factor, locale)
            title = offered[int(picked)].text if int(picked) < len(offered) else ""
        if not title:
            await ack(
                response_action="errors", errors={"title": t("followup.chat.need_title", locale)}
            )
            return
        async with c.uows() as uow:
            org = await uow.organisation.load(tenant.id)
        unit = org.unit_by_id().get(unit_id)
        due_raw = _value(values, "due")
        try:
            if unit is None or due_raw is None:
                raise TempcheckError("slackui.invalid_payload")
            measure = await create_measure(
                c.uows,
                c.clock,
                tenant_slug=tenant.slug,
                as_email=member.email,
                data=MeasureInput(
                    title=title,
                    factors=(factor,),
                    unit_path=unit.path,
                    due_on=date.fromisoformat(due_raw),
                    expected_effect=_value(values, "effect") or "",
                ),
            )
        except (TempcheckError, ValueError) as exc:
            text = (
                exc.render(locale)
                if isinstance(exc, TempcheckError)
                else t("slackui.invalid_payload", locale)
            )
            await ack(response_action="errors", errors={"title": text[:150]})
            return
        await replace_with(
            ack,
            "followup.chat.measure_created",
            locale,
            id=measure.id,
            title=measure.title,
            due=measure.due_on.isoformat(),
        )
        for to, message in consultation_requests(org, measure, c.clock.now()):
            if to.platform is not Platform.SLACK:
                continue
            try:
                await deps.messenger.post_result(to, message)
            except DeliveryError as exc:
                log.warning("consultation request not sent", extra={"reason": exc.reason})

    @app.action(CONSULT_ACTION)
    async def consult(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        found = await deps.who(body)
        locale = locale_of(found)
        trigger = body.get("trigger_id", "")
        try:
            subject, _, raw_id = str(body["actions"][0]["value"]).partition(":")
            view = consult_modal(subject, int(raw_id), locale)
        except (KeyError, IndexError, ValueError):
            view = notice("slackui.invalid_payload", locale)
        if found is None:
            view = notice("followup.chat.not_linked", locale)
        await client.views_open(trigger_id=trigger, view=view)

    @app.view(CONSULT_CALLBACK)
    async def consult_submitted(ack: AsyncAck, body: dict[str, Any]) -> None:
        found = await deps.who(body)
        locale = locale_of(found)
        if found is None:
            await replace_with(ack, "followup.chat.not_linked", locale)
            return
        tenant, member = found
        view = body.get("view") or {}
        values = (view.get("state") or {}).get("values") or {}
        try:
            meta = json.loads(view.get("private_metadata") or "{}")
            stored = await record_consultation(
                c.uows,
                c.clock,
                tenant_slug=tenant.slug,
                as_email=member.email,
                subject=str(meta["subject"]),
                subject_id=int(meta["id"]),
                position=_value(values, "position") or "",
                comment=_value(values, "comment") or "",
            )
        except (KeyError, ValueError, TypeError):
            await replace_with(ack, "slackui.invalid_payload", locale)
            return
        except TempcheckError as exc:
            await ack(response_action="errors", errors={"comment": exc.render(locale)[:150]})
            return
        await replace_with(ack, "followup.chat.consultation_recorded", locale, id=stored.id)
