"""Block Kit built by pure functions: values in, dicts out. Snapshot-tested.

Nothing here takes an answer value except the modal's own inputs, which live in the person's
private modal; DMs and their updates are built from the outcome only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from core.anonymity.release import CellRelease
from core.comments import CommentWarning
from core.i18n import t
from core.messenger import Confirmation, ConfirmationKind, Invitation
from core.questions import QuestionSet
from core.rounds import Round
from core.submission import AUDIENCES, DEFAULT_AUDIENCE

Block = dict[str, Any]
OPEN_ACTION = "tempcheck_open"
CONTACT_ACTION = "tempcheck_contact_me"
PULSE_CALLBACK = "tempcheck_pulse"
PREFER_NOT = "none"
ITEM_PREFIX = "item:"
COMMENT_BLOCK = "comment"
AUDIENCE_BLOCK = "audience"
CONFIRM_BLOCK = "confirm_comment"
TEXT_LIMIT = 3000  # Slack's limit for a section's text


def _plain(text: str, limit: int = 75) -> dict[str, Any]:
    # Slack's limits: 75 characters for buttons and options, 24 for modal titles and
    # submit/close, 2000 for input labels; longer text is refused with invalid_blocks.
    return {"type": "plain_text", "text": text[:limit], "emoji": True}


def _mrkdwn(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:TEXT_LIMIT]}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:TEXT_LIMIT]}]}


def _privacy_link(public_url: str, locale: str) -> str:
    return t("slackui.privacy_link", locale, url=f"{public_url}/privacy")


@lru_cache(maxsize=512)
def _invite_blocks(
    public_url: str, key: str, round_id: int, items: int, closes: str, locale: str
) -> tuple[str, tuple[Block, ...]]:
    text = t(key, locale, items=items, closes=closes)
    button = {
        "type": "button",
        "action_id": OPEN_ACTION,
        "style": "primary",
        "text": _plain(t("slackui.open_button", locale)),
        "value": str(round_id),
    }
    blocks = (
        _mrkdwn(text),
        {"type": "actions", "block_id": "open", "elements": [button]},
        _context(_privacy_link(public_url, locale)),
    )
    return text, blocks


@dataclass(frozen=True)
class SlackBlocks:
    """The SlackRenderer, plus the modal, App Home and command replies."""

    public_url: str
    help_text: dict[str, str]  # locale -> mrkdwn with the configured help contacts

    def _privacy_link(self, locale: str) -> str:
        return _privacy_link(self.public_url, locale)

    def invitation(self, invitation: Invitation, locale: str) -> tuple[str, list[Block]]:
        return self._invite("slackui.invite", invitation, locale)

    def reminder(self, invitation: Invitation, locale: str) -> tuple[str, list[Block]]:
        return self._invite("slackui.remind", invitation, locale)

    def _invite(self, key: str, invitation: Invitation, locale: str) -> tuple[str, list[Block]]:
        # The same for everyone in a round with the same language and closing time: a
        # fan-out to thousands builds it once (the delivery key is not part of it).
        text, blocks = _invite_blocks(
            self.public_url,
            key,
            invitation.round_id,
            invitation.items,
            invitation.closes_at_text,
            locale,
        )
        return text, list(blocks)

    def confirmation(self, confirmation: Confirmation, locale: str) -> tuple[str, list[Block]]:
        # Deliberately the same whatever was answered (help is shown in the modal only).
        key = (
            "slackui.answered"
            if confirmation.kind is ConfirmationKind.ANSWERED
            else "slackui.already_answered"
        )
        text = t(key, locale)
        return text, [_mrkdwn(text), _context(self._privacy_link(locale))]

    def pulse_modal(
        self,
        found: Round,
        qs: QuestionSet,
        locale: str,
        metadata: dict[str, str],
    ) -> dict[str, Any]:
        blocks: list[Block] = [_context(t("slackui.modal_intro", locale))]
        for asked in found.items:
            item = qs.item(asked.item_key)
            scale = qs.scale_of(item)
            labels = scale.labels[locale]
            options = [
                {
                    "text": _plain(f"{value}  {label}" if not item.sensitive else label),
                    "value": str(value),
                }
                for value, label in enumerate(labels, start=1)
            ]
            options.append({"text": _plain(scale.prefer_not[locale]), "value": PREFER_NOT})
            blocks.append(
                {
                    "type": "input",
                    "block_id": f"{ITEM_PREFIX}{asked.item_key}",
                    "label": _plain(item.text[locale], 2000),
                    "element": {"type": "radio_buttons", "action_id": "value", "options": options},
                }
            )
        blocks += self._comment_blocks(locale)
        return {
            "type": "modal",
            "callback_id": PULSE_CALLBACK,
            "private_metadata": json.dumps(metadata, sort_keys=True),
            "title": _plain(t("slackui.modal_title", locale), 24),
            "submit": _plain(t("slackui.submit", locale), 24),
            "close": _plain(t("slackui.cancel", locale), 24),
            "blocks": blocks,
        }

    def _comment_blocks(self, locale: str) -> list[Block]:
        audiences = [
            {"text": _plain(t(f"slackui.audience.{a}", locale)), "value": a} for a in AUDIENCES
        ]
        default = next(o for o in audiences if o["value"] == DEFAULT_AUDIENCE)
        return [
            {
                "type": "input",
                "block_id": COMMENT_BLOCK,
                "optional": True,
                "label": _plain(t("slackui.comment_label", locale), 2000),
                "hint": _plain(t("slackui.comment_hint", locale), 2000),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "multiline": True,
                    "max_length": 2000,
                },
            },
            {
                "type": "input",
                "block_id": AUDIENCE_BLOCK,
                "optional": True,
                "label": _plain(t("slackui.audience_label", locale), 2000),
                "element": {
                    "type": "radio_buttons",
                    "action_id": "value",
                    "options": audiences,
                    "initial_option": default,
                },
            },
            {
                "type": "input",
                "block_id": CONFIRM_BLOCK,
                "optional": True,
                "label": _plain(t("slackui.confirm_label", locale), 2000),
                "element": {
                    "type": "checkboxes",
                    "action_id": "value",
                    "options": [
                        {"text": _plain(t("slackui.confirm_option", locale)), "value": "send"}
                    ],
                },
            },
        ]

    def comment_warning(self, warnings: Sequence[CommentWarning], locale: str) -> str:
        kinds = ", ".join(t(f"slackui.warning.{w.value}", locale) for w in warnings)
        return t("slackui.comment_warning", locale, kinds=kinds)

    def thanks_view(self, confirmation: Confirmation, locale: str) -> dict[str, Any]:
        _, blocks = self.confirmation(confirmation, locale)
        if confirmation.show_help:
            blocks = [*blocks, {"type": "divider"}, *self.help_blocks(locale, offer_contact=True)]
        return {
            "type": "modal",
            "title": _plain(t("slackui.thanks_title", locale), 24),
            "close": _plain(t("slackui.close", locale), 24),
            "blocks": blocks,
        }

    def message_view(self, text: str, locale: str) -> dict[str, Any]:
        return {
            "type": "modal",
            "title": _plain(t("slackui.modal_title", locale), 24),
            "close": _plain(t("slackui.close", locale), 24),
            "blocks": [_mrkdwn(text)],
        }

    def help_blocks(self, locale: str, *, offer_contact: bool) -> list[Block]:
        blocks = [_mrkdwn(self.help_text[locale])]
        if offer_contact:
            blocks += [
                _context(t("slackui.contact_explained", locale)),
                {
                    "type": "actions",
                    "block_id": "contact",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": CONTACT_ACTION,
                            "text": _plain(t("slackui.contact_button", locale)),
                            "value": "contact",
                        }
                    ],
                },
            ]
        return blocks

    def results_blocks(
        self,
        cells: Sequence[CellRelease],
        names: dict[str, str],
        qs: QuestionSet | None,
        period: str,
        locale: str,
    ) -> list[Block]:
        if not cells:
            return [_mrkdwn(t("slackui.results_none", locale, period=period))]
        lines = []
        for cell in cells:
            factor = qs.factor(cell.metric).name[locale] if qs else cell.metric
            value = cell.prevalence if cell.prevalence is not None else cell.score
            band = f" ({cell.band[0]}–{cell.band[1]})" if cell.band else ""
            lines.append(
                f"• *{names.get(cell.unit, cell.unit)}* · {factor}: {value}{band}"
                f" · {t('slackui.n_band', locale, band=cell.n_band or '-')}"
            )
        head = t("slackui.results_head", locale, period=period)
        return [_mrkdwn(head), _mrkdwn("\n".join(lines))]

    def home_view(
        self, locale: str, next_pulse: str | None, results: list[Block] | None
    ) -> dict[str, Any]:
        blocks: list[Block] = [
            _mrkdwn(t("slackui.home_intro", locale)),
            _mrkdwn(t("slackui.home_stored", locale)),
            _mrkdwn(next_pulse or t("slackui.home_no_pulse", locale)),
            _context(self._privacy_link(locale)),
        ]
        if results:
            blocks += [{"type": "divider"}, *results]
        return {"type": "home", "blocks": blocks}
