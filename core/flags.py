"""Change flags that avoid false alarms at small n (issue 7; docs/results.md).

A point of a factor's series is compared with the mean of the previous 3 published values
(gaps skipped, never filled). It is flagged "possible worsening" (or "improvement") only when

* the observed change is at least ``MIN_CHANGE`` (10) points, and
* the posterior probability that the true change exceeds ``EFFECT`` (5) points in that
  direction is at least ``CONFIDENCE`` (0.9): with a flat prior on the change and the variances
  of ``core.scores`` (SD shrunk towards the organisation's prior), the change is normal with
  mean Δ and variance V = V_now + (V₁ + V₂ + V₃)/9, so the test is (|Δ| − 5)/√V ≥ z₀.₉.

The decision is exact: (|Δ| − 5)² ≥ z₀.₉²·V in fractions, with z₀.₉ as a fixed decimal, so the
same release history gives the same flags on every machine. The probability is a float, for
display only.

"Sustained": two consecutive points of the series (no gap between) carry the same flag. A
flag opens an episode with its baseline, and the next point is first tested against that same
baseline, so a step change stays flagged (and becomes sustained) instead of vanishing once it
enters the next baseline. A gap, or a point that passes neither test, ends the episode.

Units are never compared with each other: a unit's flags depend on its own series only (and on
the pooled SD, which is a property of the measurement, not a ranking).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Final

BASELINE_POINTS: Final = 3
EFFECT: Final = 5
MIN_CHANGE: Final = 10
CONFIDENCE: Final = Fraction(9, 10)
#: The 0.9 quantile of the standard normal, as an exact decimal.
Z90: Final = Fraction("1.2815515655446004")


class Direction(StrEnum):
    WORSENING = "worsening"
    IMPROVEMENT = "improvement"

    @property
    def label_key(self) -> str:
        return f"results.flag.{self.value}"


@dataclass(frozen=True)
class Observation:
    """A published score as a number and the variance of its error."""

    score: Fraction
    variance: Fraction


@dataclass(frozen=True)
class Flag:
    direction: Direction
    change: Fraction
    """Observed change against the baseline, in points (negative for a worsening)."""
    baseline: Fraction
    probability: float
    """Posterior probability that the true change exceeds 5 points in this direction."""
    sustained: bool


def _test(
    obs: Observation, base: Sequence[Observation]
) -> tuple[Direction, Fraction, float] | None:
    baseline = sum((b.score for b in base), Fraction(0)) / len(base)
    change = obs.score - baseline
    variance = obs.variance + sum((b.variance for b in base), Fraction(0)) / len(base) ** 2
    size = abs(change)
    if size < MIN_CHANGE:
        return None
    beyond = size - EFFECT
    if beyond * beyond < Z90 * Z90 * variance:
        return None
    direction = Direction.WORSENING if change < 0 else Direction.IMPROVEMENT
    if variance == 0:
        probability = 1.0
    else:
        probability = 0.5 * math.erfc(-float(beyond) / math.sqrt(2 * float(variance)))
    return direction, change, probability


def evaluate(points: Sequence[Observation | None]) -> tuple[Flag | None, ...]:
    """Flags of a series, oldest first; ``None`` points are gaps (suppressed or hidden).

    Point i depends only on points 0..i, so adding a round never changes an earlier flag.
    """
    flags: list[Flag | None] = []
    published: list[Observation] = []
    episode: tuple[Direction, tuple[Observation, ...]] | None = None
    previous: Flag | None = None
    for obs in points:
        if obs is None:
            flags.append(None)
            episode = previous = None
            continue
        found = None
        if episode is not None:
            found = _test(obs, episode[1])
            if found is None or found[0] is not episode[0]:
                found, episode = None, None
        if found is None and len(published) >= BASELINE_POINTS:
            base = tuple(published[-BASELINE_POINTS:])
            found = _test(obs, base)
            episode = None if found is None else (found[0], base)
        flag = None
        if found is not None and episode is not None:
            direction, change, probability = found
            sustained = previous is not None and previous.direction is direction
            flag = Flag(direction, change, _mean(episode[1]), probability, sustained)
        flags.append(flag)
        published.append(obs)
        previous = flag
    return tuple(flags)


def _mean(values: Sequence[Observation]) -> Fraction:
    return sum((v.score for v in values), Fraction(0)) / len(values)
