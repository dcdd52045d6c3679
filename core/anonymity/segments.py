"""Org-level segments (rule 4): location, role … cut across the tree, so they get extra checks.

A segment is published only if it has enough answers (>= 10, and never below the member-view
threshold, because a segment cannot be hidden per viewer home unit), overlaps every published
tree cell and every other published segment by a difference of 0 or >= K on each side (else
subtracting the two shows the few people in the difference), and the whole release passes the
span audit. Tree cells always win: only segments are ever suppressed here.

There is deliberately no way to cut a release by an arbitrary filter: ``ad_hoc_filter`` exists
only to turn such a request into a clear, translated refusal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, NoReturn

from core.anonymity.coarsen import describe
from core.anonymity.inputs import MetricInput, SegmentAtom, SegmentInput
from core.anonymity.record import SegmentRelease
from core.anonymity.span import smallest_isolated
from core.anonymity.suppression import TOO_FEW_RESPONDENTS
from core.anonymity.thresholds import Thresholds
from core.anonymity.tree import UnitTree
from core.errors import TempcheckError

SEGMENT_FLOOR: Final = 10
OVERLAP: Final = "overlap"
SPAN_AUDIT: Final = "span_audit"

__all__ = [
    "OVERLAP",
    "SEGMENT_FLOOR",
    "SPAN_AUDIT",
    "SegmentAtom",
    "SegmentInput",
    "ad_hoc_filter",
    "release_segments",
]


def ad_hoc_filter(*_criteria: object, **_filters: object) -> NoReturn:
    """Rule 1: views are projections of a frozen release, never of a filter. Always refuses."""
    raise TempcheckError("anonymity.ad_hoc_filter")


def _bad_difference(a: int, b: int, k: int) -> bool:
    return 0 < a < k or 0 < b < k


@dataclass(frozen=True)
class _Metric:
    atoms: tuple[SegmentAtom, ...]
    sizes: tuple[int, ...]
    segments: dict[str, frozenset[int]]
    tree_cells: tuple[frozenset[int], ...]

    def size(self, atoms: frozenset[int]) -> int:
        return sum(self.sizes[a] for a in atoms)


def _prepare(tree: UnitTree, seg: SegmentInput, published: frozenset[str]) -> _Metric:
    atoms = tuple(a for a in seg.atoms if a.values)
    members: dict[str, set[int]] = {}
    for index, atom in enumerate(atoms):
        for segment in atom.segments:
            members.setdefault(segment, set()).add(index)
    tree_cells = []
    for unit in sorted(published):
        inside = tree.subtree(unit)
        tree_cells.append(frozenset(i for i, atom in enumerate(atoms) if atom.unit in inside))
    return _Metric(
        atoms=atoms,
        sizes=tuple(len(a.values) for a in atoms),
        segments={s: frozenset(m) for s, m in sorted(members.items())},
        tree_cells=tuple(tree_cells),
    )


def _suppress(m: _Metric, minimum: int, k: int) -> dict[str, str | None]:
    reasons: dict[str, str | None] = {
        s: None if m.size(atoms) >= minimum else TOO_FEW_RESPONDENTS
        for s, atoms in m.segments.items()
    }

    def shown() -> list[str]:
        return [s for s, reason in reasons.items() if reason is None]

    def key(s: str) -> tuple[int, str]:
        return (m.size(m.segments[s]), s)

    for s in shown():
        atoms = m.segments[s]
        for cell in m.tree_cells:
            common = m.size(atoms & cell)
            if common and _bad_difference(m.size(atoms) - common, m.size(cell) - common, k):
                reasons[s] = OVERLAP
                break
    while True:
        clash = next(
            (
                (s, t)
                for s in shown()
                for t in shown()
                if s < t
                and m.size(m.segments[s] & m.segments[t])
                and _bad_difference(
                    m.size(m.segments[s] - m.segments[t]), m.size(m.segments[t] - m.segments[s]), k
                )
            ),
            None,
        )
        if clash is None:
            break
        reasons[min(clash, key=key)] = OVERLAP
    # Pairwise checks miss combinations of three or more cells; the span audit does not. The
    # tree alone always passes (rule 3), so dropping segments one by one terminates.
    while shown():
        cells = [*m.tree_cells, *(m.segments[s] for s in shown())]
        if smallest_isolated(m.sizes, cells, k) is None:
            break
        reasons[min(shown(), key=key)] = SPAN_AUDIT
    return reasons


def release_segments(
    tree: UnitTree,
    thresholds: Thresholds,
    metrics: Mapping[str, MetricInput],
    published: Mapping[str, frozenset[str]],
    inputs: tuple[SegmentInput, ...],
) -> tuple[SegmentRelease, ...]:
    """Segment cells of every metric cut by segments, sorted by (metric, segment)."""
    out: list[SegmentRelease] = []
    for seg in sorted(inputs, key=lambda s: s.metric):
        sensitive = metrics[seg.metric].sensitive
        m = _prepare(tree, seg, published[seg.metric])
        if sensitive:
            k = minimum = thresholds.k_sensitive
        else:
            k = thresholds.k_resp
            minimum = max(SEGMENT_FLOOR, thresholds.member_view)
        reasons = _suppress(m, minimum, k)
        for segment, atoms in m.segments.items():
            reason = reasons[segment]
            if reason is not None:
                out.append(
                    SegmentRelease.withheld(segment, seg.metric, reason, sensitive=sensitive)
                )
                continue
            values = [v for a in sorted(atoms) for v in m.atoms[a].values]
            n_band, score, band, dist, prevalence = describe(
                values,
                sensitive=sensitive,
                k_dist=thresholds.k_dist,
                min_count=thresholds.min_count,
            )
            out.append(
                SegmentRelease(
                    segment,
                    seg.metric,
                    sensitive,
                    True,
                    None,
                    n_band,
                    score,
                    band,
                    dist,
                    prevalence,
                )
            )
    return tuple(out)
