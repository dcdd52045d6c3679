"""tempcheck wheel add|list|missing|export|remove through the real CLI on a SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from tests.docs.ical import events, parse

runner = CliRunner()
ROSTER = "email,name,unit\n" + "".join(
    f"p{i}@acme.no,Person {i},{'Acme/Ops' if i % 2 else 'Acme'}\n" for i in range(12)
)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TEMPCHECK_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 't.db'}")
    monkeypatch.setenv("TEMPCHECK_TENANT", "acme")
    monkeypatch.setenv("TEMPCHECK_KEY_STORE_PATH", str(tmp_path / "keys"))
    (tmp_path / "org.csv").write_text(ROSTER, encoding="utf-8")
    for args in (["db", "upgrade"], ["org", "import", "org.csv"], ["questions", "import"]):
        assert cli(*args)[0] == 0
    return tmp_path


def cli(*args: str, locale: str = "en") -> tuple[int, str]:
    result = runner.invoke(app, ["--locale", locale, *args])
    return result.exit_code, result.output


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
