"""The organisation tree of one round's membership snapshot, as the release engine sees it.

Ids are opaque strings. Children are kept sorted by id so every walk is deterministic, which
is what makes a recomputed release byte-identical to the stored one.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass

from core.errors import TempcheckError
from core.questions.model import FrozenMap

TreeProblem = tuple[str, dict[str, object]]
"""A catalogue key (``anonymity.*``) and its parameters."""


def tree_problems(nodes: Iterable[tuple[str, str | None]]) -> list[TreeProblem]:
    """Everything wrong with ``(id, parent)`` pairs: duplicates, dangling parents, roots, cycles."""
    problems: list[TreeProblem] = []
    parent: dict[str, str | None] = {}
    for unit, up in nodes:
        if unit in parent:
            problems.append(("anonymity.duplicate_unit", {"unit": unit}))
            continue
        parent[unit] = up
    for unit, up in parent.items():
        if up is not None and up not in parent:
            problems.append(("anonymity.unknown_parent", {"unit": unit, "parent": up}))
    roots = [unit for unit, up in parent.items() if up is None]
    if len(roots) > 1:
        problems.append(("anonymity.several_roots", {"units": ", ".join(roots)}))
    elif not roots and parent:
        problems.append(("anonymity.no_root", {}))
    in_cycle: set[str] = set()
    for start in parent:
        seen: list[str] = []
        node: str | None = start
        while node is not None and node in parent and node not in seen:
            seen.append(node)
            node = parent[node]
        if node is not None and node in seen:
            cycle = frozenset(seen[seen.index(node) :])
            if not cycle & in_cycle:
                in_cycle |= cycle
                problems.append(("anonymity.cycle", {"unit": min(cycle)}))
    return problems


@dataclass(frozen=True)
class UnitTree:
    root: str
    parent: FrozenMap[str, str | None]
    children: FrozenMap[str, tuple[str, ...]]
    order: tuple[str, ...]
    """Pre-order: every unit after its parent; siblings by id."""

    @classmethod
    def build(cls, nodes: Iterable[tuple[str, str | None]]) -> UnitTree:
        node_list = list(nodes)
        problems = tree_problems(node_list)
        if not node_list:
            raise TempcheckError("anonymity.no_root")
        if problems:
            key, params = problems[0]
            raise TempcheckError(key, **params)
        parent = dict(node_list)
        kids: dict[str, list[str]] = {unit: [] for unit in parent}
        for unit, up in parent.items():
            if up is not None:
                kids[up].append(unit)
        root = next(unit for unit, up in parent.items() if up is None)
        order: list[str] = []
        stack = [root]
        while stack:
            unit = stack.pop()
            order.append(unit)
            stack.extend(sorted(kids[unit], reverse=True))
        return cls(
            root=root,
            parent=FrozenMap(parent),
            children=FrozenMap((unit, tuple(sorted(kids[unit]))) for unit in order),
            order=tuple(order),
        )

    def __contains__(self, unit: object) -> bool:
        return unit in self.parent

    def subtree_sums(self, direct: Mapping[str, int]) -> dict[str, int]:
        """Per unit, the sum of ``direct`` over its whole subtree."""
        sums = {unit: direct.get(unit, 0) for unit in self.order}
        for unit in reversed(self.order):
            up = self.parent[unit]
            if up is not None:
                sums[up] += sums[unit]
        return sums

    def ancestors_or_self(self, unit: str) -> tuple[str, ...]:
        """``unit`` first, the root last."""
        chain: list[str] = []
        node: str | None = unit
        while node is not None:
            chain.append(node)
            node = self.parent[node]
        return tuple(chain)

    def subtree(self, unit: str) -> frozenset[str]:
        found: set[str] = set()
        stack = [unit]
        while stack:
            node = stack.pop()
            found.add(node)
            stack.extend(self.children[node])
        return frozenset(found)

    def maximal_inside(self, outer: str, chosen: Container[str]) -> tuple[str, ...]:
        """The ``chosen`` units strictly inside ``outer`` with no ``chosen`` unit in between."""
        found: list[str] = []
        stack = list(reversed(self.children[outer]))
        while stack:
            node = stack.pop()
            if node in chosen:
                found.append(node)
            else:
                stack.extend(reversed(self.children[node]))
        return tuple(found)
