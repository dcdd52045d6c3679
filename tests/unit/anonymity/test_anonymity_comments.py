"""Comments (rule 9): T19, placement, audiences, order."""

from __future__ import annotations

import random

from core.anonymity.release import CommentInput, build_release
from core.anonymity.view import LEADER_AUDIENCES, SAFETY_AUDIENCES, comments_for
from tests.unit.anonymity.builders import answers, org_input


def _comments(unit: str, count: int, audience: str = "leader") -> list[CommentInput]:
    return [CommentInput(unit, audience, f"{unit} comment {i}") for i in range(count)]


def test_t19_unit_of_eight_is_not_shown_and_parent_needs_ten() -> None:
    nine = build_release(
        org_input(
            [("org", None, 3, answers(1)), ("team", "org", 8, answers(8))],
            comments=_comments("team", 3),
        )
    )
    assert nine.comments == ()  # org has 9 respondents: no cell qualifies, nothing is shown

    ten = build_release(
        org_input(
            [("org", None, 3, answers(2)), ("team", "org", 8, answers(8))],
            comments=_comments("team", 3),
        )
    )
    assert len(ten.comments) == 3
    # unlabelled: shown at org, never attributed to the team the writers belong to
    assert {c.unit for c in ten.comments} == {"org"}


def test_comment_cells_are_complementary_suppressed_at_k_comment() -> None:
    # org 12 = team 10 + 2 direct: if the team's comments showed at team and org's own at org,
    # org's list would come from 2 people. So the team cell gives way and all show at org.
    release = build_release(
        org_input(
            [("org", None, 3, answers(2)), ("team", "org", 12, answers(10))],
            comments=[*_comments("team", 2), *_comments("org", 1)],
        )
    )
    assert {c.unit for c in release.comments} == {"org"}
    assert len(release.comments) == 3


def test_comments_show_at_the_smallest_qualifying_cell() -> None:
    release = build_release(
        org_input(
            [
                ("org", None, 12, answers(10)),
                ("team", "org", 12, answers(10)),
                ("tiny", "team", 3, answers(0)),
            ],
            respondents={"org": 10, "team": 10, "tiny": 2},
            comments=[*_comments("tiny", 1), *_comments("team", 1), *_comments("org", 1)],
        )
    )
    placed = {c.text: c.unit for c in release.comments}
    assert placed == {"tiny comment 0": "team", "team comment 0": "team", "org comment 0": "org"}


def test_audiences_and_themes() -> None:
    comments = [
        CommentInput("org", "leader", "to the leader"),
        CommentInput("org", "hr_verneombud", "to hr"),
        CommentInput("org", "themes", "themes only"),
    ]
    release = build_release(org_input([("org", None, 12, answers(10))], comments=comments))
    assert [c.text for c in comments_for(release, LEADER_AUDIENCES)] == ["to the leader"]
    assert {c.text for c in comments_for(release, SAFETY_AUDIENCES)} == {"to the leader", "to hr"}
    assert "themes only" not in release.to_json()
    assert [(c.unit, c.count) for c in release.theme_counts] == [("org", "< 3")]


def test_comment_order_ignores_input_order_and_carries_no_timestamps() -> None:
    comments = [CommentInput("org", "leader", f"comment {i:02}") for i in range(10)]
    rows = [("org", None, 12, answers(10))]
    first = build_release(org_input(rows, comments=comments))
    shuffled = list(comments)
    random.Random(7).shuffle(shuffled)
    second = build_release(org_input(rows, comments=shuffled))
    assert first.comments == second.comments
    texts = [c.text for c in first.comments]
    assert sorted(texts) == [c.text for c in comments]
    assert texts != sorted(texts)  # shuffled, not in submission (or any sorted) order
    assert set(first.to_dict()["comments"][0]) == {"unit", "audience", "text"}  # type: ignore[index]
