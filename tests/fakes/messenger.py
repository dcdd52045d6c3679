"""A fake Messenger that records every call, for tests of what would reach a chat."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.messenger import Confirmation, Invitation, MessageRef, Recipient


@dataclass
class RecordingMessenger:
    calls: list[tuple[str, Recipient, object]] = field(default_factory=list)

    async def send_invitation(self, to: Recipient, invitation: Invitation) -> MessageRef:
        self.calls.append(("invitation", to, invitation))
        return MessageRef(to.ref, f"msg-{len(self.calls)}")

    async def send_reminder(self, to: Recipient, invitation: Invitation) -> MessageRef:
        self.calls.append(("reminder", to, invitation))
        return MessageRef(to.ref, f"msg-{len(self.calls)}")

    async def confirm(self, to: Recipient, message: MessageRef, confirmation: Confirmation) -> None:
        self.calls.append(("confirm", to, (message, confirmation)))
