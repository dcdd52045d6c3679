"""Reading released factor scores back as numbers, with an honest standard error (rule 1, 8).

Everything here starts from the display strings of a frozen release: a score rounded to 5
("65", or "≤ 10" / "≥ 90" at the ends), its 95 % band rounded outward to 5 ("55", "75") and the
n band ("5-9", "10-19", "20-49", "50+"). Nothing reads answers, and nothing here can recover an
exact n or an answer: the numbers are only as good as the coarse release lets them be.

Standard error of a released score (docs/results.md, "How a change is flagged"):

* the release engine drew the band as mean ± 1.96·s/√n and moved each end outward to a
  multiple of 5, so the margin is about half the band's width less 2.5 (the average outward
  move); a band cut at 0 or 100 is read from its other side;
* that margin gives the cell's own estimate of the person-level SD, s_c² = n·(margin/1.96)²,
  with n taken as ``N_REPRESENTATIVE`` of the n band;
* the SD is shrunk towards the organisation's pooled SD of the same factor (its released cells,
  in the rounds up to and including the one in question, so a later round never changes an
  earlier figure): s² = (ν₀·s₀² + (n−1)·s_c²) / (ν₀ + n − 1);
* the score's variance is s²/n plus the variance of rounding it to 5 (25/12).

All of it is exact (``Fraction``); only a probability shown to a person is a float.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Final

from core.anonymity.coarsen import N_BAND_TOP, N_BANDS, SCORE_HIGH, SCORE_LOW, SCORE_STEP, Z95
from core.anonymity.record import CellRelease, Release

#: The n a released n band stands for: 5-9 → 8, 10-19 → 13, 20-49 → 30, 50+ → 50 (the lower
#: part of each band: a larger standard error flags less). Tuned with ``PRIOR_WEIGHT`` by the
#: simulation in tests/unit/results/simulation.py; see docs/results.md.
N_REPRESENTATIVE: Final = {"5-9": 8, "10-19": 13, "20-49": 30, N_BAND_TOP: 50}
#: Weight of the organisation-level prior SD, in respondents (ν₀).
PRIOR_WEIGHT: Final = 10
#: Person-level SD (0-100 scale) assumed when an organisation has no released cell of a factor
#: yet, which cannot happen for a cell being read (its own cell is in the pool) but keeps the
#: function total.
DEFAULT_SD: Final = 25
#: Variance of rounding a score to the nearest 5: uniform on ±2.5.
ROUNDING_VARIANCE: Final = Fraction(SCORE_STEP * SCORE_STEP, 12)
_HALF_STEP: Final = Fraction(SCORE_STEP, 2)


@dataclass(frozen=True)
class Reading:
    """One published scored cell, read back as numbers."""

    score: Fraction
    """The displayed score; "≤ 10" reads as 10 and "≥ 90" as 90 (``censored`` says which)."""
    censored: str | None  # "low", "high" or None
    low: int
    high: int
    n: int
    """``N_REPRESENTATIVE`` of the n band, never the exact n (which the release does not hold)."""
    sd_sq: Fraction
    """This cell's own estimate of the person-level variance, from its band."""


def parse_score(text: str) -> tuple[Fraction, str | None]:
    if text == f"≤ {SCORE_LOW}":
        return Fraction(SCORE_LOW), "low"
    if text == f"≥ {SCORE_HIGH}":
        return Fraction(SCORE_HIGH), "high"
    return Fraction(int(text)), None


def n_band_bounds(band: str) -> tuple[int, int | None]:
    """ "5-9" → (5, 9); "50+" → (50, None)."""
    if band == N_BAND_TOP:
        return int(band.rstrip("+")), None
    if not any(label == band for _, label in N_BANDS):
        raise ValueError(f"unknown n band {band!r}")
    low, high = band.split("-")
    return int(low), int(high)


def margin(score: Fraction, low: int, high: int) -> Fraction:
    """The band's half-width as drawn before rounding outward (an estimate, never below 0)."""
    cut_low, cut_high = low <= 0, high >= 100
    if cut_low and cut_high:
        return Fraction(high - low, 2)
    if cut_low:
        raw = high - score
    elif cut_high:
        raw = score - low
    else:
        raw = Fraction(high - low, 2)
    return max(raw - _HALF_STEP, Fraction(0))


def read_cell(cell: CellRelease) -> Reading | None:
    """The numbers of a published scored cell; None for anything else."""
    if not cell.published or cell.sensitive or cell.score is None or cell.band is None:
        return None
    if cell.n_band is None:
        return None
    score, censored = parse_score(cell.score)
    low, high = int(cell.band[0]), int(cell.band[1])
    n = N_REPRESENTATIVE[cell.n_band]
    m = margin(score, low, high)
    return Reading(score, censored, low, high, n, n * (m / Z95) ** 2)


@dataclass(frozen=True)
class Prior:
    """The organisation's pooled person-level variance of one factor, and its weight."""

    sd_sq: Fraction
    weight: int = PRIOR_WEIGHT


#: The prior used when no released cell of a factor exists yet.
DEFAULT_PRIOR: Final = Prior(Fraction(DEFAULT_SD * DEFAULT_SD))


def cumulative_priors(releases: Sequence[Release]) -> tuple[Mapping[str, Prior], ...]:
    """Per release, the prior of every factor from the releases up to and including it.

    One pass over the history; the prior of round i never depends on a later round.
    """
    totals: dict[str, tuple[Fraction, int]] = {}
    out: list[Mapping[str, Prior]] = []
    for release in releases:
        for cell in release.cells:
            reading = read_cell(cell)
            if reading is None:
                continue
            total, weight = totals.get(cell.metric, (Fraction(0), 0))
            totals[cell.metric] = (total + (reading.n - 1) * reading.sd_sq, weight + reading.n - 1)
        out.append(
            {metric: Prior(total / weight) for metric, (total, weight) in totals.items() if weight}
        )
    return tuple(out)


def shrunk_sd_sq(reading: Reading, prior: Prior) -> Fraction:
    own = reading.n - 1
    return (prior.weight * prior.sd_sq + own * reading.sd_sq) / (prior.weight + own)


def score_variance(reading: Reading, prior: Prior) -> Fraction:
    """Variance of the displayed score around the cell's true mean."""
    return shrunk_sd_sq(reading, prior) / reading.n + ROUNDING_VARIANCE
