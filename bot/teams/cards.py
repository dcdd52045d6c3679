"""Adaptive Cards (version 1.5) built by pure functions: values in, dicts out.

Nothing here takes an answer value. The pulse card carries the questions and empty inputs;
the "answered, thanks" card is built from the outcome only, so the card that replaces the
pulse in the chat can never echo what was answered (privacy rule 12).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core.anonymity.release import CellRelease
from core.comments import CommentWarning
from core.i18n import t
from core.messenger import Confirmation, ConfirmationKind, Invitation
from core.posts import MessageAction
from core.questions import QuestionSet
from core.rounds import Round
from core.submission import AUDIENCES, DEFAULT_AUDIENCE, MAX_COMMENT_CHARS

Card = dict[str, Any]
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.5"
#: Marks our own Action.Submit data: {"tempcheck": SUBMIT, "round": id} …
ACTION_KEY = "tempcheck"
SUBMIT = "submit"
CONTACT = "contact"
PREFER_NOT = "none"
ITEM_PREFIX = "item:"
COMMENT_ID = "comment"
AUDIENCE_ID = "audience"
CONFIRM_ID = "confirm_comment"
CONFIRM_ON = "send"
TEXT_LIMIT = 4000

_BOLD = re.compile(r"(?<![*\w])\*(?!\s)([^*\n]+?)\*(?![*\w])")
_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>")


def from_mrkdwn(text: str) -> str:
    """Slack mrkdwn (the help file's format) to the Markdown subset Teams renders:
    ``*bold*`` → ``**bold**``, ``<url|label>`` → ``[label](url)``, "• " bullets → "- "."""
    text = _LINK.sub(r"[\2](\1)", text)
    text = _BOLD.sub(r"**\1**", text)
    return "\n".join(
        "- " + line[2:] if line.startswith("• ") else line for line in text.split("\n")
    )


def text_block(text: str, **extra: Any) -> Card:
    return {"type": "TextBlock", "text": text[:TEXT_LIMIT], "wrap": True, **extra}


def adaptive_card(body: list[Card], actions: list[Card] | None = None) -> Card:
    card: Card = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "body": body,
    }
    if actions:
        card["actions"] = actions
    return card


def attachment(card: Card) -> Card:
    return {"contentType": CARD_CONTENT_TYPE, "content": card}


def _choice_set(item_id: str, label: str, choices: list[Card], locale: str) -> Card:
    return {
        "type": "Input.ChoiceSet",
        "id": item_id,
        "label": label,
        "style": "expanded",
        "isRequired": True,
        "errorMessage": t("teamsui.required", locale),
        "choices": choices,
    }


@dataclass(frozen=True)
class TeamsCards:
    """Every card the Teams adapter sends."""

    public_url: str
    help_text: dict[str, str]  # locale -> Slack mrkdwn (bot/help.py); converted for Teams

    def privacy_link(self, locale: str) -> Card:
        return text_block(
            t("teamsui.privacy_link", locale, url=f"{self.public_url}/privacy"),
            isSubtle=True,
            size="Small",
        )

    # --- the pulse ----------------------------------------------------------------------
    def pulse(
        self, key: str, invitation: Invitation, found: Round, qs: QuestionSet, locale: str
    ) -> Card:
        """The invitation (``teamsui.invite``) or reminder (``teamsui.remind``) card: the
        questions themselves, answered in place; nothing preselected."""
        body: list[Card] = [
            text_block(t(key, locale, items=invitation.items, closes=invitation.closes_at_text)),
            text_block(t("slackui.modal_intro", locale), isSubtle=True),
        ]
        for asked in found.items:
            item = qs.item(asked.item_key)
            scale = qs.scale_of(item)
            choices = [
                {"title": label if item.sensitive else f"{value}  {label}", "value": str(value)}
                for value, label in enumerate(scale.labels[locale], start=1)
            ]
            choices.append({"title": scale.prefer_not[locale], "value": PREFER_NOT})
            body.append(
                _choice_set(f"{ITEM_PREFIX}{asked.item_key}", item.text[locale], choices, locale)
            )
        body += self._comment_inputs(locale)
        body.append(self.privacy_link(locale))
        submit = {
            "type": "Action.Submit",
            "title": t("slackui.submit", locale),
            "style": "positive",
            "data": {ACTION_KEY: SUBMIT, "round": invitation.round_id},
        }
        return adaptive_card(body, [submit])

    def _comment_inputs(self, locale: str) -> list[Card]:
        return [
            {
                "type": "Input.Text",
                "id": COMMENT_ID,
                "label": t("slackui.comment_label", locale),
                "placeholder": t("teamsui.comment_placeholder", locale),
                "isMultiline": True,
                "maxLength": MAX_COMMENT_CHARS,
            },
            text_block(t("slackui.comment_hint", locale), isSubtle=True, size="Small"),
            {
                "type": "Input.ChoiceSet",
                "id": AUDIENCE_ID,
                "label": t("slackui.audience_label", locale),
                "style": "compact",
                "value": DEFAULT_AUDIENCE,
                "choices": [
                    {"title": t(f"slackui.audience.{a}", locale), "value": a} for a in AUDIENCES
                ],
            },
            {
                "type": "Input.Toggle",
                "id": CONFIRM_ID,
                "title": t("slackui.confirm_label", locale),
                "valueOn": CONFIRM_ON,
                "valueOff": "",
                "value": "",
            },
        ]

    # --- after submitting -----------------------------------------------------------------
    def confirmation(self, confirmation: Confirmation, locale: str) -> Card:
        """Replaces the pulse card: the same whatever was answered, never a value."""
        key = (
            "slackui.answered"
            if confirmation.kind is ConfirmationKind.ANSWERED
            else "slackui.already_answered"
        )
        return adaptive_card([text_block(t(key, locale)), self.privacy_link(locale)])

    def thanks(self, confirmation: Confirmation, locale: str) -> Card:
        """What the person sees right after submitting, in their 1:1 chat with the app: the
        confirmation, plus the help and "I want to be contacted" after a screening "yes"."""
        card = self.confirmation(confirmation, locale)
        if confirmation.show_help:
            body, actions = self.help_parts(locale, offer_contact=True)
            card["body"] += body
            card["actions"] = actions
        return card

    def help_parts(self, locale: str, *, offer_contact: bool) -> tuple[list[Card], list[Card]]:
        body = [text_block(from_mrkdwn(self.help_text[locale]), separator=True)]
        actions: list[Card] = []
        if offer_contact:
            body.append(text_block(t("slackui.contact_explained", locale), isSubtle=True))
            actions.append(
                {
                    "type": "Action.Submit",
                    "title": t("slackui.contact_button", locale),
                    "data": {ACTION_KEY: CONTACT},
                }
            )
        return body, actions

    def help_card(self, locale: str) -> Card:
        body, _ = self.help_parts(locale, offer_contact=False)
        return adaptive_card(body)

    def contact_registered(self, locale: str) -> Card:
        """Replaces the help card once the request exists (the help stays readable)."""
        body, _ = self.help_parts(locale, offer_contact=False)
        return adaptive_card([*body, text_block(t("slackui.contact_registered", locale))])

    def comment_warning(self, warnings: Sequence[CommentWarning], locale: str) -> Card:
        """Sent as a reply; the pulse card keeps the person's input exactly as typed."""
        kinds = ", ".join(t(f"slackui.warning.{w.value}", locale) for w in warnings)
        return adaptive_card([text_block(t("teamsui.warning_card", locale, kinds=kinds))])

    def message(self, text: str) -> Card:
        return adaptive_card([text_block(text)])

    # --- results ------------------------------------------------------------------------
    def results(
        self,
        cells: Sequence[CellRelease],
        names: dict[str, str],
        qs: QuestionSet | None,
        period: str,
        locale: str,
    ) -> Card:
        if not cells:
            return self.message(t("slackui.results_none", locale, period=period))
        lines = []
        for cell in cells:
            factor = qs.factor(cell.metric).name[locale] if qs else cell.metric
            value = cell.prevalence if cell.prevalence is not None else cell.score
            band = f" ({cell.band[0]}–{cell.band[1]})" if cell.band else ""
            lines.append(
                f"- **{names.get(cell.unit, cell.unit)}** · {factor}: {value}{band}"
                f" · {t('slackui.n_band', locale, band=cell.n_band or '-')}"
            )
        head = from_mrkdwn(t("slackui.results_head", locale, period=period))
        return adaptive_card([text_block(head), text_block("\n".join(lines))])

    def digest(
        self,
        text: str,
        png_data_uri: str | None,
        alt: str,
        actions: Sequence[MessageAction] = (),
    ) -> Card:
        body = [text_block(from_mrkdwn(text))]
        if png_data_uri is not None:
            body.append({"type": "Image", "url": png_data_uri, "altText": alt, "size": "Stretch"})
        buttons = [
            {
                "type": "Action.Submit",
                "title": a.label,
                "data": {ACTION_KEY: a.action_id, "value": a.value},
            }
            for a in actions
        ]
        return adaptive_card(body, buttons or None)
