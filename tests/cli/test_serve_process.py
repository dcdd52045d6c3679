"""``tempcheck serve`` as an operator runs it: a port that is taken is reported before
anything starts, and the server's logs are JSON lines with their fields, without people."""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import Container
from core.delivery import INVITATION
from tests.delivery.procs import (
    GatedSlackApi,
    Serve,
    container_for,
    free_port,
    round_with_invitations,
    serve_env,
)
from tests.flow import organisation
from tests.slack.harness import TEAM

MEMBERS = 6


@pytest.fixture
async def outbox(tmp_path: Path, sqlite_migrated_url: str) -> AsyncIterator[Container]:
    """The test's view of a database with one round's invitations due (for a serve)."""
    c, clock = container_for(sqlite_migrated_url, tmp_path)
    try:
        await round_with_invitations(c, clock, MEMBERS)
        yield c
    finally:
        await c.close()


async def test_a_taken_port_is_reported_and_nothing_starts(
    tmp_path: Path, sqlite_migrated_url: str, outbox: Container
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        async with GatedSlackApi(team_id=TEAM) as api:
            env = serve_env(sqlite_migrated_url, tmp_path, api, TEMPCHECK_DEFAULT_LOCALE="en")
            serve = await Serve(env, tmp_path / "serve.log").start("--port", port)
            assert await serve.wait() == 2
            assert f"Cannot listen on 127.0.0.1:{port}" in serve.output()
            assert "Traceback" not in serve.output()
            assert not api.calls  # the scheduler never started: nothing was sent
    async with outbox.uows() as uow:
        counts = await uow.deliveries.counts()
    assert counts == {("", INVITATION, "pending"): MEMBERS}  # all still to be sent


async def test_serve_logs_json_lines_with_fields_and_no_people(
    tmp_path: Path, sqlite_migrated_url: str, outbox: Container
) -> None:
    people = (await organisation(outbox.uows)).active_members()
    async with GatedSlackApi(team_id=TEAM) as api:
        env = serve_env(sqlite_migrated_url, tmp_path, api, TEMPCHECK_LOG_LEVEL="INFO")
        serve = await Serve(env, tmp_path / "serve.log").start("--port", str(free_port()))
        try:
            await api.wait_until(lambda: len(api.delivered()) >= MEMBERS)
        finally:
            await serve.stop()
    lines = [line for line in serve.output().splitlines() if line.startswith("{")]
    records = [json.loads(line) for line in lines]
    events = {r["event"]: r for r in records}
    assert events["scheduler started"]["worker"]  # an extra field, as a key of its own
    assert events["scheduler started"]["level"] == "info"
    assert events["scheduler started"]["logger"] == "scheduler.runner"
    assert sum(r.get("sent", 0) for r in records if r["event"] == "send") == MEMBERS
    identities = [i for m in people for i in (m.slack_user_id, m.email) if i]
    assert len(identities) == 2 * MEMBERS
    for line in lines:
        assert not any(identity in line for identity in identities), line
