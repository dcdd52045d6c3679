"""The outbox on SQLAlchemy. Claims use FOR UPDATE SKIP LOCKED on PostgreSQL, so several
replicas share a fan-out without waiting on each other and never take the same row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    Executable,
    Row,
    Table,
    case,
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

    async def _run(self, statement: Executable) -> CursorResult[Any]:
        connection = await self._s.connection()
        return await connection.execute(statement)

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
        due = or_(
            (_T.c.status == DeliveryStatus.PENDING.value) & (_T.c.due_at <= now),
            (_T.c.status == DeliveryStatus.SENDING.value)
            & (_T.c.claimed_at < lease_expired_before),
        )
        chosen = select(*_CLAIMED).where(due).order_by(_T.c.due_at, _T.c.id).limit(limit)
        claim = {
            "status": DeliveryStatus.SENDING.value,
            "claimed_by": worker,
            "claimed_at": now,
            "attempts": _T.c.attempts + 1,
        }
        if self._postgres():
            # One statement: lock the due rows (skipping those another replica holds), mark
            # them and hand back what they were before.
            before = chosen.with_for_update(skip_locked=True).cte("due")
            statement = (
                update(_T)
                .where(_T.c.id == before.c.id)
                .values(claim)
                .returning(*(before.c[c.name] for c in _CLAIMED))
            )
            rows = sorted((await self._run(statement)).all(), key=lambda r: (r.due_at, r.id))
        else:
            # SQLite: the unit of work holds the database's one write lock (BEGIN IMMEDIATE)
            # from the read to the write, and RETURNING cannot show the rows before.
            rows = list((await self._run(chosen)).all())
            if rows:
                await self._run(update(_T).where(_T.c.id.in_([r.id for r in rows])).values(claim))
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
        # One UPDATE for the batch; each row's message through a CASE on its id.
        await self._run(
            update(_T)
            .where(_T.c.id.in_([delivery_id for delivery_id, _ in sent]))
            .values(
                status=DeliveryStatus.SENT.value,
                finished_at=at,
                message_channel=case({i: m.channel for i, m in sent}, value=_T.c.id),
                message_id=case({i: m.id for i, m in sent}, value=_T.c.id),
                last_error=None,
            )
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
