"""Coarsening (rule 8): what a published cell may say, as display strings, never exact counts.

Arithmetic is exact (``Fraction``) so a recomputed release matches the stored one on every
platform; no float ever decides a rounding.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from fractions import Fraction
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


def _round_half_up(part: int, whole: int, step: int) -> int:
    """part/whole (whole > 0) to the nearest multiple of ``step``, halves up, in integers:
    floor(p/(q·step) + 1/2) = floor((2p + q·step) / (2q·step))."""
    return (2 * part + whole * step) // (2 * whole * step) * step


def person_score(value: int) -> int:
    """A 1..5 answer on the 0-100 scale."""
    return (value - 1) * 25


def mean_score(values: Sequence[int]) -> Fraction:
    return Fraction(sum(person_score(v) for v in values), len(values))


def _score_from_sum(total: int, n: int) -> str:
    rounded = _round_half_up(total, n, SCORE_STEP)
    if rounded <= SCORE_LOW:
        return f"≤ {SCORE_LOW}"
    if rounded >= SCORE_HIGH:
        return f"≥ {SCORE_HIGH}"
    return str(rounded)


def score_display(values: Sequence[int]) -> str:
    """Mean person score to the nearest 5; the ends read "≤ 10" and "≥ 90"."""
    return _score_from_sum(sum(person_score(v) for v in values), len(values))


def _band_from_sums(total: int, squares: int, n: int) -> tuple[str, str]:
    """The band from n, Σ score and Σ score², in integers only.

    With mean = S/n, s² = (nQ − S²) / (n(n − 1)) and margin² = 1.96² · s² / n, the test
    (mean − L)² < margin² multiplied by the positive 10⁴ · n² · (n − 1) reads
    10⁴ · (n − 1) · (S − nL)² < 196² · (nQ − S²): the same comparison, exactly, without a
    fraction (for n = 1 both sides are 0, as the margin is).
    """
    spread = 196 * 196 * (n * squares - total * total)
    scale = 10_000 * (n - 1)

    def inside(bound: int) -> bool:
        return scale * (total - n * bound) ** 2 < spread

    low = (total // (SCORE_STEP * n)) * SCORE_STEP
    while low > 0 and inside(low):
        low -= SCORE_STEP
    high = -((-total) // (SCORE_STEP * n)) * SCORE_STEP
    while high < 100 and inside(high):
        high += SCORE_STEP
    return str(max(low, 0)), str(min(high, 100))


def uncertainty_band(values: Sequence[int]) -> tuple[str, str]:
    """mean ± 1.96·s/√n (s the sample SD), clamped to 0..100 and rounded outward to 5.

    Decided without square roots: a bound L is outside the interval exactly when
    (mean − L)² >= margin², and margin² = 1.96² · s² / n is a fraction.
    """
    scores = [person_score(v) for v in values]
    return _band_from_sums(sum(scores), sum(s * s for s in scores), len(scores))


def rate_display(part: int, whole: int) -> str:
    """A share to the nearest 10 %; the top band reads "≥ 90 %" so a full house is not exact."""
    if part == 0:
        return "0 %"
    rounded = _round_half_up(100 * part, whole, RATE_STEP)
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
    return _distribution_of_counts(Counter(values), len(values), min_count)


def _distribution_of_counts(
    counts: Mapping[int, int], total: int, min_count: int
) -> tuple[tuple[str, str], ...] | None:
    groups: list[tuple[list[str], int]] = [
        ([name], sum(counts.get(v, 0) for v in members)) for name, members in BUCKETS
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
    return tuple(("+".join(names), rate_display(count, total)) for names, count in groups)


def describe(
    values: Sequence[int], *, sensitive: bool, k_dist: int, min_count: int
) -> tuple[str, str | None, tuple[str, str] | None, tuple[tuple[str, str], ...] | None, str | None]:
    """(n band, score, band, distribution, prevalence) of a published cell's answers.

    A sensitive cell says only its prevalence (the caller has already required n >= K_SENSITIVE):
    no score, no distribution, and so no way to read the "no" count either.
    """
    return describe_counts(Counter(values), sensitive=sensitive, k_dist=k_dist, min_count=min_count)


def describe_counts(
    counts: Mapping[int, int], *, sensitive: bool, k_dist: int, min_count: int
) -> tuple[str, str | None, tuple[str, str] | None, tuple[tuple[str, str], ...] | None, str | None]:
    """``describe`` from how many answers each value got: everything it shows depends only on
    these counts, so a cell's answers never need to be listed (the release engine adds the
    counts of a subtree instead of collecting its answers)."""
    n = sum(counts.values())
    band = n_band(n)
    if sensitive:
        yes = counts.get(2, 0)
        return band, None, None, None, prevalence_display(yes, n, min_count)
    dist = _distribution_of_counts(counts, n, min_count) if n >= k_dist else None
    total = sum(person_score(v) * c for v, c in counts.items())
    squares = sum(person_score(v) ** 2 * c for v, c in counts.items())
    return band, _score_from_sum(total, n), _band_from_sums(total, squares, n), dist, None
