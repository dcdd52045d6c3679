"""Primary, complementary and member-view suppression on one count per unit (rules 2 and 3).

Everything here works on subtree counts of a single measure (one metric's valid answers, or
the respondents of a round for participation, or comment writers' pools), so the same code
protects scores, prevalences, participation and comments.

Why the complement matters: a published parent and its published children let anyone subtract.
If a parent shows 10 answers and its only published child 6, the other 4 people's answers are
the difference, even though no cell of 4 was ever shown. So every residual region (the parent
minus its maximal published children) must itself be empty or hold at least K answers.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Final

from core.anonymity.tree import UnitTree

TOO_FEW_ELIGIBLE: Final = "too_few_eligible"
TOO_FEW_RESPONDENTS: Final = "too_few_respondents"
COMPLEMENTARY: Final = "complementary"
REASONS: Final = (TOO_FEW_ELIGIBLE, TOO_FEW_RESPONDENTS, COMPLEMENTARY)


@dataclass(frozen=True)
class Suppression:
    """Outcome for one measure: the reason per unit (None = published)."""

    reasons: Mapping[str, str | None]

    @property
    def published(self) -> frozenset[str]:
        return frozenset(unit for unit, reason in self.reasons.items() if reason is None)


def _bad_residual(residual: int, k: int) -> bool:
    return 0 < residual < k


def residual(tree: UnitTree, outer: str, shown: Container[str], n: Mapping[str, int]) -> int:
    """Answers in ``outer`` that are in none of its maximal ``shown`` sub-cells."""
    return n[outer] - sum(n[d] for d in tree.maximal_inside(outer, shown))


def _smallest(units: Iterable[str], n: Mapping[str, int]) -> str:
    # Ties by id, so the choice never depends on dict or input order.
    return min(units, key=lambda unit: (n[unit], unit))


def suppress(
    tree: UnitTree, candidates: frozenset[str], n: Mapping[str, int], k: int
) -> Suppression:
    """Rules 2 and 3 for one measure.

    ``candidates`` are the units allowed to be cells at all (enough eligible members); ``n`` is
    the subtree count per unit. A cell is published if n >= k, then published children are
    suppressed, smallest first, until every residual is 0 or >= k.
    """
    reasons: dict[str, str | None] = {}
    for unit in tree.order:
        if unit not in candidates:
            reasons[unit] = TOO_FEW_ELIGIBLE
        elif n[unit] < k:
            reasons[unit] = TOO_FEW_RESPONDENTS
        else:
            reasons[unit] = None
    published = {unit for unit, reason in reasons.items() if reason is None}
    # Bottom-up: fixing a cell only suppresses cells directly below it, which never changes a
    # residual elsewhere, but the outer loop re-checks everything anyway so the fixpoint does
    # not rest on that argument.
    changed = True
    while changed:
        changed = False
        for outer in reversed(tree.order):
            if outer not in published:
                continue
            while _bad_residual(residual(tree, outer, published, n), k):
                inside = tree.maximal_inside(outer, published)
                # A cell without published children has residual n >= k, so ``inside`` is
                # never empty here.
                victim = _smallest(inside, n)
                published.discard(victim)
                reasons[victim] = COMPLEMENTARY
                changed = True
    return Suppression(reasons=reasons)


def is_fixpoint(tree: UnitTree, published: frozenset[str], n: Mapping[str, int], k: int) -> bool:
    """True when every published cell has n >= k and a residual of 0 or >= k."""
    return all(
        n[unit] >= k and not _bad_residual(residual(tree, unit, published, n), k)
        for unit in published
    )


def hidden_for_members(
    tree: UnitTree,
    published: frozenset[str],
    n: Mapping[str, int],
    homes: Iterable[str],
    k_member: int,
) -> dict[str, frozenset[str]]:
    """Rule 2's member view and rule 3's last sentence, per viewer home unit.

    A viewer who answered knows one answer of every cell and region they belong to, so for
    them K - 1 others is not enough: the cells containing their home unit need n >= k_member,
    and so does the residual region they sit in (else the smallest published sub-cell of that
    region is hidden from them, which merges regions until it holds). Hiding only ever merges
    regions, so regions that do not contain the viewer stay 0 or >= K.

    Returns, per published cell, the home units for which it is hidden.
    """
    hidden: dict[str, set[str]] = {unit: set() for unit in published}
    for home in homes:
        chain = tree.ancestors_or_self(home)
        # The cells hidden from this home; visible = published minus these. Kept as the
        # (small) difference, so each home costs its chain and its regions, not every cell.
        removed = {unit for unit in chain if unit in published and n[unit] < k_member}
        visible = _Without(published, removed)
        while True:
            inner = next((unit for unit in chain if unit in visible), None)
            if inner is None:
                break
            if not _bad_residual(residual(tree, inner, visible, n), k_member):
                break
            removed.add(_smallest(tree.maximal_inside(inner, visible), n))
        for unit in removed:
            hidden[unit].add(home)
    return {unit: frozenset(homes_) for unit, homes_ in hidden.items()}


@dataclass(frozen=True)
class _Without:
    """The units of ``base`` not in ``removed`` (a live view: ``removed`` may grow)."""

    base: AbstractSet[str]
    removed: AbstractSet[str]

    def __contains__(self, unit: object) -> bool:
        return unit in self.base and unit not in self.removed
