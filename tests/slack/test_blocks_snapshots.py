"""Block Kit snapshots: the exact JSON a person's Slack receives. Regenerate deliberately
with TEMPCHECK_UPDATE_SNAPSHOTS=1 and review the diff."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.slack.blocks import SlackBlocks
from core.anonymity.thresholds import Thresholds
from core.messenger import Confirmation, ConfirmationKind, Invitation
from core.questions import load_default_bank
from core.rotation import plan_round
from core.rounds import Round, RoundItem, RoundStatus

SNAPSHOTS = Path(__file__).parent / "snapshots"
BLOCKS = SlackBlocks(
    public_url="https://tempcheck.example", help_text={"nb": "Hjelp", "en": "Help"}
)


def _round() -> Round:
    bank = load_default_bank()
    items = tuple(
        RoundItem(
            i + 1,
            key,
            bank.item(key).factor,
            bank.item(key).sensitive,
            bank.item(key).reverse,
            bank.scale_of(bank.item(key)).points,
        )
        for i, key in enumerate(plan_round(bank, 0).items)
    )
    at = datetime(2026, 11, 23, 7, tzinfo=UTC)
    return Round(1, 1, 1, "2026-W48", 0, 1, RoundStatus.OPEN, Thresholds(), at, at, 24, items)


def rendered() -> dict[str, Any]:
    invitation = Invitation(1, "2026-W48", 5, "fredag 27.11. 16:00")
    out: dict[str, Any] = {}
    for locale in ("nb", "en"):
        out[f"invitation_{locale}"] = BLOCKS.invitation(invitation, locale)
        out[f"confirmation_{locale}"] = BLOCKS.confirmation(
            Confirmation(ConfirmationKind.ANSWERED, show_help=True), locale
        )
        out[f"modal_{locale}"] = BLOCKS.pulse_modal(
            _round(), load_default_bank(), locale, {"round": "1", "channel": "D1", "ts": "1.1"}
        )
        out[f"thanks_help_{locale}"] = BLOCKS.thanks_view(
            Confirmation(ConfirmationKind.ANSWERED, show_help=True), locale
        )
    return out


@pytest.mark.parametrize("name", sorted(rendered()))
def test_snapshot(name: str) -> None:
    actual = json.dumps(rendered()[name], ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    path = SNAPSHOTS / f"{name}.json"
    if os.environ.get("TEMPCHECK_UPDATE_SNAPSHOTS") == "1":
        path.write_text(actual, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == actual


def test_confirmations_look_the_same_whatever_was_answered() -> None:
    for locale in ("nb", "en"):
        with_help = BLOCKS.confirmation(Confirmation(ConfirmationKind.ANSWERED, True), locale)
        without = BLOCKS.confirmation(Confirmation(ConfirmationKind.ANSWERED, False), locale)
        assert with_help == without


def _texts(node: Any, path: str = "") -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        if node.get("type") == "plain_text":
            found.append((path, node["text"]))
        for key, value in node.items():
            found += _texts(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _texts(value, f"{path}[{i}]")
    return found


def test_every_text_fits_slacks_limits_untruncated() -> None:
    for name, view in rendered().items():
        for path, text in _texts(view):
            limit = (
                24
                if path.split(".")[-1] in ("title", "submit", "close")
                and "[" not in path.rsplit(".", 1)[-1]
                and path.count(".") == 1
                else 75
            )
            if path.endswith((".label", ".hint")) or ".text.text" in path:
                limit = 2000
            assert len(text) < limit, (name, path, text)
