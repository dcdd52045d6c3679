"""Which unit a member's answers are stored under in a round.

Answer rows carry a unit, and a database dump shows those rows. Stored under the home unit,
the answers of a one-person unit would be that person's answers, published or not. So at
open every member gets an *answer unit*: the nearest unit at or above their home unit whose
stored group has at least ``k`` eligible members (``k_eligible``). Groups are built bottom
up; a group still too small at the root absorbs the smallest other group, so every answer
unit of a round stands for at least ``k`` eligible people.

Small units are never cells anyway (they roll up), so results do not change; only what a
dump can single out does.
"""

from __future__ import annotations

from collections.abc import Mapping


class GroupingError(ValueError):
    """The round has fewer than ``k`` eligible members: nothing can be grouped safely."""


def answer_units(
    parents: Mapping[int, int | None], homes: Mapping[int, int], k: int
) -> dict[int, int]:
    """``parents``: unit → parent (None for the round's root); ``homes``: member → unit.

    Returns member → answer unit.
    """
    if len(homes) < k:
        raise GroupingError(f"{len(homes)} eligible members, fewer than {k}")
    children: dict[int | None, list[int]] = {}
    for unit, parent in sorted(parents.items()):
        children.setdefault(parent, []).append(unit)
    roots = children.get(None, [])
    if len(roots) != 1:
        raise GroupingError("a round covers exactly one subtree")
    root = roots[0]
    direct: dict[int, int] = dict.fromkeys(parents, 0)
    for unit in homes.values():
        direct[unit] += 1

    size: dict[int, int] = {}  # surviving groups and their sizes
    pending: dict[int, int] = {}

    def settle(unit: int) -> None:
        for child in children.get(unit, []):
            settle(child)
        waiting = direct[unit] + sum(pending[c] for c in children.get(unit, []) if c not in size)
        pending[unit] = waiting
        if waiting >= k:
            size[unit] = waiting

    settle(root)
    merged: set[int] = set()
    if root not in size and pending[root] > 0:
        # The root's own remainder is too small and has nowhere further up to go: fold the
        # smallest group into it (ties: lowest unit id) until it is big enough.
        total = pending[root]
        for group in sorted(size, key=lambda u: (size[u], u)):
            merged.add(group)
            total += size[group]
            if total >= k:
                break
        for group in merged:
            del size[group]
        size[root] = total

    target: dict[int, int] = {}

    def assign(unit: int, inherited: int) -> None:
        here = unit if unit in size else (root if unit in merged else inherited)
        target[unit] = here
        for child in children.get(unit, []):
            assign(child, here)

    assign(root, root)
    return {member: target[unit] for member, unit in homes.items()}
