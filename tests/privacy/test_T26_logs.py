"""T26: a full flow at DEBUG leaves no log record with a user id next to an answer value."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.logs import configure_logging
from core.clock import FixedClock
from core.ports import UnitOfWorkFactory
from core.round_service import close_round, read_release, release_round, shred_due_keys
from core.submission import Submission, submit
from tests.flow import advance, answers_for, key_store, open_for, organisation, setup_org


async def test_T26_no_identity_with_values_in_debug_logs(
    uows: UnitOfWorkFactory, clock: FixedClock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    keys = key_store(tmp_path)
    configure_logging("DEBUG")  # the production logging setup, at its most verbose
    caplog.set_level(logging.DEBUG)
    await setup_org(uows, clock, {"Acme/Ops": 7, "Acme/Sales": 6})
    found = (await open_for(uows, keys, clock, "2026-W48")).round
    members = (await organisation(uows)).active_members()
    for i, m in enumerate(members):
        answers = answers_for(found, 1 + i % 5, sensitive=2 if i == 0 else 1)
        await submit(uows, keys, clock, Submission(found.id, m.id, answers, "Travelt", "leader"))
        await submit(uows, keys, clock, Submission(found.id, m.id, answers))  # double click
    await close_round(uows, clock, found.id, actor="t")
    advance(clock, days=1)
    await release_round(uows, clock, found.id, actor="t")
    await read_release(uows, clock, found.id, viewer="hr", purpose="digest")
    advance(clock, days=8)
    await shred_due_keys(uows, keys, clock, actor="t")

    assert caplog.records, "the flow must log something for this test to mean anything"
    identities = [str(v) for m in members for v in (m.email, m.slack_user_id, m.name)]
    for record in caplog.records:
        text = f"{record.getMessage()} {record.__dict__}"
        assert not any(identity in text for identity in identities), record.getMessage()
        assert "member_id" not in record.__dict__
        assert "Travelt" not in text  # comment text never logged
        assert "value" not in record.__dict__ and "answers" not in record.__dict__
