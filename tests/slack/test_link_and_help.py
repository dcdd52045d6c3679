"""`tempcheck slack link` and the help file setting."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.help import load_help
from core.errors import ConfigError
from tests.flow import roster_csv

runner = CliRunner()


def test_link_ties_a_workspace_to_the_tenant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TEMPCHECK_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 't.db'}")
    monkeypatch.setenv("TEMPCHECK_TENANT", "acme")
    (tmp_path / "org.csv").write_text(roster_csv({"Acme/Ops": 6}))
    for args in (["db", "upgrade"], ["org", "import", "org.csv"]):
        assert runner.invoke(app, args).exit_code == 0
    bad = runner.invoke(app, ["--locale", "en", "slack", "link", "not a team"])
    assert bad.exit_code == 2 and "not a Slack team id" in bad.output
    done = runner.invoke(app, ["--locale", "en", "slack", "link", "T0ACME"])
    assert done.exit_code == 0 and "T0ACME now belongs to organisation 'acme'" in done.output


def test_help_file_overrides_and_bad_files_name_the_setting(tmp_path: Path) -> None:
    default = load_help(None)
    assert "Arbeidstilsynet" in default["nb"] and "Arbeidstilsynet" in default["en"]
    good = tmp_path / "help.yaml"
    good.write_text("nb: 'Ring Kari, 912 34 567'\nen: 'Call Kari, 912 34 567'\n")
    assert load_help(good) == {"nb": "Ring Kari, 912 34 567", "en": "Call Kari, 912 34 567"}
    bad = tmp_path / "bad.yaml"
    bad.write_text("nb: 'Bare norsk'\n")
    with pytest.raises(ConfigError) as caught:
        load_help(bad)
    assert "TEMPCHECK_HELP_FILE" in caught.value.render("en")
