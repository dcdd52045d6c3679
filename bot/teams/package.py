"""The Teams app package: manifest.json (app id and host filled in) and the two icons,
zipped at the top level as Teams expects. No SDK import: the CLI builds it."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

from core.errors import TempcheckError

MANIFEST_DIR = Path(__file__).resolve().parents[2] / "manifest" / "teams"
PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000"
HOST_PLACEHOLDER = "HOST"
ICONS = ("color.png", "outline.png")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?$")


def _fill(node: Any, host: str) -> Any:
    if isinstance(node, str):
        if node == HOST_PLACEHOLDER:
            return host.split(":")[0]
        return node.replace(f"://{HOST_PLACEHOLDER}/", f"://{host}/")
    if isinstance(node, list):
        return [_fill(item, host) for item in node]
    if isinstance(node, dict):
        return {key: _fill(value, host) for key, value in node.items()}
    return node


def render_manifest(template: str, *, app_id: str, host: str) -> dict[str, Any]:
    """The manifest for this bot: ``app_id`` (the Entra ID app registration's client id,
    also the bot id) and ``host`` (the public host, for the links and validDomains)."""
    if not _GUID.match(app_id):
        raise TempcheckError("teams.package.bad_app_id", app_id=app_id)
    if not _HOST.match(host):
        raise TempcheckError("teams.package.bad_host", host=host)
    manifest: dict[str, Any] = _fill(json.loads(template), host)
    manifest["id"] = app_id.lower()
    for bot in manifest["bots"]:
        bot["botId"] = app_id.lower()
    return manifest


def build_package(out: Path, *, app_id: str, host: str, source: Path = MANIFEST_DIR) -> Path:
    manifest = render_manifest(
        (source / "manifest.json").read_text(encoding="utf-8"), app_id=app_id, host=host
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for icon in ICONS:
            archive.write(source / icon, icon)
    return out
