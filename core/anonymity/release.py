"""The release engine: one closed round's snapshot in, the frozen, publishable release out.

Pure and deterministic: the same input gives a byte-identical canonical JSON and hash, so a
stored release can be proven unchanged by recomputing it (rule 1). The steps, per measure:
cells exist only for units with enough eligible members (small units roll up into their
parent's subtree); primary and complementary suppression decide what is published (rules 2, 3);
the member view is precomputed as the home units a cell is hidden from; published cells are
coarsened to display strings (rule 8); comments, sensitive prevalence and segments follow their
own rules (9, 10, 4).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping, Sequence

from core.anonymity.coarsen import describe_counts, n_band, rate_display
from core.anonymity.comments import place_comments
from core.anonymity.input_checks import check_input
from core.anonymity.inputs import (
    CommentInput,
    MetricInput,
    ReleaseInput,
    SegmentAtom,
    SegmentInput,
    UnitNode,
)
from core.anonymity.record import (
    CellRelease,
    CommentRelease,
    ParticipationRelease,
    Release,
    SegmentRelease,
    ThemeCount,
)
from core.anonymity.segments import release_segments
from core.anonymity.suppression import hidden_for_members, suppress
from core.anonymity.thresholds import Thresholds
from core.anonymity.tree import UnitTree

__all__ = [
    "CellRelease",
    "CommentInput",
    "CommentRelease",
    "MetricInput",
    "ParticipationRelease",
    "Release",
    "ReleaseInput",
    "SegmentAtom",
    "SegmentInput",
    "SegmentRelease",
    "ThemeCount",
    "UnitNode",
    "build_release",
    "input_digest",
]


def input_digest(inp: ReleaseInput) -> bytes:
    """SHA-256 of a canonical form of the input; seeds every shuffle. Never stored in a release:
    it would let anyone who guesses the raw answers confirm the guess."""
    canonical = {
        "round_id": inp.round_id,
        "units": sorted([u.id, u.parent or ""] for u in inp.units),
        "eligible": sorted(inp.eligible.items()),
        "respondents": sorted(inp.respondents.items()),
        "metrics": sorted(
            [m.metric, m.sensitive, sorted([u, sorted(v)] for u, v in m.values.items())]
            for m in inp.metrics
        ),
        "comments": sorted([c.unit, c.audience, c.text] for c in inp.comments),
        "segments": sorted(
            [s.metric, sorted([a.unit, sorted(a.segments), sorted(a.values)] for a in s.atoms)]
            for s in inp.segments
        ),
        "thresholds": inp.thresholds.to_dict(),
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).digest()


def _subtree_counts(tree: UnitTree, values: Mapping[str, Sequence[int]]) -> dict[str, Counter[int]]:
    """Per unit, how often each value was answered in its whole subtree: all a published
    cell's display depends on (``describe_counts``), without listing its answers."""
    counts = {unit: Counter(values.get(unit, ())) for unit in tree.order}
    for unit in reversed(tree.order):
        up = tree.parent[unit]
        if up is not None:
            counts[up].update(counts[unit])
    return counts


def _metric_cells(
    tree: UnitTree,
    thresholds: Thresholds,
    metric: MetricInput,
    eligible_sub: dict[str, int],
    homes: tuple[str, ...],
) -> tuple[tuple[CellRelease, ...], frozenset[str]]:
    direct = {unit: len(values) for unit, values in metric.values.items()}
    n = tree.subtree_sums(direct)
    candidates = frozenset(u for u in tree.order if eligible_sub[u] >= thresholds.k_eligible)
    if metric.sensitive:
        # Rule 10: prevalence only at the org root or a large unit, and K_SENSITIVE applies to
        # residuals too: a residual of 5 between two prevalences would be a prevalence of 5.
        candidates = frozenset(
            u for u in candidates if u == tree.root or eligible_sub[u] >= thresholds.k_sensitive
        )
        k = thresholds.k_sensitive
        k_member = thresholds.k_sensitive + (thresholds.member_view - thresholds.k_resp)
    else:
        k = thresholds.k_resp
        k_member = thresholds.member_view
    outcome = suppress(tree, candidates, n, k)
    hidden = hidden_for_members(tree, outcome.published, n, homes, k_member)
    counts = _subtree_counts(tree, metric.values)
    cells: list[CellRelease] = []
    for unit in tree.order:
        reason = outcome.reasons[unit]
        if reason is not None:
            cells.append(
                CellRelease.withheld(unit, metric.metric, reason, sensitive=metric.sensitive)
            )
            continue
        band_n, score, band, dist, prevalence = describe_counts(
            counts[unit],
            sensitive=metric.sensitive,
            k_dist=thresholds.k_dist,
            min_count=thresholds.min_count,
        )
        cells.append(
            CellRelease(
                unit=unit,
                metric=metric.metric,
                published=True,
                reason=None,
                n_band=band_n,
                score=score,
                band=band,
                distribution=dist,
                prevalence=prevalence,
                hidden_for_home_units=tuple(sorted(hidden[unit])),
                sensitive=metric.sensitive,
            )
        )
    return tuple(cells), outcome.published


def build_release(inp: ReleaseInput) -> Release:
    """Compute the release of a closed round. Raises ``TempcheckError`` on inconsistent input."""
    thresholds = inp.thresholds
    thresholds.validate()
    tree = UnitTree.build((u.id, u.parent) for u in inp.units)
    check_input(tree, inp)
    eligible_sub = tree.subtree_sums(inp.eligible)
    respondents_sub = tree.subtree_sums(inp.respondents)
    # Only units where someone eligible has their home can hold a member viewer.
    homes = tuple(u for u in tree.order if inp.eligible.get(u, 0) > 0)
    base = frozenset(u for u in tree.order if eligible_sub[u] >= thresholds.k_eligible)

    cells: list[CellRelease] = []
    published: dict[str, frozenset[str]] = {}
    metrics = {m.metric: m for m in inp.metrics}
    for metric_id in sorted(metrics):
        metric_cells, shown = _metric_cells(
            tree, thresholds, metrics[metric_id], eligible_sub, homes
        )
        cells.extend(metric_cells)
        published[metric_id] = shown

    outcome = suppress(tree, base, respondents_sub, thresholds.k_resp)
    hidden = hidden_for_members(
        tree, outcome.published, respondents_sub, homes, thresholds.member_view
    )
    participation = tuple(
        ParticipationRelease.withheld(unit, reason)
        if (reason := outcome.reasons[unit]) is not None
        else ParticipationRelease(
            unit=unit,
            published=True,
            reason=None,
            n_band=n_band(respondents_sub[unit]),
            rate=rate_display(respondents_sub[unit], eligible_sub[unit]),
            hidden_for_home_units=tuple(sorted(hidden[unit])),
        )
        for unit in tree.order
    )

    comments, theme_counts = place_comments(
        tree, thresholds, base, respondents_sub, inp.comments, input_digest(inp)
    )
    segments = release_segments(tree, thresholds, metrics, published, inp.segments)
    return Release(
        round_id=inp.round_id,
        thresholds=thresholds,
        cells=tuple(cells),
        participation=participation,
        comments=comments,
        segments=segments,
        theme_counts=theme_counts,
    )
