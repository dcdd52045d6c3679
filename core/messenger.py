"""The Messenger port: what the domain asks of a chat platform (Slack, Teams).

Nothing that crosses this port carries an answer value. Invitations carry the round, the
confirmation carries only "accepted / already answered" and whether to show help, so an
adapter cannot echo an answer into chat even by mistake (privacy rule 12).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class Platform(StrEnum):
    SLACK = "slack"
    TEAMS = "teams"


@dataclass(frozen=True)
class Recipient:
    """A person on a platform, as an opaque reference (Slack user id, Teams AAD object id)."""

    platform: Platform
    workspace: str  # Slack team id / Teams tenant id
    ref: str
    locale: str


@dataclass(frozen=True)
class MessageRef:
    """Where a sent message lives, so it can be updated (Slack channel+ts, Teams activity)."""

    channel: str
    id: str


@dataclass(frozen=True)
class Invitation:
    round_id: int
    period: str
    items: int
    closes_at_text: str  # already formatted in the recipient's time zone and language
    #: The outbox's delivery key, attached to the message (Slack metadata) so that after a
    #: crash the sender can ask whether the message already arrived. Not shown to anyone.
    key: str = ""


class ConfirmationKind(StrEnum):
    ANSWERED = "answered"
    ALREADY_ANSWERED = "already_answered"


@dataclass(frozen=True)
class Confirmation:
    kind: ConfirmationKind
    show_help: bool  # the respondent said "yes" to a screening item: show help, privately


class DeliveryError(Exception):
    """Sending failed. ``permanent`` failures (account gone, app not allowed) are reported,
    never retried forever; others may be retried after ``retry_after`` seconds."""

    def __init__(self, reason: str, *, permanent: bool, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


class Messenger(Protocol):
    async def send_invitation(self, to: Recipient, invitation: Invitation) -> MessageRef: ...

    async def send_reminder(self, to: Recipient, invitation: Invitation) -> MessageRef: ...

    async def confirm(self, to: Recipient, message: MessageRef, confirmation: Confirmation) -> None:
        """Replace the invitation with a thank-you that holds no answer value."""
        ...
