"""T23: a database dump after close + grace cannot link answers to people (SQLite and
PostgreSQL): no linking column, no key to re-derive pseudonyms, no usable row order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text

from core.clock import FixedClock
from core.ledger import pseudonym
from core.round_service import close_round, shred_due_keys
from core.submission import Submission
from core.submission import submit as submit_answer
from storage.engine import create_engine, session_factory
from storage.models import metadata
from storage.uow import SqlUnitOfWorkFactory
from tests.flow import TENANT, advance, answers_for, key_store, open_for, organisation, setup_org

N = 40


def _spearman(xs: list[int]) -> float:
    n = len(xs)
    ranks = sorted(range(n), key=lambda i: xs[i])
    position = [0] * n
    for rank, i in enumerate(ranks):
        position[i] = rank
    d2 = sum((position[i] - i) ** 2 for i in range(n))
    return 1 - 6 * d2 / (n * (n * n - 1))


async def _physical(conn: Any, table: str, dialect: str) -> list[dict[str, Any]]:
    order = " ORDER BY ctid" if dialect == "postgresql" else ""
    rows = await conn.execute(text(f"SELECT * FROM {table}{order}"))
    return [dict(r._mapping) for r in rows]


async def test_T23_dump_after_close_and_grace_cannot_link_answers(
    db_url: str, clock: FixedClock, tmp_path: Path
) -> None:
    engine = create_engine(db_url)
    dialect = engine.dialect.name
    uows = SqlUnitOfWorkFactory(session_factory(engine))
    keys = key_store(tmp_path)
    try:
        # A leader alone at the top and a two-person unit: their answers must not be
        # stored under a unit that stands for fewer than k_eligible people.
        await setup_org(uows, clock, {"Acme": 1, "Acme/Ops": N - 3, "Acme/Tiny": 2})
        found = (await open_for(uows, keys, clock, "2026-W48")).round
        members = (await organisation(uows)).active_members()
        for i, member in enumerate(members):
            await submit_answer(
                uows,
                keys,
                clock,
                Submission(
                    found.id, member.id, answers_for(found, 1 + i % 5), f"comment {i:03d}", "leader"
                ),
            )
        async with engine.connect() as conn:
            ids_before = {r["id"] for r in await _physical(conn, "answers", dialect)}
        key = keys.get(TENANT, found.id)
        assert key is not None
        submit_order = [pseudonym(key, m.tenant_id, m.id, found.id) for m in members]

        await close_round(uows, clock, found.id, actor="t")
        async with engine.connect() as conn:
            comments = await _physical(conn, "comments", dialect)
            answers = await _physical(conn, "answers", dialect)
            ledger_after_close = [r["pseudonym"] for r in await _physical(conn, "ledger", dialect)]
        # Rows were rewritten at close: no id survives to be matched with an earlier copy.
        assert ids_before.isdisjoint(r["id"] for r in answers)
        # Physical order of comments says nothing about the order of submission.
        order = [int(str(c["text"]).split()[1]) for c in comments]
        assert sorted(order) == list(range(N))
        assert abs(_spearman(order)) < 0.6
        # Ledger order vs submission order vs answer order: nothing to join on.
        ledger_pos = [submit_order.index(p) for p in ledger_after_close]
        assert sorted(ledger_pos) == list(range(N))

        advance(clock, days=8)
        assert await shred_due_keys(uows, keys, clock, actor="t") == [found.id]
        assert keys.get(TENANT, found.id) is None
        async with engine.connect() as conn:
            dump = {t.name: await _physical(conn, t.name, dialect) for t in metadata.sorted_tables}
            answer_columns = set(
                await conn.run_sync(
                    lambda c: {col["name"] for col in inspect(c).get_columns("answers")}
                )
            )
            comment_columns = set(
                await conn.run_sync(
                    lambda c: {col["name"] for col in inspect(c).get_columns("comments")}
                )
            )
        assert dump["ledger"] == []  # only the count remains
        snapshot = [r for r in dump["round_members"] if r["round_id"] == found.id]
        stands_for = {
            u: sum(1 for r in snapshot if r["answer_unit_id"] == u)
            for u in {r["answer_unit_id"] for r in snapshot}
        }
        stored_units = {r["unit_id"] for r in dump["answers"] + dump["comments"]}
        assert stored_units <= set(stands_for)
        assert all(stands_for[u] >= found.thresholds.k_eligible for u in stored_units)
        tiny = {r["home_unit_id"] for r in snapshot} - set(stands_for)
        # The lone leader could not stand alone, so the root absorbed the smallest group (Ops,
        # here the only one) and Tiny: the release would suppress those as complements anyway.
        assert len(tiny) == 2
        assert answer_columns == {"id", "round_id", "unit_id", "item_id", "value"}
        assert comment_columns == {"id", "round_id", "unit_id", "audience", "text"}
        round_row = next(r for r in dump["rounds"] if r["id"] == found.id)
        assert round_row["respondents"] == N and round_row["keys_shredded_at"] is not None
        # Nothing in the answer and comment tables equals anything that identifies a member.
        identities = {str(v) for m in members for v in (m.id, m.email, m.name, m.slack_user_id)}
        stored = {
            str(v)
            for row in dump["answers"] + dump["comments"]
            for k, v in row.items()
            if k not in ("round_id", "unit_id", "item_id", "value")
        }
        assert not (identities & stored)
        # Without the key the pseudonyms are gone and cannot be recomputed.
        assert not any((tmp_path / "keys" / TENANT).glob("*.key"))
    finally:
        await engine.dispose()


def test_spearman_helper_detects_order() -> None:
    assert _spearman(list(range(10))) == 1.0
    assert _spearman(list(range(9, -1, -1))) == -1.0
