"""Small builders for release-engine tests: an organisation as a list of rows."""

from __future__ import annotations

from collections.abc import Sequence

from core.anonymity.release import (
    CellRelease,
    CommentInput,
    MetricInput,
    Release,
    ReleaseInput,
    SegmentInput,
    UnitNode,
)
from core.anonymity.thresholds import Thresholds

METRIC = "workload"

Row = tuple[str, str | None, int, Sequence[int]]
"""(unit id, parent id, direct eligible, direct valid answers)."""


def answers(count: int, value: int = 3) -> tuple[int, ...]:
    return (value,) * count


def org_input(
    rows: Sequence[Row],
    *,
    thresholds: Thresholds | None = None,
    sensitive: bool = False,
    respondents: dict[str, int] | None = None,
    comments: Sequence[CommentInput] = (),
    segments: Sequence[SegmentInput] = (),
    metric: str = METRIC,
    round_id: str = "round-1",
) -> ReleaseInput:
    return ReleaseInput(
        round_id=round_id,
        units=tuple(UnitNode(unit, parent) for unit, parent, _, _ in rows),
        eligible={unit: eligible for unit, _, eligible, _ in rows},
        respondents=respondents
        if respondents is not None
        else {unit: len(values) for unit, _, _, values in rows},
        metrics=(MetricInput(metric, sensitive, {u: tuple(v) for u, _, _, v in rows}),),
        comments=tuple(comments),
        segments=tuple(segments),
        thresholds=thresholds or Thresholds(),
    )


def cell(release: Release, unit: str, metric: str = METRIC) -> CellRelease:
    found = [c for c in release.cells if c.unit == unit and c.metric == metric]
    assert len(found) == 1, (unit, metric)
    return found[0]


def published_units(release: Release, metric: str = METRIC) -> set[str]:
    return {c.unit for c in release.cells if c.metric == metric and c.published}


def thresholds_for(k: int) -> Thresholds:
    return Thresholds(k_resp=k, k_eligible=k + 1)
