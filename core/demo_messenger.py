"""An in-process chat platform for ``tempcheck demo``: a Messenger that hands invitations and
reminders to simulated employees (``core.demo_answers``) instead of Slack or Teams.

It keeps, in memory only, when each simulated person will answer; the simulation driver
(``scheduler.simulation``) asks for the answers due and submits them through the real
submission service. What it reports are counts, never who.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from core.clock import Clock
from core.demo_answers import SimulatedWorkplace
from core.messenger import Confirmation, Invitation, MessageRef, Recipient


@dataclass(frozen=True, order=True)
class PlannedAnswer:
    at: datetime
    round_id: int
    member_id: int
    to: Recipient = field(compare=False)
    message: MessageRef = field(compare=False)


class SimulatedMessenger:
    def __init__(
        self, workplace: SimulatedWorkplace, members_by_ref: Mapping[str, int], clock: Clock
    ) -> None:
        self._workplace = workplace
        self._members = dict(members_by_ref)
        self._clock = clock
        self._planned: list[PlannedAnswer] = []
        self._messages: dict[tuple[int, int], MessageRef] = {}
        self.sent: Counter[str] = Counter()  # "invitation", "reminder", "confirmation"

    @property
    def workplace(self) -> SimulatedWorkplace:
        return self._workplace

    def _plan(self, at: datetime | None, round_id: int, member_id: int, to: Recipient) -> None:
        if at is not None:
            message = self._messages[round_id, member_id]
            heapq.heappush(self._planned, PlannedAnswer(at, round_id, member_id, to, message))

    async def send_invitation(self, to: Recipient, invitation: Invitation) -> MessageRef:
        member = self._members[to.ref]
        self.sent["invitation"] += 1
        message = MessageRef(to.ref, f"sim-{invitation.key}")
        self._messages[invitation.round_id, member] = message
        at = self._workplace.on_invitation(member, invitation.round_id, self._clock.now())
        self._plan(at, invitation.round_id, member, to)
        return message

    async def send_reminder(self, to: Recipient, invitation: Invitation) -> MessageRef:
        member = self._members[to.ref]
        self.sent["reminder"] += 1
        number = int(invitation.key.rsplit(":", 1)[-1]) if ":" in invitation.key else 1
        self._messages.setdefault(
            (invitation.round_id, member), MessageRef(to.ref, f"sim-{invitation.key}")
        )
        at = self._workplace.on_reminder(member, invitation.round_id, number, self._clock.now())
        self._plan(at, invitation.round_id, member, to)
        return MessageRef(to.ref, f"sim-{invitation.key}")

    async def confirm(self, to: Recipient, message: MessageRef, confirmation: Confirmation) -> None:
        self.sent["confirmation"] += 1

    def next_answer_at(self) -> datetime | None:
        return self._planned[0].at if self._planned else None

    def answers_due(self, until: datetime) -> list[PlannedAnswer]:
        """The planned answers up to ``until``, earliest first (each is handed out once)."""
        due = []
        while self._planned and self._planned[0].at <= until:
            due.append(heapq.heappop(self._planned))
        return due
