"""T27 (domain side): what a chat adapter is asked to send during an answer carries no value.

The Slack and Teams adapters add their own T27 against the fake platform APIs; this test pins
the contract they build on: the confirmation is made from the outcome alone.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from core.clock import FixedClock
from core.messenger import (
    Confirmation,
    ConfirmationKind,
    Invitation,
    MessageRef,
    Platform,
    Recipient,
)
from core.ports import UnitOfWorkFactory
from core.submission import Submission, answer_and_confirm
from tests.fakes.messenger import RecordingMessenger
from tests.flow import answers_for, key_store, open_for, organisation, setup_org


def test_T27_port_types_have_no_room_for_values() -> None:
    for kind in (Invitation, Confirmation, Recipient, MessageRef):
        names = {f.name for f in dataclasses.fields(kind)}
        assert not names & {"answers", "value", "values", "comment"}, kind


async def test_T27_confirmations_carry_no_answer(
    uows: UnitOfWorkFactory, clock: FixedClock, tmp_path: Path
) -> None:
    keys = key_store(tmp_path)
    await setup_org(uows, clock, {"Acme/Ops": 6})
    found = (await open_for(uows, keys, clock, "2026-W48")).round
    member = (await organisation(uows)).active_members()[0]
    messenger = RecordingMessenger()
    to = Recipient(Platform.SLACK, "T1", member.slack_user_id or "", "nb")
    sent = await messenger.send_invitation(to, Invitation(found.id, found.period, 5, "fredag"))
    secret = "Lederen min er Kari, ring 91234567"
    answers = answers_for(found, 2, sensitive=2)
    for _ in range(2):  # the second is a double click
        await answer_and_confirm(
            uows,
            keys,
            clock,
            messenger,
            Submission(found.id, member.id, answers, secret),
            to,
            sent,
        )
    confirms = [c for c in messenger.calls if c[0] == "confirm"]
    assert [payload for _, _, payload in confirms] == [
        (sent, Confirmation(ConfirmationKind.ANSWERED, show_help=True)),
        (sent, Confirmation(ConfirmationKind.ALREADY_ANSWERED, show_help=True)),
    ]
    for call in messenger.calls:
        assert secret not in repr(call)
        assert not any(key in repr(call) for key in answers)
