"""Which items a round asks: every scored factor's anchor once per cycle, the screening
items spread over the cycle, rotating items filling the rest.

The plan depends only on the question set and the round's index, never on who is asked,
so every member of a unit gets the same items in a round (privacy.md rule 6).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.questions import QuestionSet

DEFAULT_CYCLE_LENGTH = 4
DEFAULT_MAX_ITEMS = 5
HARD_MAX_ITEMS = 5
MIN_ITEMS = 3


class RotationError(ValueError):
    """The cycle cannot fit every anchor within the item limit."""


@dataclass(frozen=True)
class PlannedRound:
    index: int  # 0-based round number since the unit started
    position: int  # position in the cycle, 0 .. cycle_length-1
    items: tuple[str, ...]


def _check(qs: QuestionSet, cycle_length: int, max_items: int) -> None:
    if not MIN_ITEMS <= max_items <= HARD_MAX_ITEMS:
        raise RotationError(
            f"items per round must be {MIN_ITEMS}–{HARD_MAX_ITEMS}, got {max_items}"
        )
    if cycle_length < 1:
        raise RotationError("the cycle needs at least one round")
    anchors = sum(1 for f in qs.scored_factors() if qs.anchor_of(f.id) is not None)
    screening = 1 if qs.sensitive_items() else 0
    per_round = -(-anchors // cycle_length)
    if per_round + screening > max_items:
        raise RotationError(
            f"{anchors} anchors over {cycle_length} rounds need {per_round + screening} items "
            f"per round, more than the limit of {max_items}; lengthen the cycle"
        )


def plan_round(
    qs: QuestionSet,
    index: int,
    cycle_length: int = DEFAULT_CYCLE_LENGTH,
    max_items: int = DEFAULT_MAX_ITEMS,
) -> PlannedRound:
    _check(qs, cycle_length, max_items)
    position = index % cycle_length
    anchors = [
        anchor.id
        for i, factor in enumerate(qs.scored_factors())
        if i % cycle_length == position and (anchor := qs.anchor_of(factor.id)) is not None
    ]
    sensitive = qs.sensitive_items()
    screening = [s.id for i, s in enumerate(sensitive) if i % cycle_length == position][:1]
    rotating = [i.id for i in qs.items if not i.anchor and not i.sensitive]
    chosen_factors = {qs.item(a).factor for a in anchors}
    fill: list[str] = []
    room = max_items - len(anchors) - len(screening)
    if rotating and room > 0:
        # Walk the rotating items from a point that moves each round, skipping factors the
        # round already measures, so over the weeks every rotating item gets its turn.
        start = (index * room) % len(rotating)
        for step in range(len(rotating)):
            candidate = rotating[(start + step) % len(rotating)]
            factor = qs.item(candidate).factor
            if factor in chosen_factors:
                continue
            fill.append(candidate)
            chosen_factors.add(factor)
            if len(fill) == room:
                break
    return PlannedRound(index, position, tuple(anchors + fill + screening))


def plan_rounds(
    qs: QuestionSet,
    count: int,
    start_index: int = 0,
    cycle_length: int = DEFAULT_CYCLE_LENGTH,
    max_items: int = DEFAULT_MAX_ITEMS,
) -> tuple[PlannedRound, ...]:
    return tuple(
        plan_round(qs, i, cycle_length, max_items) for i in range(start_index, start_index + count)
    )
