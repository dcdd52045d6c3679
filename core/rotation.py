"""Which items a round asks: every scored factor's anchor once per cycle, the screening
items spread over the cycle, rotating items filling the rest.

The plan depends only on the question set and the round's index, never on who is asked,
so every member of a unit gets the same items in a round (privacy.md rule 6).
"""

from __future__ import annotations

from collections.abc import Collection
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


def _anchors_and_screening(
    qs: QuestionSet, position: int, cycle_length: int
) -> tuple[list[str], list[str]]:
    anchors = [
        anchor.id
        for i, factor in enumerate(qs.scored_factors())
        if i % cycle_length == position and (anchor := qs.anchor_of(factor.id)) is not None
    ]
    sensitive = qs.sensitive_items()
    screening = [s.id for i, s in enumerate(sensitive) if i % cycle_length == position][:1]
    return anchors, screening


def _rotating_queue(qs: QuestionSet) -> list[str]:
    """Rotating items interleaved by factor: every factor's first, then every second, …"""
    by_factor: dict[str, list[str]] = {}
    for item in qs.items:
        if not item.anchor and not item.sensitive:
            by_factor.setdefault(item.factor, []).append(item.id)
    depth = max((len(v) for v in by_factor.values()), default=0)
    return [ids[d] for d in range(depth) for ids in by_factor.values() if d < len(ids)]


def plan_round(
    qs: QuestionSet,
    index: int,
    cycle_length: int = DEFAULT_CYCLE_LENGTH,
    max_items: int = DEFAULT_MAX_ITEMS,
) -> PlannedRound:
    _check(qs, cycle_length, max_items)
    # Rotating items are handed out least-recently-asked first, skipping factors the round
    # already measures; replaying the rounds before this one keeps the plan a pure function
    # of (set, index), so it is the same for every member and every replica.
    queue = _rotating_queue(qs)
    for current in range(index + 1):
        position = current % cycle_length
        anchors, screening = _anchors_and_screening(qs, position, cycle_length)
        taken = {qs.item(a).factor for a in anchors}
        fill: list[str] = []
        for candidate in queue:
            if len(fill) == max_items - len(anchors) - len(screening):
                break
            factor = qs.item(candidate).factor
            if factor not in taken:
                fill.append(candidate)
                taken.add(factor)
        queue = [q for q in queue if q not in fill] + fill
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


def with_factors(
    qs: QuestionSet,
    planned: PlannedRound,
    factors: Collection[str],
    max_items: int = DEFAULT_MAX_ITEMS,
) -> PlannedRound:
    """The plan, made to measure ``factors`` too (follow-up measurement after a measure):
    each scored factor the plan does not ask gets its anchor item, in a free place or in
    place of a rotating item (the last first). The cycle's anchors and the screening item
    stay, so a factor that does not fit waits for the next round. Still the same items for
    everyone in the round (rule 6): the factors come from the round's unit, not a person."""
    items = list(planned.items)
    fixed = {i for i in items if qs.item(i).anchor or qs.item(i).sensitive}
    asked = {qs.item(i).factor for i in items}
    scored = {f.id for f in qs.scored_factors()}
    for factor in sorted(set(factors) & scored - asked):
        anchor = qs.anchor_of(factor) or next(iter(qs.items_of(factor)), None)
        if anchor is None:
            continue
        if len(items) < max_items:
            screening = [i for i in items if qs.item(i).sensitive]
            at = items.index(screening[0]) if screening else len(items)
            items.insert(at, anchor.id)
        else:
            rotating = [i for i in reversed(items) if i not in fixed]
            if not rotating:
                break
            items[items.index(rotating[0])] = anchor.id
        fixed.add(anchor.id)
    return PlannedRound(planned.index, planned.position, tuple(items))
