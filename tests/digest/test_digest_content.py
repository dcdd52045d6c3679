"""Digest content from fixed releases: golden files in both languages, the member view of
the readers, withheld units, gaps that stay gaps, and no sensitive item in a leader's digest."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from core.anonymity.record import CellRelease, CommentRelease, ParticipationRelease, Release
from core.anonymity.thresholds import Thresholds
from core.digest import (
    Digest,
    RoundRelease,
    build_digest,
    chat_text,
    html,
    markdown,
    summary_text,
)
from core.flags import Direction
from core.questions import load_default_bank

GOLDEN = Path(__file__).parent / "golden"
BANK = load_default_bank()


def cell(unit: str, metric: str, score: str | None, *, hidden: tuple[str, ...] = ()) -> CellRelease:
    if score is None:
        return CellRelease.withheld(unit, metric, "too_few_respondents", sensitive=False)
    low, high = str(int(score) - 10), str(int(score) + 10)
    return CellRelease(unit, metric, True, None, "10-19", score, (low, high), None, None, hidden)


def release(round_id: str, ops: dict[str, str | None], hidden: tuple[str, ...] = ()) -> Release:
    cells = [cell("2", metric, score, hidden=hidden) for metric, score in ops.items()]
    cells.append(CellRelease.withheld("3", "workload", "too_few_respondents", sensitive=False))
    cells.append(
        CellRelease(
            "2", "bullying_harassment", True, None, "10-19", None, None, None, "< 3", (), True
        )
    )
    return Release(
        round_id=round_id,
        thresholds=Thresholds(),
        cells=tuple(cells),
        participation=(ParticipationRelease("2", True, None, "10-19", "70 %", ()),),
        comments=(
            CommentRelease("2", "leader", "Mer tid til planlegging, takk."),
            CommentRelease("2", "hr_verneombud", "Only for HR."),
        ),
    )


HISTORY = [
    RoundRelease("2026-W39", release("1", {"workload": "65", "leadership": "70"})),
    RoundRelease("2026-W40", release("2", {"workload": "70", "leadership": "70"})),
    RoundRelease("2026-W41", release("3", {"workload": None, "leadership": "70"})),
    RoundRelease("2026-W42", release("4", {"workload": "65", "leadership": "75"})),
    RoundRelease("2026-W43", release("5", {"workload": "40", "leadership": "75"})),
]


def ops_digest(locale: str, readers: frozenset[str] | None = frozenset({"1"})) -> Digest:
    return build_digest(
        unit_id=2,
        unit_path="Acme/Ops",
        parent_path="Acme",
        history=HISTORY,
        readers=readers,
        question_set=BANK,
        locale=locale,
    )


@pytest.mark.parametrize("locale", ["nb", "en"])
@pytest.mark.parametrize("fmt", ["md", "html", "txt"])
def test_golden(locale: str, fmt: str) -> None:
    digest = ops_digest(locale)
    renderers: dict[str, Callable[[Digest], str]] = {
        "md": markdown,
        "txt": chat_text,
        "html": lambda d: html(d, "ops.png"),
    }
    rendered = renderers[fmt](digest)
    path = GOLDEN / f"ops.{locale}.{fmt}"
    if os.environ.get("TEMPCHECK_UPDATE_GOLDEN"):
        path.write_text(rendered, encoding="utf-8")
    assert rendered == path.read_text(encoding="utf-8")


def test_content() -> None:
    digest = ops_digest("en")
    workload = next(f for f in digest.factors if f.factor == "workload")
    assert workload.score == "40"
    assert [p.score for p in workload.history] == ["65", "70", None, "65"]
    assert workload.flag is Direction.WORSENING and not workload.sustained
    leadership = next(f for f in digest.factors if f.factor == "leadership")
    assert leadership.flag is None and leadership.discussion == ()
    assert len(workload.discussion) == 3 and workload.meaning
    assert [f.factor for f in digest.factors] == ["workload", "leadership"]  # no sensitive item
    assert digest.comments == ("Mer tid til planlegging, takk.",)  # leader audience only
    assert digest.participation == "70 %"
    assert "< 3" not in markdown(digest) and "Only for HR" not in markdown(digest)


def test_readers_from_the_unit_itself_hide_member_view_cells() -> None:
    history = [
        RoundRelease("2026-W43", release("5", {"workload": "45", "leadership": "75"}, ("2",)))
    ]
    outsiders = build_digest(
        unit_id=2, unit_path="Acme/Ops", parent_path="Acme", history=history,
        readers=frozenset({"1"}), question_set=BANK, locale="en",
    )  # fmt: skip
    insiders = build_digest(
        unit_id=2, unit_path="Acme/Ops", parent_path="Acme", history=history,
        readers=frozenset({"1", "2"}), question_set=BANK, locale="en",
    )  # fmt: skip
    unknown = build_digest(
        unit_id=2, unit_path="Acme/Ops", parent_path="Acme", history=history,
        readers=None, question_set=BANK, locale="en",
    )  # fmt: skip
    assert outsiders.factors[0].score == "45"
    for digest in (insiders, unknown):
        assert digest.withheld and all(f.score is None for f in digest.factors)
        text = markdown(digest)
        assert "45" not in text and "75" not in text and "Acme" in text


def test_a_withheld_unit_says_why_and_points_to_the_parent() -> None:
    digest = build_digest(
        unit_id=3, unit_path="Acme/Sales", parent_path="Acme", history=HISTORY,
        readers=frozenset({"1"}), question_set=BANK, locale="nb",
    )  # fmt: skip
    assert digest.withheld and digest.comments == ()
    text = markdown(digest)
    assert "for få svar" in text and "Se resultatene for Acme" in text


def test_employee_summary_orders_factors_within_the_unit_only() -> None:
    text = summary_text(ops_digest("en"))
    assert text is not None
    assert "What works best: Leadership (75 of 100)." in text
    assert "What we most need to look at: Workload and time pressure (40 of 100)." in text
    assert "Acme/Sales" not in text and "Mer tid" not in text  # no other unit, no comments
    nb = summary_text(ops_digest("nb"))
    assert nb is not None and "Det som fungerer best: Ledelse (75 av 100)." in nb


def test_no_summary_for_a_withheld_unit() -> None:
    digest = build_digest(
        unit_id=3, unit_path="Acme/Sales", parent_path="Acme", history=HISTORY,
        readers=None, question_set=BANK, locale="en",
    )  # fmt: skip
    assert summary_text(digest) is None
