"""SQLAlchemy repositories for rounds, anonymous answers and the ledger."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import DateTime, String, bindparam, delete, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.anonymity.thresholds import Thresholds
from core.questions import QuestionSet
from core.rounds import (
    NewAnswer,
    NewComment,
    NewRound,
    Round,
    RoundItem,
    RoundStatus,
    SnapshotMember,
    SnapshotUnit,
    StoredRelease,
)
from storage.models import (
    AnswerRow,
    CommentRow,
    LedgerRow,
    QuestionItemRow,
    QuestionSetRow,
    ReleaseRow,
    RoundItemRow,
    RoundMemberRow,
    RoundRow,
    RoundUnitRow,
)
from storage.repositories import aware, parse_stored_set


def _optional(value: datetime | None) -> datetime | None:
    return aware(value) if value is not None else None


#: content hash → parsed question set (the hash covers the whole document)
_PARSED_SETS: dict[str, QuestionSet] = {}
MAX_PARSED_SETS = 64


def _round(row: RoundRow, items: tuple[RoundItem, ...]) -> Round:
    return Round(
        id=row.id,
        tenant_id=row.tenant_id,
        unit_id=row.unit_id,
        period=row.period,
        plan_index=row.plan_index,
        question_set_id=row.question_set_id,
        status=RoundStatus(row.status),
        thresholds=Thresholds.from_dict(row.thresholds),
        opened_at=aware(row.opened_at),
        closes_at=aware(row.closes_at),
        release_delay_hours=row.release_delay_hours,
        items=items,
        closed_at=_optional(row.closed_at),
        released_at=_optional(row.released_at),
        keys_shredded_at=_optional(row.keys_shredded_at),
        respondents=row.respondents,
    )


class SqlRoundRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def _items(self, row: RoundRow) -> tuple[RoundItem, ...]:
        return (await self._items_of([row]))[row.id]

    async def _items_of(self, rows: Sequence[RoundRow]) -> dict[int, tuple[RoundItem, ...]]:
        """The items of several rounds in two queries (a list of rounds is read often)."""
        wanted = sorted({row.question_set_id for row in rows})
        digests = await self._s.execute(
            select(QuestionSetRow.id, QuestionSetRow.content_hash).where(
                QuestionSetRow.id.in_(wanted)
            )
        )
        sets = {}
        for set_id, digest in digests.all():
            # A stored version never changes: read its (large) document once per process.
            parsed = _PARSED_SETS.get(digest)
            if parsed is None:
                parsed = parse_stored_set(await self._s.get_one(QuestionSetRow, set_id))
                if len(_PARSED_SETS) >= MAX_PARSED_SETS:
                    _PARSED_SETS.clear()
                _PARSED_SETS[digest] = parsed
            sets[set_id] = parsed
        result = await self._s.execute(
            select(RoundItemRow.round_id, QuestionItemRow.id, QuestionItemRow.item_key)
            .join(RoundItemRow, RoundItemRow.item_id == QuestionItemRow.id)
            .where(RoundItemRow.round_id.in_([row.id for row in rows]))
            .order_by(RoundItemRow.round_id, RoundItemRow.position)
        )
        set_of = {row.id: sets[row.question_set_id] for row in rows}
        items: dict[int, list[RoundItem]] = {row.id: [] for row in rows}
        for round_id, item_id, key in result.all():
            qs = set_of[round_id]
            item = qs.item(key)
            items[round_id].append(
                RoundItem(
                    item_row_id=item_id,
                    item_key=key,
                    factor=item.factor,
                    sensitive=item.sensitive,
                    reverse=item.reverse,
                    points=qs.scale_of(item).points,
                )
            )
        return {round_id: tuple(found) for round_id, found in items.items()}

    async def _round(self, row: RoundRow) -> Round:
        return _round(row, await self._items(row))

    async def add(
        self,
        new: NewRound,
        items: Sequence[int],
        units: Sequence[SnapshotUnit],
        members: Sequence[SnapshotMember],
    ) -> Round:
        row = RoundRow(
            tenant_id=new.tenant_id,
            unit_id=new.unit_id,
            period=new.period,
            plan_index=new.plan_index,
            question_set_id=new.question_set_id,
            status=RoundStatus.OPEN.value,
            thresholds=new.thresholds.to_dict(),
            opened_at=new.opened_at,
            closes_at=new.closes_at,
            release_delay_hours=new.release_delay_hours,
        )
        self._s.add(row)
        await self._s.flush()
        self._s.add_all(
            RoundItemRow(round_id=row.id, item_id=item_id, position=i)
            for i, item_id in enumerate(items)
        )
        self._s.add_all(
            RoundUnitRow(round_id=row.id, unit_id=u.unit_id, parent_id=u.parent_id) for u in units
        )
        self._s.add_all(
            RoundMemberRow(
                round_id=row.id,
                member_id=m.member_id,
                home_unit_id=m.home_unit_id,
                answer_unit_id=m.answer_unit_id,
            )
            for m in members
        )
        await self._s.flush()
        return await self._round(row)

    async def get(self, round_id: int) -> Round | None:
        row = await self._s.get(RoundRow, round_id, populate_existing=True)
        return await self._round(row) if row else None

    async def list(self, tenant_id: int) -> Sequence[Round]:
        rows = (
            await self._s.scalars(
                select(RoundRow).where(RoundRow.tenant_id == tenant_id).order_by(RoundRow.id)
            )
        ).all()
        if not rows:
            return []
        items = await self._items_of(rows)
        return [_round(r, items[r.id]) for r in rows]

    async def count_for_unit(self, unit_id: int) -> int:
        count = await self._s.scalar(
            select(func.count()).select_from(RoundRow).where(RoundRow.unit_id == unit_id)
        )
        return int(count or 0)

    async def open_rounds_for_units(self, unit_ids: Collection[int]) -> Sequence[Round]:
        rows = await self._s.scalars(
            select(RoundRow).where(
                RoundRow.unit_id.in_(list(unit_ids)), RoundRow.status == RoundStatus.OPEN.value
            )
        )
        return [await self._round(r) for r in rows.all()]

    async def set_status(
        self,
        round_id: int,
        status: RoundStatus,
        *,
        closed_at: datetime | None = None,
        released_at: datetime | None = None,
    ) -> None:
        values: dict[str, Any] = {"status": status.value}
        if closed_at is not None:
            values["closed_at"] = closed_at
        if released_at is not None:
            values["released_at"] = released_at
        await self._s.execute(update(RoundRow).where(RoundRow.id == round_id).values(**values))

    async def mark_shredded(self, round_id: int, at: datetime, respondents: int) -> None:
        await self._s.execute(
            update(RoundRow)
            .where(RoundRow.id == round_id)
            .values(keys_shredded_at=at, respondents=respondents)
        )

    async def members(self, round_id: int) -> Sequence[SnapshotMember]:
        rows = await self._s.execute(
            select(
                RoundMemberRow.member_id, RoundMemberRow.home_unit_id, RoundMemberRow.answer_unit_id
            )
            .where(RoundMemberRow.round_id == round_id)
            .order_by(RoundMemberRow.member_id)
        )
        return [SnapshotMember(m, h, a) for m, h, a in rows.all()]

    async def member(self, round_id: int, member_id: int) -> SnapshotMember | None:
        row = await self._s.get(RoundMemberRow, (round_id, member_id))
        if row is None:
            return None
        return SnapshotMember(row.member_id, row.home_unit_id, row.answer_unit_id)

    async def units(self, round_id: int) -> Sequence[SnapshotUnit]:
        rows = await self._s.execute(
            select(RoundUnitRow.unit_id, RoundUnitRow.parent_id)
            .where(RoundUnitRow.round_id == round_id)
            .order_by(RoundUnitRow.unit_id)
        )
        return [SnapshotUnit(u, p) for u, p in rows.all()]

    async def save_release(self, release: StoredRelease) -> None:
        self._s.add(
            ReleaseRow(
                round_id=release.round_id,
                document=release.document,
                hash=release.hash,
                created_at=release.created_at,
            )
        )
        await self._s.flush()

    async def release(self, round_id: int) -> StoredRelease | None:
        row = await self._s.get(ReleaseRow, round_id)
        if row is None:
            return None
        return StoredRelease(row.round_id, row.document, row.hash, aware(row.created_at))


_LEDGER: Any = LedgerRow.__table__
_ROUNDS: Any = RoundRow.__table__
_ANSWERS: Any = AnswerRow.__table__
#: Answer rows per INSERT statement (4 parameters each; far below both databases' limits).
ANSWER_ROWS_PER_INSERT = 250
#: Pseudonyms per ledger claim statement.
CLAIMS_PER_INSERT = 200


@lru_cache(maxsize=256)
def _claim_statement(dialect: str, count: int) -> Any:
    """The ledger claim of ``count`` pseudonyms in one round, built once per dialect and count
    (SQLAlchemy then reuses its compiled form).

    The round's status is checked by the statement that claims, not by the caller's
    (possibly cached) copy of the round. On PostgreSQL FOR SHARE makes a claim wait for a
    transaction that is closing the round and then see it closed, and a closing transaction
    waits for the claims in flight (``shuffle`` takes FOR UPDATE). On SQLite the claim runs
    under the database's single write lock, which gives the same order. ON CONFLICT DO
    NOTHING: a concurrent duplicate waits for the first transaction and then inserts
    nothing, so a double click can never store two submissions.
    """
    marks = ", ".join(f"(:pseudonym_{i})" for i in range(count))
    if dialect == "postgresql":
        source, mark, lock = f"(VALUES {marks}) AS v (pseudonym)", "v.pseudonym", " FOR SHARE OF r"
    else:  # SQLite names the columns of a VALUES list column1, column2, ...
        source, mark, lock = f"(VALUES {marks}) AS v", "v.column1", ""
    statement = text(
        f"INSERT INTO {_LEDGER.name} (round_id, pseudonym) "
        f"SELECT r.id, {mark} FROM {_ROUNDS.name} AS r, {source} "
        "WHERE r.id = :round_id AND r.status = :open AND r.closes_at > :open_at"
        f"{lock} ON CONFLICT DO NOTHING RETURNING pseudonym"
    )
    return statement.bindparams(
        bindparam("open", RoundStatus.OPEN.value),
        bindparam("open_at", type_=DateTime(timezone=True)),
        *(bindparam(f"pseudonym_{i}", type_=String(64)) for i in range(count)),
    )


@lru_cache(maxsize=256)
def _answers_statement(rows: int) -> Any:
    # text(), because SQLAlchemy compiles a multi-row insert() anew on every execution; a
    # text() statement is compiled once and cached like any other.
    columns = ("id", "round_id", "unit_id", "item_id", "value")
    values = ", ".join(
        "(" + ", ".join(":round_id" if c == "round_id" else f":{c}_{i}" for c in columns) + ")"
        for i in range(rows)
    )
    return text(f"INSERT INTO {_ANSWERS.name} ({', '.join(columns)}) VALUES {values}")


class SqlAnswerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def claim(
        self, round_id: int, pseudonyms: Sequence[str], *, open_at: datetime
    ) -> set[str]:
        claimed: set[str] = set()
        dialect = self._s.get_bind().dialect.name
        unique = list(dict.fromkeys(pseudonyms))
        for start in range(0, len(unique), CLAIMS_PER_INSERT):
            chunk = unique[start : start + CLAIMS_PER_INSERT]
            params: dict[str, object] = {"round_id": round_id, "open_at": open_at.astimezone(UTC)}
            params.update((f"pseudonym_{i}", p) for i, p in enumerate(chunk))
            rows = await self._s.execute(_claim_statement(dialect, len(chunk)), params)
            claimed.update(str(p) for (p,) in rows.all())
        return claimed

    async def has_claimed(self, round_id: int, pseudonym: str) -> bool:
        row = await self._s.get(LedgerRow, (round_id, pseudonym))
        return row is not None

    async def ledger_count(self, round_id: int) -> int:
        count = await self._s.scalar(
            select(func.count()).select_from(LedgerRow).where(LedgerRow.round_id == round_id)
        )
        return int(count or 0)

    async def delete_ledger(self, round_id: int) -> None:
        await self._s.execute(delete(LedgerRow).where(LedgerRow.round_id == round_id))

    async def add_answers(self, round_id: int, answers: Sequence[NewAnswer]) -> None:
        # One multi-row INSERT per submission (a prebuilt statement per row count): cheaper
        # than ORM objects or a driver-level executemany for a handful of rows.
        for start in range(0, len(answers), ANSWER_ROWS_PER_INSERT):
            chunk = answers[start : start + ANSWER_ROWS_PER_INSERT]
            params: dict[str, object] = {"round_id": round_id}
            for i, a in enumerate(chunk):
                params[f"id_{i}"] = str(uuid.uuid4())
                params[f"unit_id_{i}"] = a.unit_id
                params[f"item_id_{i}"] = a.item_row_id
                params[f"value_{i}"] = a.value
            await self._s.execute(_answers_statement(len(chunk)), params)

    async def add_comment(self, round_id: int, comment: NewComment) -> None:
        await self._s.execute(
            insert(CommentRow).values(
                id=str(uuid.uuid4()),
                round_id=round_id,
                unit_id=comment.unit_id,
                audience=comment.audience,
                text=comment.text,
            )
        )

    async def answers(self, round_id: int) -> Sequence[NewAnswer]:
        rows = await self._s.execute(
            select(AnswerRow.unit_id, AnswerRow.item_id, AnswerRow.value).where(
                AnswerRow.round_id == round_id
            )
        )
        return [NewAnswer(u, i, v) for u, i, v in rows.all()]

    async def comments(self, round_id: int) -> Sequence[NewComment]:
        rows = await self._s.execute(
            select(CommentRow.unit_id, CommentRow.audience, CommentRow.text).where(
                CommentRow.round_id == round_id
            )
        )
        return [NewComment(u, a, t) for u, a, t in rows.all()]

    async def shuffle(self, round_id: int) -> None:
        # First lock the round's row (PostgreSQL; SQLite holds its single write lock): claims
        # in flight commit before the rows are read, later claims wait and then find the
        # round closed, so no answer lands between the read and the rewrite below.
        rounds: Any = RoundRow.__table__
        await self._s.execute(select(rounds.c.id).where(rounds.c.id == round_id).with_for_update())
        for model, columns in (
            (AnswerRow, ("unit_id", "item_id", "value")),
            (CommentRow, ("unit_id", "audience", "text")),
        ):
            table: Any = model.__table__
            rows = (
                await self._s.execute(
                    select(*(table.c[c] for c in columns)).where(table.c.round_id == round_id)
                )
            ).all()
            await self._s.execute(delete(table).where(table.c.round_id == round_id))
            fresh: list[Mapping[str, object]] = [
                {
                    "id": str(uuid.uuid4()),
                    "round_id": round_id,
                    **dict(zip(columns, r, strict=True)),
                }
                for r in rows
            ]
            # Insert in the order of the new random ids: the heap order becomes random.
            fresh.sort(key=lambda r: str(r["id"]))
            if fresh:
                await self._s.execute(insert(table), fresh)
