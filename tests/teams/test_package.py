"""The Teams app package: manifest filled in and valid against the vendored schema subset,
both icons at the sizes Teams requires; the CLI command that builds it."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from bot.cli.main import app as cli
from bot.cli.teams import app as teams_cli
from bot.teams.package import MANIFEST_DIR, build_package, render_manifest
from core.errors import TempcheckError
from tests.teams.schema.validate import load_schema, validate

APP_ID = "0F8FAD5B-D9CB-469F-A165-70867728950E"


def test_the_template_itself_is_valid_once_filled() -> None:
    template = (MANIFEST_DIR / "manifest.json").read_text(encoding="utf-8")
    manifest = render_manifest(template, app_id=APP_ID, host="tempcheck.example.org")
    assert validate(manifest, load_schema()) == []


def test_the_validator_catches_what_teams_would_refuse() -> None:
    template = (MANIFEST_DIR / "manifest.json").read_text(encoding="utf-8")
    manifest = render_manifest(template, app_id=APP_ID, host="tempcheck.example.org")
    manifest["name"]["short"] = "x" * 31
    manifest["bots"][0]["scopes"] = ["personal", "everywhere"]
    manifest["accentColor"] = "green"
    del manifest["developer"]["privacyUrl"]
    manifest["surprise"] = True
    problems = validate(manifest, load_schema())
    assert len(problems) == 5, problems


def test_package_zip_has_manifest_and_icons(tmp_path: Path) -> None:
    out = build_package(tmp_path / "pkg" / "tempcheck.zip", app_id=APP_ID, host="tc.example.org")
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        color = Image.open(io.BytesIO(archive.read("color.png")))
        outline = Image.open(io.BytesIO(archive.read("outline.png")))
    assert validate(manifest, load_schema()) == []
    assert manifest["id"] == APP_ID.lower() and manifest["bots"][0]["botId"] == APP_ID.lower()
    assert manifest["developer"]["privacyUrl"] == "https://tc.example.org/privacy"
    assert manifest["validDomains"] == ["tc.example.org"]
    assert set(manifest["bots"][0]["scopes"]) == {"personal", "team"}
    titles = [c["title"] for c in manifest["bots"][0]["commandLists"][0]["commands"]]
    assert titles == ["help", "privacy", "status", "help-contacts"]
    assert color.size == (192, 192) and outline.size == (32, 32)
    # The outline icon is white on transparent, as Teams requires.
    raw = outline.convert("RGBA").tobytes()
    pixels = [raw[i : i + 4] for i in range(0, len(raw), 4)]
    assert all(p[3] == 0 or p[:3] == b"\xff\xff\xff" for p in pixels)


@pytest.mark.parametrize(("app_id", "host"), [("not-a-guid", "tc.example.org"), (APP_ID, "a b")])
def test_bad_input_is_refused(tmp_path: Path, app_id: str, host: str) -> None:
    with pytest.raises(TempcheckError):
        build_package(tmp_path / "x.zip", app_id=app_id, host=host)
    assert not (tmp_path / "x.zip").exists()


def test_cli_builds_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEMPCHECK_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    monkeypatch.setenv("TEMPCHECK_PUBLIC_URL", "https://pulse.acme.example")
    if not any(g.name == "teams" for g in cli.registered_groups):
        cli.add_typer(teams_cli, name="teams")  # until the lead registers it in main.py
    out = tmp_path / "tempcheck.zip"
    result = CliRunner().invoke(
        cli, ["--locale", "en", "teams", "package", "--app-id", APP_ID, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Wrote the Teams app package" in result.output
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["developer"]["websiteUrl"] == "https://pulse.acme.example/"
    bad = CliRunner().invoke(cli, ["--locale", "en", "teams", "package", "--app-id", "nope"])
    assert bad.exit_code == 1 and "not an app (client) id" in bad.output
