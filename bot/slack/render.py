"""The seam between the Slack messenger and the Block Kit builders (bot/slack/blocks.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from core.messenger import Confirmation, Invitation

Blocks = Sequence[dict[str, Any]]


class SlackRenderer(Protocol):
    def invitation(self, invitation: Invitation, locale: str) -> tuple[str, Blocks]:
        """Fallback text and blocks of the invitation DM (with the "Answer (1 min)" button)."""
        ...

    def reminder(self, invitation: Invitation, locale: str) -> tuple[str, Blocks]: ...

    def confirmation(self, confirmation: Confirmation, locale: str) -> tuple[str, Blocks]:
        """The "answered, thanks" replacement: built from the outcome only, never values."""
        ...
