"""The release engine's fast paths give exactly what the straightforward code gave.

For the release benchmark (bench/release.py) three hot spots were rewritten: the uncertainty
band and the roundings in integers instead of ``Fraction``s, a cell's display from value
counts summed up the tree instead of the sorted list of its subtree's answers, and the member
view kept as the few cells hidden per home unit instead of a copy of every published cell.
The code as it was before is kept here, verbatim apart from names, as the reference: a
release must be byte-identical before and after (rule 1: a recomputed release reproduces the
stored hash), so every function must agree on every input, not just approximately.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from fractions import Fraction
from math import floor

from hypothesis import given, settings
from hypothesis import strategies as st

from core.anonymity.coarsen import (
    Z95,
    describe,
    describe_counts,
    distribution,
    person_score,
    rate_display,
    score_display,
    uncertainty_band,
)
from core.anonymity.release import MetricInput, ReleaseInput, UnitNode, build_release
from core.anonymity.suppression import _bad_residual, _smallest, hidden_for_members, suppress
from core.anonymity.thresholds import Thresholds
from core.anonymity.tree import UnitTree

# --- The reference: the code before the change ------------------------------------------------


def ref_round_half_up(value: Fraction, step: int) -> int:
    return floor(value / step + Fraction(1, 2)) * step


def ref_score_display(values: list[int]) -> str:
    rounded = ref_round_half_up(Fraction(sum(person_score(v) for v in values), len(values)), 5)
    if rounded <= 10:
        return "≤ 10"
    if rounded >= 90:
        return "≥ 90"
    return str(rounded)


def ref_uncertainty_band(values: list[int]) -> tuple[str, str]:
    n = len(values)
    scores = [person_score(v) for v in values]
    mean = Fraction(sum(scores), n)
    variance = (
        sum(((s - mean) ** 2 for s in scores), Fraction(0)) / (n - 1) if n > 1 else Fraction(0)
    )
    margin_sq = Z95 * Z95 * variance / n
    low = floor(mean / 5) * 5
    while low > 0 and (mean - low) ** 2 < margin_sq:
        low -= 5
    high = -(floor(-mean / 5)) * 5
    while high < 100 and (high - mean) ** 2 < margin_sq:
        high += 5
    return str(max(low, 0)), str(min(high, 100))


def ref_rate_display(part: int, whole: int) -> str:
    if part == 0:
        return "0 %"
    rounded = ref_round_half_up(Fraction(100 * part, whole), 10)
    if rounded >= 90:
        return "≥ 90 %"
    if rounded == 0:
        return "< 10 %"
    return f"{rounded} %"


def ref_residual(tree: UnitTree, outer: str, shown: set[str], n: Mapping[str, int]) -> int:
    return n[outer] - sum(n[d] for d in tree.maximal_inside(outer, shown))


def ref_hidden_for_members(
    tree: UnitTree,
    published: frozenset[str],
    n: Mapping[str, int],
    homes: Iterable[str],
    k_member: int,
) -> dict[str, frozenset[str]]:
    hidden: dict[str, set[str]] = {unit: set() for unit in published}
    for home in homes:
        chain = tree.ancestors_or_self(home)
        visible = {unit for unit in published if not (unit in chain and n[unit] < k_member)}
        while True:
            inner = next((unit for unit in chain if unit in visible), None)
            if inner is None:
                break
            if not _bad_residual(ref_residual(tree, inner, visible, n), k_member):
                break
            visible.discard(_smallest(tree.maximal_inside(inner, visible), n))
        for unit in published - visible:
            hidden[unit].add(home)
    return {unit: frozenset(homes_) for unit, homes_ in hidden.items()}


# --- Agreement ----------------------------------------------------------------------------------

scored = st.lists(st.integers(1, 5), min_size=1, max_size=400)


@settings(max_examples=150, deadline=None)
@given(scored)
def test_scores_bands_and_distributions_agree_with_the_fraction_code(values: list[int]) -> None:
    assert score_display(values) == ref_score_display(values)
    assert uncertainty_band(values) == ref_uncertainty_band(values)
    if len(values) >= 5:
        shown = describe(values, sensitive=False, k_dist=10, min_count=3)
        counted = describe_counts(Counter(values), sensitive=False, k_dist=10, min_count=3)
        assert shown == counted
        assert shown[1:3] == (ref_score_display(values), ref_uncertainty_band(values))
        assert shown[3] == (distribution(values, 3) if len(values) >= 10 else None)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 3000), st.integers(1, 3000))
def test_rates_agree_with_the_fraction_code(part: int, whole: int) -> None:
    part = min(part, whole)
    assert rate_display(part, whole) == ref_rate_display(part, whole)


@st.composite
def trees(draw: st.DrawFn) -> tuple[UnitTree, dict[str, int], tuple[str, ...], int]:
    size = draw(st.integers(1, 30))
    nodes: list[tuple[str, str | None]] = [("u0", None)]
    for i in range(1, size):
        nodes.append((f"u{i}", f"u{draw(st.integers(0, i - 1))}"))
    tree = UnitTree.build(nodes)
    direct = {u: draw(st.integers(0, 12)) for u, _ in nodes}
    homes = tuple(u for u, _ in nodes if draw(st.booleans()))
    return tree, tree.subtree_sums(direct), homes, draw(st.integers(5, 7))


@settings(max_examples=100, deadline=None)
@given(trees())
def test_member_view_agrees_with_the_copying_code(
    case: tuple[UnitTree, dict[str, int], tuple[str, ...], int],
) -> None:
    tree, n, homes, k = case
    published = suppress(tree, frozenset(tree.order), n, k).published
    for k_member in (k, k + 1, k + 3):
        assert hidden_for_members(tree, published, n, homes, k_member) == ref_hidden_for_members(
            tree, published, n, homes, k_member
        )


def test_a_release_is_byte_identical_to_the_one_the_old_code_made() -> None:
    """A fixed input whose hash was computed with the code before the change (e811ddf)."""
    units = [UnitNode("root", None)] + [UnitNode(f"d{i}", "root") for i in range(3)]
    units += [UnitNode(f"t{i}", f"d{i % 3}") for i in range(9)]
    sizes = {u.id: (i * 7) % 13 for i, u in enumerate(units)}
    values = {u: tuple(1 + (j * 3 + len(u)) % 5 for j in range(n)) for u, n in sizes.items()}
    yes = {u: tuple(2 if j % 9 == 0 else 1 for j in range(n)) for u, n in sizes.items()}
    release = build_release(
        ReleaseInput(
            round_id="7",
            units=tuple(units),
            eligible={u: n + 1 for u, n in sizes.items()},
            respondents=sizes,
            metrics=(MetricInput("workload", False, values), MetricInput("bully", True, yes)),
            thresholds=Thresholds(),
        )
    )
    assert release.hash == GOLDEN_HASH


GOLDEN_HASH = "de2cccab2139f7a9ce1f3b42bbb25c7e876ee1f78f3246a00f2fa3af29938dbb"
