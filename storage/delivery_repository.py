"""The outbox on SQLAlchemy. Claims use FOR UPDATE SKIP LOCKED on PostgreSQL, so several
replicas share a fan-out without waiting on each other and never take the same row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    Executable,
    Integer,
    Row,
    Table,
    bindparam,
    delete,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from core.delivery import MATERIALISED, Delivery, DeliveryStatus, NewDelivery
from core.messenger import MessageRef
from storage.models import DeliveryRow, DeliveryTallyRow
from storage.repositories import aware

INSERT_CHUNK = 1000


_T = cast(Table, DeliveryRow.__table__)
#: What a claim returns, as the row was before the claim (a taken-over row's sender may have
#: sent: its earlier claim says so).
_CLAIMED = (
    _T.c.round_id,
    _T.c.member_id,
    _T.c.kind,
    _T.c.platform,
    _T.c.workspace,
    _T.c.recipient,
    _T.c.locale,
    _T.c.due_at,
    _T.c.id,
    _T.c.status,
    _T.c.attempts,
    _T.c.claimed_at,
)

# The sender's statements are built once, with bound parameters: constructing them per batch
# (and the CASE of a batch's messages) cost more CPU than running them.
_DUE_ROWS = (
    select(*_CLAIMED)
    .where(
        or_(
            (_T.c.status == DeliveryStatus.PENDING.value) & (_T.c.due_at <= bindparam("now")),
            (_T.c.status == DeliveryStatus.SENDING.value)
            & (_T.c.claimed_at < bindparam("expired")),
        )
    )
    .order_by(_T.c.due_at, _T.c.id)
    .limit(bindparam("limit", type_=Integer))
)
_CLAIM = {
    "status": DeliveryStatus.SENDING.value,
    "claimed_by": bindparam("worker"),
    "claimed_at": bindparam("now"),
    "attempts": _T.c.attempts + 1,
}
_BEFORE = _DUE_ROWS.with_for_update(skip_locked=True).cte("due")
#: PostgreSQL, one statement: lock the due rows (skipping those another replica holds), mark
#: them, and return them as they were.
_CLAIM_POSTGRES = (
    update(_T)
    .where(_T.c.id == _BEFORE.c.id)
    .values(_CLAIM)
    .returning(*(_BEFORE.c[c.name] for c in _CLAIMED))
)
#: SQLite: the unit of work holds the database's one write lock (BEGIN IMMEDIATE) from
#: reading the due rows to marking them, and RETURNING cannot show the rows as they were.
_MARK_CLAIMED = update(_T).where(_T.c.id.in_(bindparam("ids", expanding=True))).values(_CLAIM)
#: A batch's sent rows: one statement, executed for all of them at once (executemany).
_MARK_SENT = (
    update(_T)
    .where(_T.c.id == bindparam("row"))
    .values(
        status=DeliveryStatus.SENT.value,
        finished_at=bindparam("at"),
        message_channel=bindparam("channel"),
        message_id=bindparam("ts"),
        last_error=None,
    )
)


def _delivery(row: Row[Any]) -> Delivery:
    return Delivery(
        round_id=row.round_id,
        member_id=row.member_id,
        kind=row.kind,
        platform=row.platform,
        workspace=row.workspace,
        recipient=row.recipient,
        locale=row.locale,
        due_at=aware(row.due_at),
        id=row.id,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        claimed_at=aware(row.claimed_at) if row.claimed_at else None,
    )


class SqlDeliveryRepository:
    """The sender's statements (claim, finish_sent, hand_back) are Core statements on the
    table, one per batch: a fan-out of 10,000 must not build and flush 10,000 ORM objects."""

    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    def _dialect(self) -> Any:
        return postgresql if self._postgres() else sqlite

    def _postgres(self) -> bool:
        return bool(self._s.get_bind().dialect.name == "postgresql")

    async def _run(
        self, statement: Executable, params: dict[str, Any] | list[dict[str, Any]] | None = None
    ) -> CursorResult[Any]:
        connection = await self._s.connection()
        return await connection.execute(statement, params)

    async def add_many(self, rows: Sequence[NewDelivery]) -> int:
        added = 0
        # In chunks: one statement carries 10 parameters per row, and PostgreSQL takes at
        # most 65,535 parameters (a unit of 6,554 members would fail in one statement).
        for start in range(0, len(rows), INSERT_CHUNK):
            values = [
                {**row.__dict__, "status": DeliveryStatus.PENDING.value, "attempts": 0}
                for row in rows[start : start + INSERT_CHUNK]
            ]
            statement = (
                self._dialect()
                .insert(DeliveryRow)
                .values(values)
                .on_conflict_do_nothing(index_elements=["round_id", "member_id", "kind"])
                .returning(DeliveryRow.id)
            )
            added += len((await self._s.execute(statement)).all())
        return added

    async def claim(
        self, now: datetime, lease_expired_before: datetime, limit: int, worker: str
    ) -> Sequence[Delivery]:
        params = {"now": now, "expired": lease_expired_before, "limit": limit, "worker": worker}
        if self._postgres():
            result = await self._run(_CLAIM_POSTGRES, params)
            rows = sorted(result.all(), key=lambda r: (r.due_at, r.id))
        else:
            rows = list((await self._run(_DUE_ROWS, params)).all())
            if rows:
                await self._run(_MARK_CLAIMED, {**params, "ids": [r.id for r in rows]})
        return [_delivery(r) for r in rows]

    async def finish(
        self,
        delivery_id: int,
        status: DeliveryStatus,
        at: datetime,
        message: MessageRef | None,
        error: str | None,
    ) -> None:
        await self._run(
            update(_T)
            .where(_T.c.id == delivery_id)
            .values(
                status=status.value,
                finished_at=at,
                message_channel=message.channel if message else None,
                message_id=message.id if message else None,
                last_error=error,
            )
        )

    async def finish_sent(self, sent: Sequence[tuple[int, MessageRef]], at: datetime) -> None:
        if not sent:
            return
        await self._run(
            _MARK_SENT,
            [{"row": i, "at": at, "channel": m.channel, "ts": m.id} for i, m in sent],
        )

    async def hand_back(self, delivery_ids: Sequence[int], worker: str) -> int:
        if not delivery_ids:
            return 0
        result = await self._run(
            update(_T)
            .where(
                _T.c.id.in_(list(delivery_ids)),
                _T.c.status == DeliveryStatus.SENDING.value,
                _T.c.claimed_by == worker,
            )
            .values(
                status=DeliveryStatus.PENDING.value,
                claimed_by=None,
                claimed_at=None,
                attempts=_T.c.attempts - 1,
            )
        )
        return int(result.rowcount)

    async def retry_later(self, delivery_id: int, due_at: datetime, error: str) -> None:
        await self._run(
            update(_T)
            .where(_T.c.id == delivery_id)
            .values(
                status=DeliveryStatus.PENDING.value,
                due_at=due_at,
                last_error=error,
                claimed_at=None,
                claimed_by=None,
            )
        )

    async def delete(self, delivery_id: int) -> None:
        await self._run(delete(_T).where(_T.c.id == delivery_id))

    async def tally(self, round_id: int, workspace: str, kind: str, status: str) -> None:
        statement = (
            self._dialect()
            .insert(DeliveryTallyRow)
            .values(round_id=round_id, workspace=workspace, kind=kind, status=status, count=1)
        )
        statement = statement.on_conflict_do_update(
            index_elements=["round_id", "workspace", "kind", "status"],
            set_={"count": DeliveryTallyRow.count + 1},
        )
        await self._s.execute(statement)

    async def tallied(self, round_id: int, kind: str, status: str) -> bool:
        query = select(
            exists().where(
                DeliveryTallyRow.round_id == round_id,
                DeliveryTallyRow.kind == kind,
                DeliveryTallyRow.status == status,
            )
        )
        return bool(await self._s.scalar(query))

    async def counts(self, tenant_id: int | None = None) -> Mapping[tuple[str, str, str], int]:
        from storage.models import RoundRow

        out: dict[tuple[str, str, str], int] = {}
        rows = select(
            DeliveryRow.workspace, DeliveryRow.kind, DeliveryRow.status, func.count()
        ).group_by(DeliveryRow.workspace, DeliveryRow.kind, DeliveryRow.status)
        tallies = select(
            DeliveryTallyRow.workspace,
            DeliveryTallyRow.kind,
            DeliveryTallyRow.status,
            func.sum(DeliveryTallyRow.count),
        )
        tallies = tallies.where(DeliveryTallyRow.status != MATERIALISED).group_by(
            DeliveryTallyRow.workspace, DeliveryTallyRow.kind, DeliveryTallyRow.status
        )
        if tenant_id is not None:
            rows = rows.join(RoundRow, RoundRow.id == DeliveryRow.round_id).where(
                RoundRow.tenant_id == tenant_id
            )
            tallies = tallies.join(RoundRow, RoundRow.id == DeliveryTallyRow.round_id).where(
                RoundRow.tenant_id == tenant_id
            )
        for workspace, kind, status, count in (await self._s.execute(rows)).all():
            key = (workspace, kind.split(":")[0], status)
            out[key] = out.get(key, 0) + int(count)
        for workspace, kind, status, count in (await self._s.execute(tallies)).all():
            key = (workspace, kind, status)
            out[key] = out.get(key, 0) + int(count or 0)
        return out
