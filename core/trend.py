"""Multi-round views built only from published cells (privacy rule 5).

A suppressed round stays a gap; nothing is carried forward or interpolated, and a later
round never changes how an earlier one is shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.anonymity.release import Release


@dataclass(frozen=True)
class TrendPoint:
    round_id: str
    score: str | None  # None: a gap (not published in that round)
    band: tuple[str, str] | None


def published_series(releases: Sequence[Release], unit: str, metric: str) -> tuple[TrendPoint, ...]:
    points = []
    for release in releases:
        cell = next(
            (c for c in release.cells if c.unit == unit and c.metric == metric and c.published),
            None,
        )
        points.append(
            TrendPoint(release.round_id, cell.score if cell else None, cell.band if cell else None)
        )
    return tuple(points)
