"""tempcheck channel set|clear|show on a real SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from bot.cli import channel, db, org
from bot.cli.main import root

runner = CliRunner()
app = typer.Typer()
app.callback()(root)
for sub, name in [(db.app, "db"), (org.app, "org"), (channel.app, "channel")]:
    app.add_typer(sub, name=name)

ROSTER = "email,name,unit,leader_of\n" + "".join(
    f"p{i}@acme.no,Person {i},{'Acme/Ops' if i % 2 else 'Acme'},{'Acme' if i == 0 else ''}\n"
    for i in range(8)
)


def cli(*args: str, locale: str = "en") -> tuple[int, str]:
    result = runner.invoke(app, ["--locale", locale, *args])
    return result.exit_code, result.output


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TEMPCHECK_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 't.db'}")
    monkeypatch.setenv("TEMPCHECK_TENANT", "acme")
    (tmp_path / "org.csv").write_text(ROSTER, encoding="utf-8")
    for args in (["db", "upgrade"], ["org", "import", "org.csv"]):
        assert cli(*args)[0] == 0
    return tmp_path


def test_set_show_and_clear(workdir: Path) -> None:
    code, out = cli("channel", "show")
    assert code == 0
    assert "Acme/Ops\n    digest: DM to the leader(s) above: Person 0" in out
    assert "team summary: not sent (no team channel)" in out
    code, out = cli(
        "channel", "set", "--unit", "Acme/Ops", "--platform", "slack", "--channel", "C0LEAD01"
    )
    assert code == 0 and "C0LEAD01" in out
    code, out = cli(
        "channel", "set", "--unit", "Acme/Ops", "--purpose", "team", "--platform", "teams",
        "--channel", "19:abc@thread.tacv2",
    )  # fmt: skip
    assert code == 0
    code, out = cli("channel", "show", locale="nb")
    assert "Acme/Ops\n    sammendrag: slack-kanal C0LEAD01" in out
    assert "teamoppsummering: teams-kanal 19:abc@thread.tacv2" in out
    assert cli("channel", "clear", "--unit", "Acme/Ops")[0] == 0
    assert "Acme/Ops\n    digest: DM to the leader(s) above" in cli("channel", "show")[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--platform", "slack", "--channel", "#general"], "is not a Slack channel id"),
        (["--platform", "teams", "--channel", "general"], "is not a Teams conversation id"),
        (["--platform", "zoom", "--channel", "C0LEAD01"], "unknown platform 'zoom'"),
        (["--platform", "slack", "--channel", "C0LEAD01", "--purpose", "x"], "unknown purpose"),
    ],
)
def test_bad_input_is_named(workdir: Path, args: list[str], message: str) -> None:
    code, out = cli("channel", "set", "--unit", "Acme/Ops", *args)
    assert code != 0 and message in out
    assert "slack-kanal" not in cli("channel", "show", locale="nb")[1]


def test_unknown_unit(workdir: Path) -> None:
    code, out = cli(
        "channel", "set", "--unit", "Acme/Nope", "--platform", "slack", "--channel", "C0LEAD01"
    )
    assert code != 0 and "Acme/Nope" in out
