"""The Slack app manifest: what the app asks for, and `tempcheck slack manifest --host`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from bot.cli import app
from bot.cli import slack as slack_cli

MANIFEST = Path(__file__).resolve().parents[2] / "manifest" / "slack" / "manifest.yaml"
SCOPES = {
    "chat:write",
    "im:write",
    "im:history",
    "users:read",
    "users:read.email",
    "commands",
    "files:write",
    "channels:read",
    "groups:read",
}


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--locale", "en", "slack", *args])
    return result.exit_code, result.output


@pytest.fixture(autouse=True)
def no_env_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def manifest() -> dict[str, Any]:
    loaded = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_the_command_prints_the_template_it_reads() -> None:
    assert slack_cli.MANIFEST == MANIFEST


def test_manifest_asks_for_the_scopes_events_and_command_tempcheck_needs() -> None:
    m = manifest()
    assert set(m["oauth_config"]["scopes"]["bot"]) == SCOPES
    assert m["oauth_config"]["redirect_urls"] == ["https://HOST/slack/oauth_redirect"]
    settings = m["settings"]
    assert settings["event_subscriptions"]["request_url"] == "https://HOST/slack/events"
    assert set(settings["event_subscriptions"]["bot_events"]) == {"app_home_opened", "message.im"}
    assert settings["interactivity"] == {
        "is_enabled": True,
        "request_url": "https://HOST/slack/events",
    }
    assert settings["socket_mode_enabled"] is False
    assert settings["org_deploy_enabled"] is False
    assert settings["token_rotation_enabled"] is False
    (command,) = m["features"]["slash_commands"]
    assert command["command"] == "/tempcheck"
    assert command["usage_hint"] == "help | privacy | status | help-contacts"
    assert command["url"] == "https://HOST/slack/events"
    home = m["features"]["app_home"]
    assert home["home_tab_enabled"] and home["messages_tab_enabled"]
    assert m["features"]["bot_user"]["display_name"] == "tempcheck"


def test_display_texts_fit_slacks_limits() -> None:
    info = manifest()["display_information"]
    assert 1 <= len(info["name"]) <= 35
    assert len(info["description"]) <= 140
    assert 175 <= len(info["long_description"]) <= 4000


def test_cli_fills_in_the_host() -> None:
    code, out = cli("manifest", "--host", "x.example")
    assert code == 0, out
    assert "https://x.example/slack/events" in out
    assert "https://x.example/slack/oauth_redirect" in out
    assert "HOST" not in out
    filled = yaml.safe_load(out)
    assert set(filled["oauth_config"]["scopes"]["bot"]) == SCOPES
    assert filled["features"]["slash_commands"][0]["url"] == "https://x.example/slack/events"


def test_cli_accepts_a_url_and_renames_the_app() -> None:
    code, out = cli("manifest", "--host", "https://pulse.acme.no:8443/", "--name", "Acme Puls")
    assert code == 0, out
    filled = yaml.safe_load(out)
    assert filled["settings"]["event_subscriptions"]["request_url"] == (
        "https://pulse.acme.no:8443/slack/events"
    )
    assert filled["display_information"]["name"] == "Acme Puls"
    assert filled["features"]["bot_user"]["display_name"] == "acme-puls"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--host", "x.example/path"], "is not a host name"),
        (["--host", "two words"], "is not a host name"),
        (["--host", "x.example", "--name", "n" * 36], "1 to 35 characters"),
    ],
)
def test_cli_rejects_bad_input(args: list[str], message: str) -> None:
    code, out = cli("manifest", *args)
    assert code == 1
    assert message in out
