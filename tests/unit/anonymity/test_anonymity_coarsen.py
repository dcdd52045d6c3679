"""Coarsening (rule 8): scores, bands, rates, distributions; T18."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from core.anonymity.coarsen import (
    distribution,
    n_band,
    prevalence_display,
    rate_display,
    score_display,
    uncertainty_band,
)
from core.anonymity.release import build_release
from tests.unit.anonymity.builders import answers, cell, org_input


def test_t18_all_six_answer_the_lowest_option() -> None:
    release = build_release(org_input([("org", None, 8, answers(6, value=1))]))
    org = cell(release, "org")
    assert org.published
    assert org.score == "≤ 10"
    assert org.distribution is None


def test_t18_distribution_only_from_k_dist() -> None:
    nine = cell(build_release(org_input([("org", None, 12, answers(9))])), "org")
    ten = cell(build_release(org_input([("org", None, 12, answers(10))])), "org")
    assert nine.distribution is None
    assert ten.distribution is not None


@pytest.mark.parametrize(
    ("n", "band"),
    [
        (5, "5-9"),
        (9, "5-9"),
        (10, "10-19"),
        (19, "10-19"),
        (20, "20-49"),
        (49, "20-49"),
        (50, "50+"),
        (400, "50+"),
    ],
)
def test_n_bands(n: int, band: str) -> None:
    assert n_band(n) == band


@pytest.mark.parametrize(
    ("values", "score"),
    [
        ((1, 1, 1, 1, 1), "≤ 10"),
        ((1, 1, 1, 1, 2), "≤ 10"),  # mean 5
        ((1, 1, 1, 2, 2), "≤ 10"),  # mean 10
        ((1, 1, 2, 2, 2), "15"),  # mean 15
        ((3, 3, 3, 3, 4), "55"),  # mean 55
        ((3, 3, 3, 4, 4), "60"),  # mean 60
        ((3, 3, 4, 4, 4, 4), "65"),  # mean 66.67 rounds to 65
        ((3, 4, 4, 4, 4, 4, 4, 4), "70"),  # mean 71.875 rounds to 70
        ((4, 4, 4, 4, 4, 4, 4, 5), "80"),  # mean 78.125 rounds to 80
        ((5, 5, 5, 5, 4), "≥ 90"),  # mean 95
        ((5, 5, 5, 5, 5), "≥ 90"),
    ],
)
def test_score_rounds_to_five_with_open_ends(values: Sequence[int], score: str) -> None:
    assert score_display(values) == score


def test_uncertainty_band_is_rounded_outward_and_clamped() -> None:
    assert uncertainty_band((3, 3, 3, 3, 3)) == ("50", "50")
    # scores 0,25,50,75,100: mean 50, s = 39.53, margin = 1.96*s/sqrt(5) = 34.65
    assert uncertainty_band((1, 2, 3, 4, 5)) == ("15", "85")
    # scores 0,0,0,0,25: mean 5, s = 11.18, margin 9.8 -> [-4.8, 14.8] -> 0..15
    assert uncertainty_band((1, 1, 1, 1, 2)) == ("0", "15")
    assert uncertainty_band((5, 5, 5, 5, 4)) == ("85", "100")


@pytest.mark.parametrize(
    ("part", "whole", "shown"),
    [
        (0, 10, "0 %"),
        (1, 40, "< 10 %"),
        (5, 10, "50 %"),
        (6, 8, "80 %"),
        (13, 20, "70 %"),
        (17, 20, "≥ 90 %"),
        (9, 10, "≥ 90 %"),
        (10, 10, "≥ 90 %"),
    ],
)
def test_rates_to_nearest_ten_with_a_top_band(part: int, whole: int, shown: str) -> None:
    assert rate_display(part, whole) == shown


def test_prevalence_hides_small_counts_and_the_no_count() -> None:
    assert prevalence_display(0, 25, 3) == "< 3"
    assert prevalence_display(2, 25, 3) == "< 3"
    assert prevalence_display(3, 25, 3) == "10 %"
    # 24 of 25 "yes": the single "no" must not be derivable, so the top band hides it
    assert prevalence_display(24, 25, 3) == "≥ 90 %"


def _counts(values: Sequence[int]) -> dict[str, int]:
    return {
        "low": sum(v <= 2 for v in values),
        "mid": sum(v == 3 for v in values),
        "high": sum(v >= 4 for v in values),
    }


def test_distribution_merges_buckets_under_min_count() -> None:
    # low has 2: merged into mid, so the low count cannot be read off
    values = (1, 2, 3, 3, 3, 4, 4, 4, 5, 5)
    assert distribution(values, 3) == (("low+mid", "50 %"), ("high", "50 %"))
    # mid has 1: joins the smaller neighbour (low, 3) rather than high (6)
    values = (1, 1, 2, 3, 4, 4, 4, 5, 5, 5)
    assert distribution(values, 3) == (("low+mid", "40 %"), ("high", "60 %"))
    # nothing small: three buckets
    values = (1, 1, 1, 3, 3, 3, 4, 4, 4, 4)
    assert distribution(values, 3) == (("low", "30 %"), ("mid", "30 %"), ("high", "40 %"))
    # one answer off the rest: a single merged bucket says nothing and is withheld
    assert distribution((1,) + (4,) * 9, 3) is None


@pytest.mark.parametrize("seed", range(40))
def test_no_shown_bucket_holds_one_or_two_answers(seed: int) -> None:
    values = tuple(1 + (seed * 7 + i * (seed % 5 + 1)) % 5 for i in range(10 + seed % 13))
    shown = distribution(values, 3)
    counts = _counts(values)
    if shown is None:
        return
    for label, _ in shown:
        total = sum(counts[name] for name in label.split("+"))
        assert total == 0 or total >= 3, (values, shown)
    assert sum(len(label.split("+")) for label, _ in shown) == 3
