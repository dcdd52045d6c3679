"""tempcheck wheel add|list|missing|export|remove through the real CLI on a SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs.conftest import cli
from tests.docs.ical import events, parse


def test_add_list_missing_export_and_remove(workdir: Path) -> None:
    code, out = cli(
        "wheel", "add", "--kind", "safety_round", "--date", "2030-09-14", "--owner", "verneombud"
    )
    assert code == 0, out
    assert out.startswith("Added Psychosocial safety round on 2030-09-14 (owner: safety rep")
    code, out = cli("wheel", "list", "--year", "2030")
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0] == "Annual wheel 2030-01-01 – 2030-12-31:"
    assert any("Psychosocial safety round" in x and x.endswith("#1") for x in lines)
    assert sum(" Pulse: " in x for x in lines) == 52  # the last is ISO week 2031-W01

    code, out = cli("wheel", "missing", "--year", "2030", locale="nb")
    assert code == 0, out
    assert "ingen risikovurdering i perioden" in out
    assert "vernerunde" not in out
    assert "verneombud" in out  # 12 people and none holds the role

    ics = workdir / "wheel.ics"
    code, out = cli("wheel", "export", "--format", "ics", "--out", str(ics), "--year", "2030")
    assert code == 0, out
    assert len(events(parse(ics.read_bytes()))) == 53
    csv_file = workdir / "wheel.csv"
    assert (
        cli("wheel", "export", "--format", "CSV", "--out", str(csv_file), "--year", "2030")[0] == 0
    )
    assert len(csv_file.read_text(encoding="utf-8").splitlines()) == 54

    code, out = cli("wheel", "remove", "1")
    assert (code, out.strip()) == (0, "Removed entry 1 (Psychosocial safety round on 2030-09-14).")
    code, out = cli("wheel", "remove", "1")
    assert (code, out.strip()) == (1, "no wheel entry 1")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "--kind", "pulse", "--date", "2030-01-01", "--owner", "x"], "from the cadence"),
        (["add", "--kind", "party", "--date", "2030-01-01", "--owner", "x"], "unknown kind"),
        (["add", "--kind", "training", "--date", "2030-13-01", "--owner", "x"], "2030-13-01"),
        (["list", "--year", "2030", "--from", "2030-01-01", "--to", "2030-02-01"], "--year"),
        (["list", "--from", "2030-01-01"], "--from and --to"),
        (["missing", "--from", "2030-02-01", "--to", "2030-01-01"], "ends"),
        (["export", "--format", "pdf", "--out", "x.pdf"], "unknown format"),
    ],
)
def test_bad_input_is_a_clear_error(workdir: Path, args: list[str], message: str) -> None:
    code, out = cli("wheel", *args)
    assert code == 1
    assert message in out


def test_an_unwritable_file_is_reported(workdir: Path) -> None:
    code, out = cli("wheel", "export", "--format", "ics", "--out", str(workdir / "no" / "w.ics"))
    assert code == 1
    assert "cannot write" in out
