"""T09: on random trees, nothing published lets anyone isolate 1..K-1 respondents.

The oracle here shares no code with the engine. It knows nothing about residuals or laminar
families: it takes the published cells as sets of respondents (grouped into per-unit atoms,
which no published cell can tell apart) and brute-forces every small union of atoms, asking with
exact rational Gaussian elimination whether its indicator is a linear combination of the cells.
"""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from core.anonymity.release import MetricInput, ReleaseInput, UnitNode, build_release
from core.anonymity.thresholds import Thresholds

METRIC = "workload"


@st.composite
def organisations(draw: st.DrawFn) -> tuple[int, list[int | None], list[int], list[int]]:
    """(K, parent index per unit, direct answers per unit, direct eligible per unit)."""
    k = draw(st.integers(5, 7))
    size = draw(st.integers(1, 9))
    parents: list[int | None] = [None]
    depth = [0]
    for i in range(1, size):
        parent = draw(st.sampled_from([j for j in range(i) if depth[j] < 4]))
        parents.append(parent)
        depth.append(depth[parent] + 1)
    answers = draw(st.lists(st.integers(0, 15), min_size=size, max_size=size))
    extra = draw(st.lists(st.integers(0, 3), min_size=size, max_size=size))
    return k, parents, answers, [a + e for a, e in zip(answers, extra, strict=True)]


def _rank(rows: list[list[Fraction]]) -> int:
    matrix = [list(r) for r in rows]
    rank = 0
    width = len(matrix[0]) if matrix else 0
    for col in range(width):
        pivot = next((i for i in range(rank, len(matrix)) if matrix[i][col] != 0), None)
        if pivot is None:
            continue
        matrix[rank], matrix[pivot] = matrix[pivot], matrix[rank]
        for i in range(rank + 1, len(matrix)):
            factor = matrix[i][col] / matrix[rank][col]
            matrix[i] = [a - factor * b for a, b in zip(matrix[i], matrix[rank], strict=True)]
        rank += 1
    return rank


def _isolated_sets(
    sizes: list[int], cells: list[set[int]], k: int, exclude: frozenset[int] = frozenset()
) -> list[tuple[int, ...]]:
    """Every union of atoms with 1..k-1 people whose indicator lies in the cells' span."""
    rows = [[Fraction(int(a in cell)) for a in range(len(sizes))] for cell in cells]
    base = _rank(rows)
    usable = [a for a in range(len(sizes)) if sizes[a] > 0 and a not in exclude]
    found = []
    for r in range(1, k):
        for chosen in combinations(usable, r):
            if not 1 <= sum(sizes[a] for a in chosen) < k:
                continue
            vector = [Fraction(int(a in chosen)) for a in range(len(sizes))]
            if _rank([*rows, vector]) == base:
                found.append(chosen)
    return found


def _subtrees(parents: list[int | None]) -> list[set[int]]:
    inside: list[set[int]] = [set() for _ in parents]
    for unit in range(len(parents)):
        node: int | None = unit
        while node is not None:
            inside[node].add(unit)
            node = parents[node]
    return inside


@settings(max_examples=60, deadline=None)
@given(organisations())
def test_t09_no_small_respondent_set_is_derivable_and_fixpoint_reached(
    org: tuple[int, list[int | None], list[int], list[int]],
) -> None:
    k, parents, answers, eligible = org
    names = [f"u{i}" for i in range(len(parents))]
    inp = ReleaseInput(
        round_id="property",
        units=tuple(
            UnitNode(names[i], None if p is None else names[p]) for i, p in enumerate(parents)
        ),
        eligible={names[i]: e for i, e in enumerate(eligible)},
        respondents={names[i]: a for i, a in enumerate(answers)},
        metrics=(MetricInput(METRIC, False, {names[i]: (4,) * a for i, a in enumerate(answers)}),),
        thresholds=Thresholds(k_resp=k, k_eligible=k + 1),
    )
    release = build_release(inp)
    cells = {names.index(c.unit): c for c in release.cells if c.metric == METRIC}
    published = {u for u, c in cells.items() if c.published}
    inside = _subtrees(parents)
    n = [sum(answers[v] for v in inside[u]) for u in range(len(parents))]

    # Fixpoint: every published cell qualifies and leaves a residual of 0 or >= K.
    for p in published:
        assert n[p] >= k and sum(eligible[v] for v in inside[p]) >= k + 1
        below = {d for d in published if d != p and d in inside[p]}
        maximal = {d for d in below if not any(d in inside[o] and o != d for o in below)}
        residual = n[p] - sum(n[d] for d in maximal)
        assert residual == 0 or residual >= k, (p, residual)

    # Nobody outside can isolate 1..K-1 people.
    assert _isolated_sets(answers, [inside[u] for u in published], k) == []

    # A member viewer also knows their own answer: split them off their home unit's atom and
    # add that singleton to what they can combine.
    member_view = k + 1
    for home in range(len(parents)):
        if answers[home] == 0:
            continue
        hidden = {u for u in published if names[home] in cells[u].hidden_for_home_units}
        visible = published - hidden
        viewer = len(parents)  # an extra atom of size one: the viewer
        sizes = [*answers, 1]
        sizes[home] -= 1
        sets = [set(inside[u]) | ({viewer} if home in inside[u] else set()) for u in visible]
        found = _isolated_sets(sizes, [*sets, {viewer}], k, exclude=frozenset({viewer}))
        assert found == [], (home, found)
        for u in visible:
            if home in inside[u]:
                assert n[u] >= member_view
