"""Rotation: anchors once per cycle, short pulses, at most one item per factor per round."""

from __future__ import annotations

from collections import Counter

import pytest

from core.questions import load_default_bank
from core.rotation import HARD_MAX_ITEMS, RotationError, plan_round, plan_rounds

BANK = load_default_bank()


@pytest.mark.parametrize("start", [0, 4, 13])
def test_every_anchor_once_per_cycle_and_every_screening_item(start: int) -> None:
    cycle = plan_rounds(BANK, 4, start_index=start - start % 4)
    asked = Counter(item for planned in cycle for item in planned.items)
    anchors = {BANK.anchor_of(f.id).id for f in BANK.scored_factors()}  # type: ignore[union-attr]
    assert {a: asked[a] for a in anchors} == dict.fromkeys(anchors, 1)
    assert {s.id for s in BANK.sensitive_items()} <= set(asked)


def test_rounds_are_short_and_measure_each_factor_once() -> None:
    for planned in plan_rounds(BANK, 12):
        assert 3 <= len(planned.items) <= HARD_MAX_ITEMS
        factors = [BANK.item(i).factor for i in planned.items]
        assert len(factors) == len(set(factors))
        assert sum(BANK.item(i).sensitive for i in planned.items) <= 1


def test_rotating_items_all_get_a_turn() -> None:
    rotating = {i.id for i in BANK.items if not i.anchor and not i.sensitive}
    asked = {item for planned in plan_rounds(BANK, 40) for item in planned.items}
    assert rotating <= asked


def test_plan_depends_only_on_the_round_index() -> None:
    assert plan_round(BANK, 6) == plan_round(BANK, 6)
    assert plan_round(BANK, 6).items != plan_round(BANK, 7).items


@pytest.mark.parametrize(("cycle", "max_items"), [(2, 5), (4, 6), (4, 2)])
def test_impossible_plans_are_rejected(cycle: int, max_items: int) -> None:
    with pytest.raises(RotationError):
        plan_round(BANK, 0, cycle_length=cycle, max_items=max_items)
