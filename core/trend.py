"""Multi-round views built only from published cells (privacy rule 5).

A suppressed round stays a gap; nothing is carried forward or interpolated, and a later
round never changes how an earlier one is shown: every figure of a point (its score, band,
standard error and flag) is computed from the releases up to and including its own round.

A factor's series holds only the rounds that measured the factor for the unit (rotation asks
each factor in some rounds only); a round that measured it but did not publish the cell is a
gap with the cell's reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from core.anonymity.release import CellRelease, ParticipationRelease, Release
from core.flags import Flag, Observation, evaluate
from core.scores import DEFAULT_PRIOR, Prior, cumulative_priors, read_cell, score_variance


@dataclass(frozen=True)
class TrendPoint:
    round_id: str
    score: str | None  # None: a gap (not published in that round)
    band: tuple[str, str] | None
    n_band: str | None = None
    reason: str | None = None  # why a gap is a gap (a suppression reason)
    participation_band: str | None = None
    participation_rate: str | None = None


@dataclass(frozen=True)
class SeriesPoint:
    point: TrendPoint
    observation: Observation | None
    flag: Flag | None


def _cell(release: Release, unit: str, metric: str) -> CellRelease | None:
    return next((c for c in release.cells if c.unit == unit and c.metric == metric), None)


def _participation(release: Release, unit: str) -> ParticipationRelease | None:
    return next((p for p in release.participation if p.unit == unit and p.published), None)


def published_series(releases: Sequence[Release], unit: str, metric: str) -> tuple[TrendPoint, ...]:
    """One point per release, published or a gap (kept for views that show every round)."""
    points = []
    for release in releases:
        cell = _cell(release, unit, metric)
        shown = cell if cell is not None and cell.published else None
        points.append(
            TrendPoint(
                release.round_id,
                shown.score if shown else None,
                shown.band if shown else None,
            )
        )
    return tuple(points)


def factor_series(
    releases: Sequence[Release],
    unit: str,
    factor: str,
    priors: Sequence[Mapping[str, Prior]] | None = None,
) -> tuple[SeriesPoint, ...]:
    """The unit's points of one factor, oldest first, with standard errors and flags.

    ``releases`` are in round order and already projected for the viewer (see
    ``core.overview.project``): a cell hidden from the viewer is a gap here, and the
    organisation prior only uses what the viewer may see. ``priors`` is
    ``cumulative_priors(releases)``, passed in when many series share one history.
    """
    if priors is None:
        priors = cumulative_priors(releases)
    points: list[TrendPoint] = []
    observations: list[Observation | None] = []
    for i, release in enumerate(releases):
        cell = _cell(release, unit, factor)
        if cell is None or cell.sensitive:
            continue
        part = _participation(release, unit)
        reading = read_cell(cell)
        observation = None
        if reading is not None:
            prior = priors[i].get(factor, DEFAULT_PRIOR)
            observation = Observation(reading.score, score_variance(reading, prior))
        published = reading is not None
        points.append(
            TrendPoint(
                release.round_id,
                cell.score if published else None,
                cell.band if published else None,
                cell.n_band if published else None,
                None if published else (cell.reason or "too_few_respondents"),
                part.n_band if part else None,
                part.rate if part else None,
            )
        )
        observations.append(observation)
    flags = evaluate(observations)
    return tuple(SeriesPoint(p, o, f) for p, o, f in zip(points, observations, flags, strict=True))
