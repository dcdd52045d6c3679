"""Coarsening (rule 8): what a published cell may say, as display strings, never exact counts.

Arithmetic is exact (``Fraction``) so a recomputed release matches the stored one on every
platform; no float ever decides a rounding.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from math import floor
from typing import Final

#: Upper bounds (exclusive) of the n bands; n is never shown exactly.
N_BANDS: Final = ((10, "5-9"), (20, "10-19"), (50, "20-49"))
N_BAND_TOP: Final = "50+"
SCORE_STEP: Final = 5
SCORE_LOW: Final = 10
SCORE_HIGH: Final = 90
RATE_STEP: Final = 10
#: 95 % normal quantile, as an exact fraction.
Z95: Final = Fraction(196, 100)
#: Scored buckets: answer values 1-2 low, 3 mid, 4-5 high.
BUCKETS: Final = (("low", (1, 2)), ("mid", (3,)), ("high", (4, 5)))


def n_band(n: int) -> str:
    if n < 5:
        # Only published cells carry a band and no K is below 5: this is a defect.
        raise ValueError("n below the smallest band")
    for upper, label in N_BANDS:
        if n < upper:
            return label
    return N_BAND_TOP


def _round_half_up(value: Fraction, step: int) -> int:
    return floor(value / step + Fraction(1, 2)) * step


def person_score(value: int) -> int:
    """A 1..5 answer on the 0-100 scale."""
    return (value - 1) * 25


def mean_score(values: Sequence[int]) -> Fraction:
    return Fraction(sum(person_score(v) for v in values), len(values))


def score_display(values: Sequence[int]) -> str:
    """Mean person score to the nearest 5; the ends read "≤ 10" and "≥ 90"."""
    rounded = _round_half_up(mean_score(values), SCORE_STEP)
    if rounded <= SCORE_LOW:
        return f"≤ {SCORE_LOW}"
    if rounded >= SCORE_HIGH:
        return f"≥ {SCORE_HIGH}"
    return str(rounded)


def uncertainty_band(values: Sequence[int]) -> tuple[str, str]:
    """mean ± 1.96·s/√n (s the sample SD), clamped to 0..100 and rounded outward to 5.

    Decided without square roots: a bound L is outside the interval exactly when
    (mean − L)² >= margin², and margin² = 1.96² · s² / n is a fraction.
    """
    n = len(values)
    scores = [person_score(v) for v in values]
    mean = Fraction(sum(scores), n)
    variance = (
        sum(((s - mean) ** 2 for s in scores), Fraction(0)) / (n - 1) if n > 1 else Fraction(0)
    )
    margin_sq = Z95 * Z95 * variance / n
    low = floor(mean / SCORE_STEP) * SCORE_STEP
    while low > 0 and (mean - low) ** 2 < margin_sq:
        low -= SCORE_STEP
    high = -(floor(-mean / SCORE_STEP)) * SCORE_STEP
    while high < 100 and (high - mean) ** 2 < margin_sq:
        high += SCORE_STEP
    return str(max(low, 0)), str(min(high, 100))


def rate_display(part: int, whole: int) -> str:
    """A share to the nearest 10 %; the top band reads "≥ 90 %" so a full house is not exact."""
    if part == 0:
        return "0 %"
    rounded = _round_half_up(Fraction(100 * part, whole), RATE_STEP)
    if rounded >= 90:
        return "≥ 90 %"
    if rounded == 0:
        return "< 10 %"
    return f"{rounded} %"


def prevalence_display(yes: int, n: int, min_count: int) -> str:
    """Rule 10: a "yes" count of 0..min_count−1 reads "< 3"; otherwise a banded rate.

    The complementary "no" count is never given: its top band is "≥ 90 %" like every rate.
    """
    if yes < min_count:
        return f"< {min_count}"
    return rate_display(yes, n)


def count_display(count: int, min_count: int) -> str:
    return f"< {min_count}" if count < min_count else str(count)


def distribution(values: Sequence[int], min_count: int) -> tuple[tuple[str, str], ...] | None:
    """Three buckets as rounded shares, merging any bucket of 1..min_count−1 into a neighbour.

    Merging works on counts before rounding, so every shown bucket holds 0 or >= min_count
    answers and no count of 1-2 can be read off the shares or their differences. If merging
    leaves a single bucket the distribution says nothing and is withheld.
    """
    groups: list[tuple[list[str], int]] = [
        ([name], sum(1 for v in values if v in members)) for name, members in BUCKETS
    ]
    while True:
        small = [i for i, (_, count) in enumerate(groups) if 0 < count < min_count]
        if not small or len(groups) == 1:
            break
        i = min(small, key=lambda j: (groups[j][1], j))
        if i == 0:
            j = 1
        elif i == len(groups) - 1:
            j = i - 1
        else:  # a middle bucket joins its smaller neighbour; the lower one on a tie
            j = i - 1 if groups[i - 1][1] <= groups[i + 1][1] else i + 1
        first, second = min(i, j), max(i, j)
        merged = (groups[first][0] + groups[second][0], groups[first][1] + groups[second][1])
        groups[first : second + 1] = [merged]
    if len(groups) == 1:
        return None
    total = len(values)
    return tuple(("+".join(names), rate_display(count, total)) for names, count in groups)


def describe(
    values: Sequence[int], *, sensitive: bool, k_dist: int, min_count: int
) -> tuple[str, str | None, tuple[str, str] | None, tuple[tuple[str, str], ...] | None, str | None]:
    """(n band, score, band, distribution, prevalence) of a published cell's answers.

    A sensitive cell says only its prevalence (the caller has already required n >= K_SENSITIVE):
    no score, no distribution, and so no way to read the "no" count either.
    """
    band = n_band(len(values))
    if sensitive:
        yes = sum(1 for v in values if v == 2)
        return band, None, None, None, prevalence_display(yes, len(values), min_count)
    dist = distribution(values, min_count) if len(values) >= k_dist else None
    return band, score_display(values), uncertainty_band(values), dist, None
