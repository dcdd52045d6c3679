"""Primary, complementary and member-view suppression: privacy.md T01-T06 (engine part)."""

from __future__ import annotations

import pytest

from core.anonymity.release import build_release
from core.anonymity.view import view_for
from core.i18n import t
from tests.unit.anonymity.builders import answers, cell, org_input, published_units, thresholds_for


def test_t01_unit_with_four_respondents_is_suppressed_without_n_or_score() -> None:
    release = build_release(
        org_input([("org", None, 12, answers(10)), ("team", "org", 8, answers(4))])
    )
    team = cell(release, "team")
    assert not team.published
    assert team.reason == "too_few_respondents"
    assert team.n_band is None and team.score is None and team.band is None
    assert team.distribution is None and team.prevalence is None
    assert t(f"anonymity.reason.{team.reason}", "en") == "too few responses"
    assert t(f"anonymity.reason.{team.reason}", "nb") == "for få svar"


@pytest.mark.parametrize("k", [5, 6, 7])
@pytest.mark.parametrize(("offset", "shown"), [(-1, False), (0, True), (1, True)])
def test_t02_threshold_k_minus_one_k_k_plus_one(k: int, offset: int, shown: bool) -> None:
    n = k + offset
    release = build_release(
        org_input([("org", None, k + 3, answers(n))], thresholds=thresholds_for(k))
    )
    org = cell(release, "org")
    assert org.published is shown
    assert org.reason == (None if shown else "too_few_respondents")
    assert (org.score is not None) is shown


def test_too_few_eligible_unit_is_never_a_cell_and_rolls_up() -> None:
    release = build_release(
        org_input([("org", None, 6, answers(6)), ("small", "org", 5, answers(5))])
    )
    assert cell(release, "small").reason == "too_few_eligible"
    assert cell(release, "org").published
    assert cell(release, "org").n_band == "10-19"  # the small unit's answers count in org


def test_organisation_below_k_eligible_has_no_reports_at_all() -> None:
    release = build_release(org_input([("org", None, 5, answers(5))]))
    assert not published_units(release)
    assert cell(release, "org").reason == "too_few_eligible"
    assert not any(p.published for p in release.participation)


def test_t03_member_view_needs_k_plus_one_non_members_see_k() -> None:
    rows = [("org", None, 12, answers(10)), ("team", "org", 8, answers(5))]
    at_five = build_release(org_input(rows))
    team = cell(at_five, "team")
    assert team.published
    assert "team" in team.hidden_for_home_units
    member = view_for(at_five, frozenset({"team"}), sensitive_allowed=False)
    outsider = view_for(at_five, frozenset({"org"}), sensitive_allowed=False)
    assert "team" not in {c.unit for c in member}
    assert "team" in {c.unit for c in outsider}
    # a channel with one team member in it is treated like that member
    channel = view_for(at_five, frozenset({"org", "team"}), sensitive_allowed=False)
    assert "team" not in {c.unit for c in channel}

    at_six = build_release(org_input([rows[0], ("team", "org", 8, answers(6))]))
    member = view_for(at_six, frozenset({"team"}), sensitive_allowed=False)
    assert "team" in {c.unit for c in member}


def test_member_view_residual_region_of_the_viewer_needs_k_plus_one() -> None:
    # org residual is exactly 5 = K: published for everyone, but a viewer whose home is in that
    # residual knows one of the 5 answers, so the smallest child is hidden from them.
    release = build_release(
        org_input(
            [
                ("org", None, 5, answers(5)),
                ("a", "org", 8, answers(6)),
                ("b", "org", 8, answers(7)),
            ]
        )
    )
    assert published_units(release) == {"org", "a", "b"}
    assert cell(release, "a").hidden_for_home_units == ("org",)
    assert cell(release, "b").hidden_for_home_units == ()
    assert {c.unit for c in view_for(release, frozenset({"org"}), sensitive_allowed=False)} == {
        "org",
        "b",
    }
    assert {c.unit for c in view_for(release, frozenset({"b"}), sensitive_allowed=False)} == {
        "org",
        "a",
        "b",
    }


def test_t04_parent_ten_is_six_plus_four() -> None:
    release = build_release(
        org_input(
            [("org", None, 0, ()), ("six", "org", 8, answers(6)), ("four", "org", 6, answers(4))]
        )
    )
    assert cell(release, "four").reason == "too_few_respondents"
    assert cell(release, "six").reason == "complementary"
    assert cell(release, "org").published


def test_t05_parent_eleven_is_six_plus_five_at_k5_then_k6() -> None:
    rows = [("org", None, 0, ()), ("six", "org", 8, answers(6)), ("five", "org", 8, answers(5))]
    at_five = build_release(org_input(rows, thresholds=thresholds_for(5)))
    assert published_units(at_five) == {"org", "six", "five"}

    at_six = build_release(org_input(rows, thresholds=thresholds_for(6)))
    assert cell(at_six, "five").reason == "too_few_respondents"
    assert cell(at_six, "six").reason == "complementary"
    assert published_units(at_six) == {"org"}


def test_t06_subtree_twenty_with_eight_nine_and_three_direct() -> None:
    release = build_release(
        org_input(
            [
                ("org", None, 4, answers(3)),
                ("eight", "org", 10, answers(8)),
                ("nine", "org", 10, answers(9)),
            ]
        )
    )
    assert cell(release, "org").n_band == "20-49"
    assert cell(release, "eight").reason == "complementary"
    assert published_units(release) == {"org", "nine"}


def test_complementary_applies_to_participation_too() -> None:
    release = build_release(
        org_input(
            [("org", None, 0, ()), ("six", "org", 8, answers(6)), ("four", "org", 6, answers(4))]
        )
    )
    shown = {p.unit: p for p in release.participation}
    assert shown["four"].reason == "too_few_respondents"
    assert shown["six"].reason == "complementary"
    assert shown["org"].published and shown["org"].rate == "70 %"
    assert shown["org"].n_band == "10-19"


def test_deeper_suppression_cascades_and_keeps_siblings() -> None:
    # dept = 7 + 3 (direct) -> residual 3, so team7 goes; org then sees dept (10) and other (9)
    release = build_release(
        org_input(
            [
                ("org", None, 2, answers(2)),
                ("dept", "org", 4, answers(3)),
                ("team7", "dept", 8, answers(7)),
                ("other", "org", 10, answers(9)),
            ]
        )
    )
    assert cell(release, "team7").reason == "complementary"
    # org residual is 21 - 10 - 9 = 2 < 5, so the smaller child goes too (other, 9 < 10)
    assert cell(release, "other").reason == "complementary"
    assert published_units(release) == {"org", "dept"}


def test_view_scope_limits_cells_and_keeps_release_order() -> None:
    release = build_release(
        org_input(
            [
                ("org", None, 12, answers(10)),
                ("a", "org", 8, answers(7)),
                ("b", "org", 8, answers(7)),
            ]
        )
    )
    scoped = view_for(release, frozenset({"b"}), frozenset({"a", "b"}), sensitive_allowed=False)
    assert [c.unit for c in scoped] == ["a", "b"]
    assert all(c.published for c in view_for(release, frozenset(), sensitive_allowed=True))
