"""``tempcheck serve`` starts without importing what it does not use: the other commands'
modules, the Teams SDK (unless Teams is configured) and matplotlib (until a chart is drawn).
Each replica pays its imports in CPU at every start (docs/benchmarks.md, fan-out)."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from bot.cli import app
from bot.cli.main import COMMANDS

#: What serve imports: the command and everything it builds at start (the server, Slack,
#: the scheduler and its sender, the digest renderer with its chart function).
SERVE_PATH = """
import json, sys
from bot.cli.main import load_command
load_command("serve")
import bot.app, bot.charts, bot.server, bot.slack.app, core.digest_service, scheduler.runner
print(json.dumps(sorted(sys.modules)))
"""
HEAVY = ("matplotlib", "microsoft_agents", "pandas", "openpyxl", "msal", "jwt")


def test_the_serve_path_leaves_heavy_modules_unimported() -> None:
    out = subprocess.run(
        [sys.executable, "-c", SERVE_PATH], capture_output=True, text=True, check=True
    ).stdout
    loaded = set(json.loads(out))
    assert "bot.cli.serve" in loaded  # the probe did load the command
    heavy = sorted(m for m in loaded if m.split(".")[0] in HEAVY)
    assert heavy == []
    other_commands = {module for module, _ in COMMANDS.values()} - {"bot.cli.serve"}
    assert sorted(loaded & other_commands) == []
    assert "bot.teams.app" not in loaded


def test_help_still_lists_every_command() -> None:
    result = CliRunner().invoke(app, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    listed = {
        line.strip("│ ").split()[0] for line in result.output.splitlines() if line.startswith("│ ")
    }
    assert set(COMMANDS) <= listed


def test_a_command_of_another_module_is_still_under_its_group() -> None:
    result = CliRunner().invoke(app, ["org", "--help"], terminal_width=200)
    assert result.exit_code == 0 and "sync-slack" in result.output
