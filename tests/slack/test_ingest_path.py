"""The fast submission path (docs/benchmarks.md, "Slack ingest"): cached round sheets whose
staleness cannot let a late answer in, few statements per submission, the SQLite writer
queue and read-only lookups. Real SQLite and PostgreSQL; no timings are asserted."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.slack.deps import DIRECTORY_AFTER_LOOKUPS, TENANT_TTL_S
from core.clock import FixedClock
from core.errors import TempcheckError
from core.keys import KeyStatus, KeyStore
from core.organisation import MemberFields
from core.round_service import close_round
from core.rounds import NewAnswer, Round, RoundStatus
from core.submission import (
    KEY_REUSE,
    AnswerSheets,
    AnswerWrite,
    GroupCommit,
    Submission,
    SubmissionOutcome,
    submit,
)
from storage.engine import create_engine, is_sqlite, session_factory
from storage.uow import SqlUnitOfWorkFactory
from tests.flow import answers_for, key_store, open_for, organisation, setup_org
from tests.slack.harness import running, submission_payload
from tests.slack.test_pulse_flow import choices_for, open_modal, started


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """Every SQL statement the engine sends (BEGINs left out), and one "COMMIT" per commit."""
    seen: list[str] = []

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith("BEGIN"):
            seen.append(" ".join(statement.split())[:60])

    def on_commit(_conn: Any) -> None:
        seen.append("COMMIT")

    event.listen(engine.sync_engine, "before_cursor_execute", on_execute)
    event.listen(engine.sync_engine, "commit", on_commit)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", on_execute)
        event.remove(engine.sync_engine, "commit", on_commit)


@asynccontextmanager
async def round_open(
    tmp_path: Path, db_url: str, clock: FixedClock, people: int, keys: KeyStore | None = None
) -> AsyncIterator[tuple[AsyncEngine, SqlUnitOfWorkFactory, KeyStore, Round]]:
    """An engine of its own, ``people`` members in one unit and an open round."""
    engine = create_engine(db_url)
    uows = SqlUnitOfWorkFactory(session_factory(engine))
    keys = keys or key_store(tmp_path)
    try:
        await setup_org(uows, clock, {"Acme/Ops": people})
        opened = (await open_for(uows, keys, clock, "2026-W48")).round
        yield engine, uows, keys, opened
    finally:
        await engine.dispose()


async def test_a_warm_submission_is_one_lookup_two_inserts_and_a_commit(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    async with running(tmp_path, db_url, clock) as h:
        found, members = await started(h)
        _, view = await open_modal(h, members[0], found)
        first = await h.interactive(submission_payload(members[0], view, choices_for(view)))
        assert first.status == 200  # the round's sheet and the tenant are cached now
        with statements(h.container.engine) as seen:
            second = await h.interactive(submission_payload(members[1], view, choices_for(view)))
            await h.api.wait_for("chat.update", count=2)
        assert second.status == 200
        assert "Besvart" in json.dumps(await second.json(), ensure_ascii=False)
        assert [s.split(" (")[0].split(" FROM")[0][:18] for s in seen] == [
            "SELECT members.id,",
            "INSERT INTO ledger",
            "INSERT INTO answer",
            "COMMIT",
        ], seen
        async with h.container.uows() as uow:
            assert await uow.answers.ledger_count(found.id) == 2
            assert len(await uow.answers.answers(found.id)) == 2 * len(found.items)


async def test_a_round_closed_elsewhere_after_caching_refuses_a_late_answer(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    """The server caches the round as open; the CLI (another process: its own engine) closes
    it before closes_at. The next answer must be refused and nothing stored."""
    server_engine, cli_engine = create_engine(db_url), create_engine(db_url)
    server = SqlUnitOfWorkFactory(session_factory(server_engine))
    cli = SqlUnitOfWorkFactory(session_factory(cli_engine))
    keys = key_store(tmp_path)
    try:
        await setup_org(cli, clock, {"Acme/Ops": 6})
        opened = (await open_for(cli, keys, clock, "2026-W48")).round
        first, second, third = list((await organisation(cli)).active_members())[:3]
        sheets = AnswerSheets()
        answers = answers_for(opened)
        done = await submit(server, keys, clock, Submission(opened.id, first.id, answers), sheets)
        assert done.outcome is SubmissionOutcome.ACCEPTED
        assert (await sheets.get(server, opened.id)).round.status is RoundStatus.OPEN

        await close_round(cli, clock, opened.id, actor="cli")

        late = Submission(opened.id, second.id, answers)
        with pytest.raises(TempcheckError) as caught:
            await submit(server, keys, clock, late, sheets)
        assert caught.value.key == "submission.round_closed"
        # The cache learnt it: the next one is refused from memory, before any write.
        assert (await sheets.get(server, opened.id)).round.status is RoundStatus.CLOSED
        with statements(server_engine) as seen, pytest.raises(TempcheckError) as again:
            await submit(server, keys, clock, Submission(opened.id, third.id, answers), sheets)
        assert again.value.key == "submission.round_closed" and seen == []
        async with cli() as uow:
            assert await uow.answers.ledger_count(opened.id) == 1
            assert len(await uow.answers.answers(opened.id)) == len(opened.items)
    finally:
        await server_engine.dispose()
        await cli_engine.dispose()


async def test_a_cached_open_round_past_closes_at_refuses_without_writing(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    async with round_open(tmp_path, db_url, clock, 6) as (engine, uows, keys, opened):
        member = next(iter((await organisation(uows)).active_members()))
        sheets = AnswerSheets()
        await sheets.get(uows, opened.id)
        clock.set(opened.closes_at)  # not closed by anyone yet: the clock alone decides
        with statements(engine) as seen, pytest.raises(TempcheckError) as caught:
            await submit(uows, keys, clock, Submission(opened.id, member.id, answers_for(opened)))
        assert caught.value.key == "submission.round_closed"
        with pytest.raises(TempcheckError):
            await submit(
                uows, keys, clock, Submission(opened.id, member.id, answers_for(opened)), sheets
            )
        assert not [s for s in seen if s.startswith("INSERT")]


@pytest.mark.postgres
async def test_postgres_a_claim_waits_for_a_close_in_progress_and_then_refuses(
    tmp_path: Path, pg_migrated_url: str, clock: FixedClock
) -> None:
    """The race the SQL guard exists for: a close that has locked the round but not yet
    committed. The claim must wait for it (FOR SHARE against shuffle's FOR UPDATE) and then
    see the round closed, not slip in between the shuffle's read and its commit."""
    from tests.conftest import _truncate

    await _truncate(pg_migrated_url)
    engine = create_engine(pg_migrated_url)
    uows = SqlUnitOfWorkFactory(session_factory(engine))
    keys = key_store(tmp_path)
    try:
        await setup_org(uows, clock, {"Acme/Ops": 6})
        opened = (await open_for(uows, keys, clock, "2026-W48")).round
        member = next(iter((await organisation(uows)).active_members()))
        sheets = AnswerSheets()
        await sheets.get(uows, opened.id)
        async with uows() as closing:
            await closing.answers.shuffle(opened.id)  # takes the round's row lock
            await closing.rounds.set_status(opened.id, RoundStatus.CLOSED, closed_at=clock.now())
            late = asyncio.ensure_future(
                submit(
                    uows, keys, clock, Submission(opened.id, member.id, answers_for(opened)), sheets
                )
            )
            await _until_a_backend_waits_for_a_lock(engine, late)
            await closing.commit()
        with pytest.raises(TempcheckError) as caught:
            await late
        assert caught.value.key == "submission.round_closed"
        async with uows() as uow:
            assert await uow.answers.ledger_count(opened.id) == 0
            assert await uow.answers.answers(opened.id) == []
    finally:
        await engine.dispose()


async def _until_a_backend_waits_for_a_lock(engine: AsyncEngine, task: asyncio.Future[Any]) -> None:
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    for _ in range(100_000):  # bounded; yields to the loop, never sleeps
        assert not task.done(), "the claim did not wait for the close in progress"
        async with engine.connect() as conn:
            if (await conn.execute(query)).scalar_one():
                return
        await asyncio.sleep(0)
    pytest.fail("the claim never waited for the round's lock")


async def test_read_only_lookups_do_not_wait_for_a_writer(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    engine = create_engine(db_url)
    uows = SqlUnitOfWorkFactory(session_factory(engine))
    try:
        await setup_org(uows, clock, {"Acme/Ops": 3})
        wrote, finish = asyncio.Event(), asyncio.Event()

        async def writer() -> None:
            async with uows() as uow:
                tenant = await uow.organisation.get_tenant("acme")
                assert tenant is not None
                await uow.organisation.set_thresholds(tenant.id, {"k_eligible": 9})
                wrote.set()
                await finish.wait()  # holds the write lock (and, on SQLite, the writer queue)
                await uow.commit()

        task = asyncio.ensure_future(writer())
        await wrote.wait()
        async with uows.read_only() as uow:
            tenant = await uow.organisation.get_tenant("acme")
            assert tenant is not None
            member = await uow.organisation.member_by_slack_id(tenant.id, "UPERSON0001")
            assert member is not None and member.name == "Person Nummer1"
            assert await uow.organisation.thresholds(tenant.id) is None  # not committed yet
            with pytest.raises(RuntimeError):
                await uow.commit()
        assert not task.done()
        finish.set()
        await task
        async with uows.read_only() as uow:
            assert await uow.organisation.thresholds(tenant.id) == {"k_eligible": 9}
    finally:
        await engine.dispose()


async def test_a_unit_of_work_opened_inside_another_in_the_same_task_still_works(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    engine = create_engine(db_url)
    uows = SqlUnitOfWorkFactory(session_factory(engine))
    try:
        await setup_org(uows, clock, {"Acme/Ops": 3})
        async with uows() as outer:
            inner_org = await organisation(uows)  # re-enters the writer lock in this task
            assert await outer.organisation.get_tenant("acme") == inner_org.tenant
        if is_sqlite(db_url):
            other = asyncio.ensure_future(organisation(uows))
            assert (await other).tenant == inner_org.tenant  # the lock was released
    finally:
        await engine.dispose()


def test_serve_refuses_several_workers_on_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from bot.cli import app

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TEMPCHECK_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 't.db'}")
    for locale, words in (("en", "needs PostgreSQL"), ("nb", "krever PostgreSQL")):
        result = CliRunner().invoke(app, ["--locale", locale, "serve", "--workers", "2"])
        assert result.exit_code == 2
        assert words in result.output
    assert not (tmp_path / "t.db").exists()  # refused before anything was opened


@pytest.mark.parametrize("grouped", [False, True], ids=["alone", "group-commit"])
async def test_concurrent_submissions_store_each_once(
    tmp_path: Path, db_url: str, clock: FixedClock, grouped: bool
) -> None:
    """32 people at once, each twice (a double click). Alone: on SQLite they queue on the
    in-process writer lock instead of SQLite's busy handler. Through the process's group
    commit: far fewer commits than submissions. Either way every answer is stored once and
    every repeat is told so."""
    async with round_open(tmp_path, db_url, clock, 32) as (engine, uows, keys, opened):
        members = list((await organisation(uows)).active_members())
        sheets, writes = AnswerSheets(), GroupCommit(uows) if grouped else None
        answers = answers_for(opened)
        with statements(engine) as seen:
            results = await asyncio.gather(
                *(
                    submit(uows, keys, clock, Submission(opened.id, m.id, answers), sheets, writes)
                    for m in members + members
                )
            )
        outcomes = [r.outcome for r in results]
        assert outcomes.count(SubmissionOutcome.ACCEPTED) == len(members)
        assert outcomes.count(SubmissionOutcome.ALREADY_ANSWERED) == len(members)
        commits = seen.count("COMMIT")
        assert 1 <= commits <= len(results) // 4 if grouped else commits >= len(members), seen
        async with uows() as uow:
            assert await uow.answers.ledger_count(opened.id) == len(members)
            assert len(await uow.answers.answers(opened.id)) == len(members) * len(opened.items)


async def test_a_failing_write_in_a_shared_transaction_fails_alone(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    """One submission in the batch breaks its transaction (an answer row pointing at an item
    that does not exist): it alone gets the error and stores nothing; the others are
    stored, each in a transaction of its own after the shared one failed."""
    async with round_open(tmp_path, db_url, clock, 8) as (_engine, uows, _keys, opened):
        item = opened.items[0].item_row_id
        unit = opened.unit_id

        def write(n: int, item_id: int) -> AnswerWrite:
            return AnswerWrite(
                opened.id, f"mark-{n}", [NewAnswer(unit, item_id, 3)], None, clock.now()
            )

        writes = GroupCommit(uows)
        outcomes = await asyncio.gather(
            *(writes.write(write(n, item if n != 2 else 999_999)) for n in range(5)),
            return_exceptions=True,
        )
        assert outcomes[:2] == [True, True] and outcomes[3:] == [True, True], outcomes
        assert isinstance(outcomes[2], DBAPIError), outcomes[2]
        async with uows() as uow:
            assert await uow.answers.ledger_count(opened.id) == 4
            assert not await uow.answers.has_claimed(opened.id, "mark-2")
            assert len(await uow.answers.answers(opened.id)) == 4


async def test_claim_takes_many_pseudonyms_once_each_and_none_after_close(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    async with round_open(tmp_path, db_url, clock, 8) as (_engine, uows, _keys, opened):
        async with uows() as uow:
            got = await uow.answers.claim(opened.id, ["a", "b", "a"], open_at=clock.now())
            await uow.commit()
        assert got == {"a", "b"}
        async with uows() as uow:
            got = await uow.answers.claim(opened.id, ["b", "c"], open_at=clock.now())
            late = await uow.answers.claim(opened.id, ["d"], open_at=opened.closes_at)
            await uow.commit()
        assert got == {"c"} and late == set()
        async with uows() as uow:
            assert await uow.answers.ledger_count(opened.id) == 3


async def test_a_burst_of_lookups_reads_the_slack_directory_once(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    """Up to DIRECTORY_AFTER_LOOKUPS lookups read one member row each; then the tenant's
    directory is read once and later lookups read no member; a member linked after that
    is still found (on its own), a deactivated one still refused from the directory's copy
    only until it expires."""
    async with running(tmp_path, db_url, clock) as h:
        await setup_org(h.container.uows, clock, {"Acme/Ops": 40})
        people = list((await organisation(h.container.uows)).active_members())
        tick = [0.0]
        h.deps.monotonic = lambda: tick[0]

        def body(member: Any) -> dict[str, Any]:
            return {"user": {"id": member.slack_user_id}, "team": {"id": "T0"}}

        with statements(h.container.engine) as seen:
            for member in people[:DIRECTORY_AFTER_LOOKUPS]:
                found = await h.deps.who(body(member))
                assert found is not None and found[1].id == member.id
        member_reads = [s for s in seen if s.startswith("SELECT members.")]
        assert len(member_reads) == DIRECTORY_AFTER_LOOKUPS  # 19 single rows, then all of them
        with statements(h.container.engine) as seen:
            for member in people[DIRECTORY_AFTER_LOOKUPS:]:
                found = await h.deps.who(body(member))
                assert found is not None and found[1].id == member.id
        assert not [s for s in seen if s.startswith("SELECT members.")], seen
        async with h.container.uows() as uow:
            values = {f.name: getattr(people[0], f.name) for f in fields(MemberFields)}
            relinked = MemberFields(**{**values, "slack_user_id": "UNEWLYLINKED"})
            await uow.organisation.update_member(people[0].id, relinked)
            await uow.commit()
        with statements(h.container.engine) as seen:
            found = await h.deps.who({"user": {"id": "UNEWLYLINKED"}, "team": {"id": "T0"}})
        assert found is not None and found[1].id == people[0].id
        assert len([s for s in seen if s.startswith("SELECT members.")]) == 1
        tick[0] += TENANT_TTL_S  # the directory expires: lookups read rows again
        with statements(h.container.engine) as seen:
            assert await h.deps.who(body(people[1])) is not None
        assert len([s for s in seen if s.startswith("SELECT members.")]) == 1


class CountingKeys:
    """The real key store, counting reads."""

    def __init__(self, inner: KeyStore) -> None:
        self.inner, self.reads = inner, 0

    def create(self, tenant: str, round_id: int) -> None:
        self.inner.create(tenant, round_id)

    def get(self, tenant: str, round_id: int) -> bytes | None:
        self.reads += 1
        return self.inner.get(tenant, round_id)

    def destroy(self, tenant: str, round_id: int) -> None:
        self.inner.destroy(tenant, round_id)

    def status(self, tenant: str, round_id: int) -> KeyStatus:
        return self.inner.status(tenant, round_id)


async def test_a_round_key_is_read_once_a_minute_and_never_kept_past_close(
    tmp_path: Path, db_url: str, clock: FixedClock
) -> None:
    keys = CountingKeys(key_store(tmp_path))
    async with round_open(tmp_path, db_url, clock, 8, keys) as (_, uows, _, opened):
        sheets = AnswerSheets()
        sheet = await sheets.get(uows, opened.id)
        first = sheets.key(keys, sheet, clock.now())
        assert first is not None and keys.reads == 1
        assert sheets.key(keys, sheet, clock.now() + KEY_REUSE / 2) == first
        assert keys.reads == 1
        assert sheets.key(keys, sheet, clock.now() + KEY_REUSE) == first
        assert keys.reads == 2  # read again after KEY_REUSE
        just_before = opened.closes_at - KEY_REUSE / 4
        sheets.key(keys, sheet, just_before)
        reads = keys.reads
        assert sheets.key(keys, sheet, opened.closes_at) == first  # from the store, not memory
        assert keys.reads == reads + 1
        assert sheets.key(keys, sheet, clock.now()) == first  # cached again
        sheets.refresh(replace(opened, status=RoundStatus.CLOSED))  # learnt: closed
        keys.destroy("acme", opened.id)
        assert sheets.key(keys, sheet, clock.now()) is None  # the cached copy was dropped
