"""Reading released scores back, the flag rule on hand-made series, and the digest rows."""

from __future__ import annotations

from fractions import Fraction

import pytest

from core.anonymity.release import (
    CellRelease,
    MetricInput,
    Release,
    ReleaseInput,
    UnitNode,
    build_release,
)
from core.flags import Direction, Observation, evaluate
from core.i18n import LOCALES, t
from core.overview import factor_rows, org_overview
from core.scores import Prior, margin, n_band_bounds, parse_score, read_cell, score_variance


def cell(score: str, band: tuple[str, str], n_band: str = "10-19") -> CellRelease:
    return CellRelease("u", "workload", True, None, n_band, score, band, None, None, ())


def test_display_strings_read_back() -> None:
    assert parse_score("65") == (Fraction(65), None)
    assert parse_score("≤ 10") == (Fraction(10), "low")
    assert parse_score("≥ 90") == (Fraction(90), "high")
    assert n_band_bounds("5-9") == (5, 9)
    assert n_band_bounds("50+") == (50, None)
    with pytest.raises(ValueError):
        n_band_bounds("7")


def test_margin_undoes_the_outward_rounding_and_reads_a_cut_band_from_its_other_side() -> None:
    assert margin(Fraction(65), 55, 75) == Fraction(15, 2)
    assert margin(Fraction(20), 0, 35) == Fraction(25, 2)  # cut at 0: 35 − 20 − 2.5
    assert margin(Fraction(90), 80, 100) == Fraction(15, 2)
    assert margin(Fraction(50), 50, 50) == 0


def test_a_cell_read_back_gives_its_person_sd_and_shrinks_to_the_prior() -> None:
    reading = read_cell(cell("65", ("55", "75")))
    assert reading is not None and reading.n == 13
    assert reading.sd_sq == 13 * (Fraction(15, 2) / Fraction(196, 100)) ** 2
    # A cell whose answers all agree (margin 0) still gets the prior's uncertainty.
    flat = read_cell(cell("50", ("50", "50")))
    assert flat is not None and flat.sd_sq == 0
    assert score_variance(flat, Prior(Fraction(400), 10)) == Fraction(10 * 400, 22) / 13 + Fraction(
        25, 12
    )
    assert (
        read_cell(CellRelease.withheld("u", "workload", "complementary", sensitive=False)) is None
    )


def obs(score: int, variance: int = 20) -> Observation:
    return Observation(Fraction(score), Fraction(variance))


def test_a_large_clear_drop_is_flagged_and_a_noisy_one_is_not() -> None:
    flags = evaluate([obs(70), obs(70), obs(70), obs(50)])
    assert flags[:3] == (None, None, None)
    flag = flags[3]
    assert flag is not None and flag.direction is Direction.WORSENING
    assert flag.change == -20 and flag.baseline == 70 and flag.probability > 0.99
    assert not flag.sustained
    # The same drop with a large standard error: the probability stays below 0.9.
    assert evaluate([obs(70, 300), obs(70, 300), obs(70, 300), obs(50, 300)])[3] is None


def test_a_change_below_10_points_is_never_flagged_however_certain() -> None:
    assert evaluate([obs(70, 0), obs(70, 0), obs(70, 0), obs(61, 0)])[3] is None
    flag = evaluate([obs(70, 0), obs(70, 0), obs(70, 0), obs(80, 0)])[3]
    assert flag is not None and flag.direction is Direction.IMPROVEMENT


def test_the_probability_threshold_is_exact_at_its_edge() -> None:
    # Change 15 → (15 − 5)² = 100 ≥ z²·V exactly when V ≤ 100 / 1.2815515655446004².
    edge = Fraction(100) / Fraction("1.2815515655446004") ** 2
    base = [Observation(Fraction(70), Fraction(0))] * 3
    at = evaluate([*base, Observation(Fraction(55), edge)])[3]
    above = evaluate([*base, Observation(Fraction(55), edge + Fraction(1, 10**9))])[3]
    assert at is not None and abs(at.probability - 0.9) < 1e-9
    assert above is None


def test_fewer_than_3_previous_published_values_give_no_flag_and_gaps_are_skipped() -> None:
    assert evaluate([obs(70), obs(70), obs(40)]) == (None, None, None)
    flags = evaluate([obs(70), None, obs(70), obs(70), obs(45)])
    assert flags[1] is None and flags[4] is not None and flags[4].baseline == 70


def test_a_step_change_is_sustained_against_the_same_baseline_and_a_gap_ends_it() -> None:
    flags = evaluate([obs(70), obs(70), obs(70), obs(45), obs(45), obs(45)])
    assert [f.sustained if f else None for f in flags] == [None, None, None, False, True, True]
    assert all(f.baseline == 70 for f in flags[3:] if f)
    # A gap ends the episode: the next flag is a new one, against 70, 70, 45.
    restarted = evaluate([obs(70, 1), obs(70, 1), obs(70, 1), obs(40, 1), None, obs(30, 1)])
    assert restarted[5] is not None and not restarted[5].sustained


def test_flags_are_labelled_in_both_languages() -> None:
    for locale in LOCALES:
        for direction in Direction:
            assert t(direction.label_key, locale)
    assert t("results.flag.worsening", "en") == "possible worsening"
    assert t("results.flag.worsening", "nb") == "mulig forverring"


def release(
    round_id: str, answers: dict[str, tuple[int, ...]], metric: str = "workload"
) -> Release:
    units = (UnitNode("org", None), UnitNode("a", "org"), UnitNode("b", "org"))
    counts = {u: len(v) for u, v in answers.items()}
    return build_release(
        ReleaseInput(
            round_id=round_id,
            units=units,
            eligible={u: max(n, 8) for u, n in counts.items()},
            respondents=counts,
            metrics=(MetricInput(metric, False, answers),),
        )
    )


def steady(round_id: str, a_value: int) -> Release:
    return release(round_id, {"org": (), "a": (a_value,) * 4 + (4,) * 6, "b": (3, 4) * 5})


def test_factor_rows_give_the_latest_point_its_trend_and_flag() -> None:
    history = [steady("1", 4), steady("2", 4), steady("3", 4), steady("4", 1)]
    rows = factor_rows(history, "a")
    assert [r.factor for r in rows] == ["workload"]
    row = rows[0]
    assert row.round_id == "4" and row.score == "45" and row.band is not None
    assert row.n_band == "10-19" and row.reason_key is None
    assert [p.score for p in row.trend] == ["75", "75", "75", "45"]
    assert [p.participation_band for p in row.trend] == ["10-19"] * 4
    assert [p.participation_rate for p in row.trend] == ["≥ 90 %"] * 4
    assert row.flag is Direction.WORSENING and row.flag_key == "results.flag.worsening"
    assert row.probability is not None and row.probability >= 0.9 and not row.sustained
    # Team b did not change: no flag, and its row is unaffected by a's drop in ranking terms.
    (b_row,) = factor_rows(history, "b")
    assert b_row.flag is None and [p.score for p in b_row.trend] == ["65"] * 4


def test_a_round_that_did_not_ask_the_factor_is_no_point_at_all() -> None:
    other = release("2", {"org": (), "a": (4,) * 10, "b": (4,) * 10}, metric="support")
    rows = factor_rows([steady("1", 4), other, steady("3", 4)], "a")
    by_factor = {r.factor: r for r in rows}
    assert [p.round_id for p in by_factor["workload"].trend] == ["1", "3"]
    assert [p.round_id for p in by_factor["support"].trend] == ["2"]


def test_overview_marks_suppressed_cells_with_their_reason_and_no_value() -> None:
    rel = release("1", {"org": (), "a": (4,) * 10, "b": (2,) * 4})
    view = org_overview(rel)
    assert view.units == ("org", "a", "b") and view.factors == ("workload",)
    b = view.cell("workload", "b")
    assert b.score is None and b.band is None and b.n_band is None
    assert b.reason_key == "anonymity.reason.too_few_respondents"
    a = view.cell("workload", "a")
    assert a.reason_key == "anonymity.reason.complementary" and a.score is None
    org = view.cell("workload", "org")
    assert org.score == "60" and org.reason_key is None
    assert {p.unit: p.n_band for p in view.participation} == {"org": "10-19", "a": None, "b": None}
    assert all(t(c.reason_key, "nb") for c in view.cells if c.reason_key)
