"""Answer units: every stored group of a round has at least k eligible members."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.anonymity.storage_groups import GroupingError, answer_units


def members(counts: dict[int, int]) -> dict[int, int]:
    out: dict[int, int] = {}
    for unit, n in counts.items():
        for _ in range(n):
            out[len(out)] = unit
    return out


def test_small_leaf_rolls_into_its_parent_and_big_ones_stay() -> None:
    parents = {1: None, 2: 1, 3: 1, 4: 2}
    homes = members({1: 6, 2: 7, 3: 2, 4: 3})
    result = answer_units(parents, homes, 6)
    groups = Counter(result.values())
    assert groups == {1: 8, 2: 10}  # 3 rolled into the root, 4 into unit 2


def test_lonely_leader_at_the_root_absorbs_the_smallest_group() -> None:
    parents = {1: None, 2: 1, 3: 1}
    homes = members({1: 1, 2: 6, 3: 9})
    result = answer_units(parents, homes, 6)
    assert Counter(result.values()) == {1: 7, 3: 9}


def test_too_few_members_is_refused() -> None:
    with pytest.raises(GroupingError):
        answer_units({1: None}, members({1: 5}), 6)


@st.composite
def trees(draw: st.DrawFn) -> tuple[dict[int, int | None], dict[int, int]]:
    n = draw(st.integers(1, 12))
    parents: dict[int, int | None] = {0: None}
    for unit in range(1, n):
        parents[unit] = draw(st.integers(0, unit - 1))
    counts = {u: draw(st.integers(0, 15)) for u in parents}
    return parents, members(counts)


@settings(max_examples=200, deadline=None)
@given(trees(), st.integers(6, 8))
def test_every_group_is_big_enough_and_an_ancestor_of_its_members(
    tree: tuple[dict[int, int | None], dict[int, int]], k: int
) -> None:
    parents, homes = tree
    if len(homes) < k:
        return
    result = answer_units(parents, homes, k)
    assert set(result) == set(homes)
    assert all(size >= k for size in Counter(result.values()).values())
    for member, unit in result.items():
        walk: int | None = homes[member]
        chain = []
        while walk is not None:
            chain.append(walk)
            walk = parents[walk]
        assert unit in chain
