"""Follow-up from Teams: the digest card's "Start a measure" (Action.Submit) answers with a
form card (factor preselected, the bank's suggestions, text, due date); its submission
creates the measure through core and asks the unit's verneombud, whose "Record consultation"
answers with a form card whose submission appends their statement. Errors come back as a
card, translated; nothing is stored then."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, timedelta

from microsoft_agents.hosting.core import TurnContext

from bot.teams.cards import ACTION_KEY, Card, adaptive_card, text_block
from bot.teams.deps import TeamsDeps, locale_of
from bot.teams.listeners.replies import replace, reply
from bot.teams.references import Speaker
from core.errors import TempcheckError
from core.followup_service import SCORED_FACTORS, record_consultation
from core.i18n import t
from core.measures import MeasureInput, consultation_requests, create_measure, suggestions
from core.messenger import DeliveryError, Platform
from core.questions import load_default_bank

log = logging.getLogger(__name__)

MEASURE_SUBMIT = "followup_measure_submit"
CONSULT_SUBMIT = "followup_consult_submit"
DEFAULT_DUE_DAYS = 42


def _choices(pairs: list[tuple[str, str]]) -> list[Card]:
    return [{"title": title, "value": value} for title, value in pairs]


def measure_card(unit_id: int, factor: str | None, locale: str, today: date) -> Card:
    bank = load_default_bank()
    names = {f.id: f.name.get(locale) or f.id for f in bank.factors}
    chosen = factor if factor in SCORED_FACTORS else None
    body: list[Card] = [
        text_block(t("followup.chat.measure_modal_title", locale), weight="Bolder"),
        {
            "type": "Input.ChoiceSet",
            "id": "factor",
            "label": t("followup.chat.factor", locale),
            "isRequired": True,
            "choices": _choices([(names.get(f, f), f) for f in SCORED_FACTORS]),
            **({"value": chosen} if chosen else {}),
        },
    ]
    offered = suggestions(chosen, locale, bank) if chosen else ()
    if offered:
        body.append(
            {
                "type": "Input.ChoiceSet",
                "id": "suggestion",
                "label": t("followup.chat.suggestion", locale),
                "placeholder": t("followup.chat.suggestion_hint", locale),
                "choices": _choices([(s.text, str(i)) for i, s in enumerate(offered)]),
            }
        )
    due = (today + timedelta(days=DEFAULT_DUE_DAYS)).isoformat()
    body += [
        {"type": "Input.Text", "id": "title", "label": t("followup.chat.title", locale)},
        {"type": "Input.Date", "id": "due", "label": t("followup.chat.due", locale), "value": due},
        {"type": "Input.Text", "id": "effect", "label": t("followup.chat.effect", locale)},
    ]
    submit = {
        "type": "Action.Submit",
        "title": t("followup.chat.submit", locale),
        "data": {ACTION_KEY: MEASURE_SUBMIT, "unit": unit_id},
    }
    return adaptive_card(body, [submit])


def consult_card(subject: str, subject_id: int, locale: str) -> Card:
    positions = [(t(f"followup.position.{p}", locale), p) for p in ("agree", "disagree")]
    body: list[Card] = [
        text_block(t("followup.chat.consult_modal_title", locale), weight="Bolder"),
        {
            "type": "Input.ChoiceSet",
            "id": "position",
            "style": "expanded",
            "isRequired": True,
            "label": t("followup.chat.position", locale),
            "choices": _choices(positions),
        },
        {
            "type": "Input.Text",
            "id": "comment",
            "isMultiline": True,
            "label": t("followup.chat.comment", locale),
        },
    ]
    submit = {
        "type": "Action.Submit",
        "title": t("followup.chat.submit", locale),
        "data": {ACTION_KEY: CONSULT_SUBMIT, "subject": subject, "id": subject_id},
    }
    return adaptive_card(body, [submit])


def _text(value: Mapping[str, object], key: str) -> str:
    raw = value.get(key)
    return raw.strip() if isinstance(raw, str) else ""


async def start_measure(
    deps: TeamsDeps, context: TurnContext, speaker: Speaker, value: Mapping[str, object]
) -> None:
    found = await deps.directory.who(speaker)
    locale = locale_of(found, context.activity.locale)
    unit_raw, _, factor = _text(value, "value").partition(":")
    if found is None:
        await reply(context, deps.cards.message(t("followup.chat.not_linked", locale)))
        return
    if not unit_raw.isdigit():
        await reply(context, deps.cards.message(t("teamsui.invalid_payload", locale)))
        return
    today = deps.container.clock.now().date()
    await reply(context, measure_card(int(unit_raw), factor or None, locale, today))


async def measure_submitted(
    deps: TeamsDeps, context: TurnContext, speaker: Speaker, value: Mapping[str, object]
) -> None:
    c = deps.container
    found = await deps.directory.who(speaker)
    locale = locale_of(found, context.activity.locale)
    if found is None:
        await reply(context, deps.cards.message(t("followup.chat.not_linked", locale)))
        return
    tenant, member = found
    factor = _text(value, "factor")
    title = _text(value, "title")
    picked = _text(value, "suggestion")
    if not title and picked.isdigit() and factor in SCORED_FACTORS:
        offered = suggestions(factor, locale)
        title = offered[int(picked)].text if int(picked) < len(offered) else ""
    if not title:
        await reply(context, deps.cards.message(t("followup.chat.need_title", locale)))
        return
    async with c.uows() as uow:
        org = await uow.organisation.load(tenant.id)
    unit_raw = value.get("unit")
    unit = org.unit_by_id().get(unit_raw) if isinstance(unit_raw, int) else None
    try:
        if unit is None:
            raise TempcheckError("teamsui.invalid_payload")
        measure = await create_measure(
            c.uows,
            c.clock,
            tenant_slug=tenant.slug,
            as_email=member.email,
            data=MeasureInput(
                title=title,
                factors=(factor,),
                unit_path=unit.path,
                due_on=date.fromisoformat(_text(value, "due")),
                expected_effect=_text(value, "effect"),
            ),
        )
    except TempcheckError as exc:
        await reply(context, deps.cards.message(exc.render(locale)))
        return
    except ValueError:
        await reply(context, deps.cards.message(t("teamsui.invalid_payload", locale)))
        return
    text = t(
        "followup.chat.measure_created",
        locale,
        id=measure.id,
        title=measure.title,
        due=measure.due_on.isoformat(),
    )
    await replace(context, deps.cards.message(text))
    for to, message in consultation_requests(org, measure, c.clock.now()):
        if to.platform is not Platform.TEAMS:
            continue
        try:
            await deps.messenger.post_result(to, message)
        except DeliveryError as exc:
            log.warning("consultation request not sent", extra={"reason": exc.reason})


async def consult(
    deps: TeamsDeps, context: TurnContext, speaker: Speaker, value: Mapping[str, object]
) -> None:
    found = await deps.directory.who(speaker)
    locale = locale_of(found, context.activity.locale)
    subject, _, raw_id = _text(value, "value").partition(":")
    if found is None:
        await reply(context, deps.cards.message(t("followup.chat.not_linked", locale)))
    elif not raw_id.isdigit():
        await reply(context, deps.cards.message(t("teamsui.invalid_payload", locale)))
    else:
        await reply(context, consult_card(subject, int(raw_id), locale))


async def consult_submitted(
    deps: TeamsDeps, context: TurnContext, speaker: Speaker, value: Mapping[str, object]
) -> None:
    c = deps.container
    found = await deps.directory.who(speaker)
    locale = locale_of(found, context.activity.locale)
    if found is None:
        await reply(context, deps.cards.message(t("followup.chat.not_linked", locale)))
        return
    tenant, member = found
    raw_id = value.get("id")
    if not isinstance(raw_id, int):
        await reply(context, deps.cards.message(t("teamsui.invalid_payload", locale)))
        return
    try:
        stored = await record_consultation(
            c.uows,
            c.clock,
            tenant_slug=tenant.slug,
            as_email=member.email,
            subject=_text(value, "subject"),
            subject_id=raw_id,
            position=_text(value, "position"),
            comment=_text(value, "comment"),
        )
    except TempcheckError as exc:
        await reply(context, deps.cards.message(exc.render(locale)))
        return
    text = t("followup.chat.consultation_recorded", locale, id=stored.id)
    await replace(context, deps.cards.message(text))
