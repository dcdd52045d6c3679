"""with_factors: a follow-up factor takes a rotating item's place, never an anchor's or the
screening item's, and the round stays within the item limit."""

from __future__ import annotations

from core.questions import load_default_bank
from core.rotation import HARD_MAX_ITEMS, plan_round, with_factors

BANK = load_default_bank()


def factors(items: tuple[str, ...]) -> list[str]:
    return [BANK.item(i).factor for i in items]


def test_a_missing_factor_replaces_the_last_rotating_item() -> None:
    plain = plan_round(BANK, 0)
    asked = set(factors(plain.items))
    wanted = next(f.id for f in BANK.scored_factors() if f.id not in asked)
    changed = with_factors(BANK, plain, {wanted})
    assert wanted in factors(changed.items)
    assert len(changed.items) == len(plain.items) <= HARD_MAX_ITEMS
    kept = [i for i in plain.items if BANK.item(i).anchor or BANK.item(i).sensitive]
    assert all(i in changed.items for i in kept)
    assert BANK.anchor_of(wanted) is not None
    assert BANK.anchor_of(wanted).id in changed.items  # type: ignore[union-attr]


def test_factors_already_asked_or_sensitive_or_unknown_change_nothing() -> None:
    plain = plan_round(BANK, 1)
    same = with_factors(BANK, plain, {*factors(plain.items), "bullying_harassment", "nope"})
    assert same == plain


def test_more_factors_than_rotating_places_wait_for_the_next_round() -> None:
    plain = plan_round(BANK, 2)
    asked = set(factors(plain.items))
    missing = [f.id for f in BANK.scored_factors() if f.id not in asked]
    changed = with_factors(BANK, plain, set(missing))
    rotating = [i for i in plain.items if not BANK.item(i).anchor and not BANK.item(i).sensitive]
    added = set(factors(changed.items)) - asked
    assert len(added) == len(rotating) and len(changed.items) == len(plain.items)
