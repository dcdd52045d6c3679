"""A real ``tempcheck serve`` killed with SIGKILL in the middle of a round's fan-out and
started again: every member gets exactly one invitation (SQLite and PostgreSQL).

The fake Slack stores the 8th invitation and holds its answer, so the sender dies after
Slack got the message and before it could record it — the case that would double-message
without the recovery lookup (message metadata, conversations.history)."""

from __future__ import annotations

from pathlib import Path

from core.delivery import INVITATION
from scheduler.leader import SqliteGuard
from tests.delivery.procs import (
    GatedSlackApi,
    Serve,
    container_for,
    round_with_invitations,
    serve_env,
)
from tests.slack.harness import TEAM

MEMBERS = 20
KILLED_AT = 8


async def test_sigkill_mid_fan_out_then_restart_gives_everyone_exactly_one(
    tmp_path: Path, db_url: str
) -> None:
    c, clock = container_for(db_url, tmp_path)
    try:
        found = await round_with_invitations(c, clock, MEMBERS)
        async with GatedSlackApi(team_id=TEAM) as api:
            env = serve_env(db_url, tmp_path, api)
            api.hold_after = KILLED_AT - 1
            first = await Serve(env, tmp_path / "first.log").start()
            await api.wait_held(1)  # the 8th invitation reached Slack; no answer yet
            await first.kill()
            assert len(api.delivered()) == KILLED_AT
            api.release()

            second = await Serve(env, tmp_path / "second.log").start()
            try:
                await api.wait_until(lambda: len(api.delivered()) >= MEMBERS)
            finally:
                await second.stop()
            delivered = api.delivered()
            assert len(delivered) == MEMBERS, second.output()[-2000:]
            assert set(delivered.values()) == {1}, "a member got a second invitation"
            assert all(key.startswith(f"{found.id}:") for key in delivered)
            # The claimed-but-unrecorded rows were looked up before sending again.
            assert api.calls_to("conversations.history")
        async with c.uows() as uow:
            counts = await uow.deliveries.counts()
        assert counts == {("", INVITATION, "sent"): MEMBERS}
    finally:
        await c.close()


async def test_a_second_serve_on_the_same_sqlite_file_is_refused(
    tmp_path: Path, sqlite_migrated_url: str
) -> None:
    database = sqlite_migrated_url.split("///", 1)[1]
    guard = SqliteGuard(database)
    guard.acquire()  # as a running serve holds it
    try:
        async with GatedSlackApi(team_id=TEAM) as api:
            env = serve_env(sqlite_migrated_url, tmp_path, api, TEMPCHECK_DEFAULT_LOCALE="en")
            second = await Serve(env, tmp_path / "second.log").start()
            assert await second.wait() != 0
            assert "Another tempcheck serve is already running" in second.output()
            assert not api.calls
    finally:
        guard.release()
