"""Read our own pulse card back from a message activity's ``value`` (Action.Submit data
merged with the card's inputs). Anything else is a PayloadError and nothing is stored."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.teams.cards import (
    ACTION_KEY,
    AUDIENCE_ID,
    COMMENT_ID,
    CONFIRM_ID,
    CONFIRM_ON,
    ITEM_PREFIX,
    PREFER_NOT,
)
from core.rounds import Round


class PayloadError(ValueError):
    """The value is not shaped like our card's submit."""


class MissingChoice(PayloadError):
    """A question of the card was left unanswered (older clients skip isRequired)."""


@dataclass(frozen=True)
class PulseForm:
    round_id: int
    answers: dict[str, int | None]
    comment: str | None
    audience: str | None
    confirmed: bool


def action_of(value: object) -> str | None:
    if isinstance(value, Mapping):
        action = value.get(ACTION_KEY)
        return action if isinstance(action, str) else None
    return None


def round_of(value: Mapping[str, object]) -> int:
    raw = value.get("round")
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise PayloadError("round")
    try:
        return int(raw)
    except ValueError:
        raise PayloadError("round") from None


def _optional_text(value: Mapping[str, object], key: str) -> str | None:
    raw = value.get(key)
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise PayloadError(key)
    return raw if raw.strip() else None


def parse_pulse(value: Mapping[str, object], found: Round) -> PulseForm:
    """Answers for exactly the round's items; extra ``item:`` keys are refused."""
    round_id = round_of(value)
    asked = {i.item_key for i in found.items}
    given = {k.removeprefix(ITEM_PREFIX) for k in value if k.startswith(ITEM_PREFIX)}
    if given - asked:
        raise PayloadError("unknown item")
    answers: dict[str, int | None] = {}
    for key in sorted(asked):
        raw = value.get(f"{ITEM_PREFIX}{key}")
        if raw is None or raw == "":
            raise MissingChoice(key)
        if raw == PREFER_NOT:
            answers[key] = None
            continue
        if not isinstance(raw, str) or not raw.isdigit():
            raise PayloadError(key)
        answers[key] = int(raw)
    return PulseForm(
        round_id=round_id,
        answers=answers,
        comment=_optional_text(value, COMMENT_ID),
        audience=_optional_text(value, AUDIENCE_ID),
        confirmed=value.get(CONFIRM_ID) == CONFIRM_ON,
    )
