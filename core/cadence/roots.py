"""Cadence roots: which units get rounds of their own, and which people each round asks.

A *cadence root* is a tenant's top unit, and every unit whose own cadence differs from the
one it would inherit. A root's rounds cover its subtree minus the subtrees of the nearest
cadence roots below it (those are *carved out*: they run their own rounds). So every unit,
and every active member, belongs to exactly one root's rounds, and rounds of different
roots never share a member.

A root whose rounds would ask fewer than ``k_eligible`` people is *skipped*: no round opens
for it (answers that could never be shown are not collected), and the reason is reported
(``tempcheck plan show``, the sweep's report and log). Its people are not moved into another
root's round: they were planned on a different cadence.

Pure: the organisation, the stored cadences and the threshold are parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from core.cadence.model import Cadence, resolve_cadence
from core.organisation import Organisation, Unit

SKIP_EMPTY: Final = "schedule.skip.empty"
SKIP_TOO_SMALL: Final = "schedule.skip.too_small"


@dataclass(frozen=True)
class CadenceRoot:
    unit: Unit
    cadence: Cadence
    #: The nearest cadence roots below: their subtrees are left out of this root's rounds.
    carved_out: tuple[Unit, ...]
    #: The units this root's rounds cover (its subtree minus the carved-out subtrees).
    units: frozenset[int]
    #: Active members whose home unit is covered: the people a round would ask.
    eligible: int
    #: Why no round opens for this root (a catalogue key), or None when rounds open.
    skip: str | None

    @property
    def runs(self) -> bool:
        return self.skip is None


@dataclass(frozen=True)
class Schedule:
    roots: tuple[CadenceRoot, ...]  # sorted by unit path
    #: unit id → the id of the cadence root whose rounds cover it
    root_of: Mapping[int, int]
    k_eligible: int

    def skip_params(self, root: CadenceRoot) -> dict[str, object]:
        """Parameters of ``root.skip``'s message."""
        return {"unit": root.unit.path, "eligible": root.eligible, "k": self.k_eligible}

    def root_for(self, unit_id: int) -> CadenceRoot:
        wanted = self.root_of[unit_id]
        return next(r for r in self.roots if r.unit.id == wanted)


def cadence_schedule(org: Organisation, own: Mapping[int, Cadence], k_eligible: int) -> Schedule:
    """The cadence roots of ``org`` with the cadences stored per unit (``own``)."""
    parents = {u.id: u.parent_id for u in org.units}
    by_id = org.unit_by_id()
    root_ids = {
        u.id
        for u in org.units
        if u.parent_id is None
        or (u.id in own and own[u.id] != resolve_cadence(u.parent_id, own, parents))
    }

    def owner(unit_id: int) -> int:
        current = unit_id
        while current not in root_ids:
            parent = parents[current]
            assert parent is not None  # every top unit is a root
            current = parent
        return current

    root_of = {u.id: owner(u.id) for u in org.units}
    covered: dict[int, set[int]] = {r: set() for r in root_ids}
    for unit_id, root in root_of.items():
        covered[root].add(unit_id)
    carved: dict[int, list[Unit]] = {r: [] for r in root_ids}
    for root in root_ids:
        parent = parents[root]
        if parent is not None:
            carved[root_of[parent]].append(by_id[root])
    eligible: dict[int, int] = dict.fromkeys(root_ids, 0)
    for member in org.active_members():
        if member.home_unit_id in root_of:
            eligible[root_of[member.home_unit_id]] += 1
    roots = []
    for root in sorted(root_ids, key=lambda r: by_id[r].path):
        count = eligible[root]
        skip = SKIP_EMPTY if count == 0 else SKIP_TOO_SMALL if count < k_eligible else None
        roots.append(
            CadenceRoot(
                by_id[root],
                resolve_cadence(root, own, parents),
                tuple(sorted(carved[root], key=lambda u: u.path)),
                frozenset(covered[root]),
                count,
                skip,
            )
        )
    return Schedule(tuple(roots), root_of, k_eligible)
