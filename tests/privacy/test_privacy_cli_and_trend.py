"""`tempcheck privacy audit` end to end, and T12: multi-round views use published cells only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from core.anonymity.release import MetricInput, Release, ReleaseInput, UnitNode, build_release
from core.trend import published_series

runner = CliRunner()


def audit(tmp_path: Path, payload: object) -> tuple[int, str]:
    path = tmp_path / "structure.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    result = runner.invoke(app, ["--locale", "en", "privacy", "audit", str(path)])
    return result.exit_code, result.output


def unit(uid: str, parent: str | None, n: int, eligible: int | None = None) -> dict[str, object]:
    return {
        "id": uid,
        "parent": parent,
        "eligible": n if eligible is None else eligible,
        "respondents": n,
    }


@pytest.mark.parametrize(
    ("k", "expected"),
    [
        (5, {"p": (True, None), "a": (True, None), "b": (True, None)}),
        (
            6,
            {"p": (True, None), "a": (False, "complementary"), "b": (False, "too_few_respondents")},
        ),
    ],
)
def test_T05_through_the_cli(tmp_path: Path, k: int, expected: dict[str, object]) -> None:
    payload = {"k": k, "units": [unit("p", None, 0), unit("a", "p", 6, 8), unit("b", "p", 5, 8)]}
    code, out = audit(tmp_path, payload)
    assert code == 0, out
    cells = {c["unit"]: (c["published"], c["reason"]) for c in json.loads(out)["cells"]}
    assert cells == expected
    assert [c["unit"] for c in json.loads(out)["cells"]] == ["p", "a", "b"]


def test_T06_through_the_cli(tmp_path: Path) -> None:
    payload = {"units": [unit("s", None, 3), unit("e", "s", 8), unit("n", "s", 9)]}
    code, out = audit(tmp_path, payload)
    result = json.loads(out)
    cells = {c["unit"]: (c["published"], c["reason"], c["n_band"]) for c in result["cells"]}
    assert code == 0 and result["k"] == 5
    assert cells == {
        "s": (True, None, "20-49"),
        "e": (False, "complementary", None),
        "n": (True, None, "5-9"),
    }


def test_bad_structure_exits_non_zero_with_a_clear_message(tmp_path: Path) -> None:
    code, out = audit(tmp_path, {"k": 4, "units": [unit("a", None, 6)]})
    assert code == 1 and "k" in out
    code, out = audit(tmp_path, {"units": [unit("a", "ghost", 6)]})
    assert code == 1 and "ghost" in out


def _release(round_id: str, n: int, value: int) -> Release:
    return build_release(
        ReleaseInput(
            round_id=round_id,
            units=(UnitNode("org", None),),
            eligible={"org": 12},
            respondents={"org": n},
            metrics=(MetricInput("workload", False, {"org": (value,) * n}),),
        )
    )


def test_T12_a_suppressed_round_is_a_gap_and_changes_nothing_before_it() -> None:
    rounds = [_release("1", 9, 4), _release("2", 8, 3), _release("3", 10, 5)]
    before = published_series(rounds, "org", "workload")
    with_gap = published_series([*rounds, _release("4", 3, 1)], "org", "workload")
    assert [p.score for p in before] == ["75", "50", "≥ 90"]
    assert with_gap[:3] == before
    assert with_gap[3].round_id == "4" and with_gap[3].score is None and with_gap[3].band is None
