"""The scheduler's heartbeat: one row per running ``tempcheck serve`` replica, so that
``tempcheck status`` can say who leads, when it last swept and when it sweeps and sends next.
Operational data only: no person, no round, no delivery in it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import SchedulerWorkerRow
from storage.repositories import aware

#: A row not refreshed for this long belongs to a replica that is gone; the leader drops it.
FORGET_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class WorkerBeat:
    worker: str
    mode: str
    is_leader: bool
    started_at: datetime
    seen_at: datetime
    leader_since: datetime | None
    last_sweep_at: datetime | None
    next_sweep_at: datetime | None
    last_send_at: datetime | None
    next_send_at: datetime | None


def _maybe(value: datetime | None) -> datetime | None:
    return aware(value) if value is not None else None


class Heartbeat:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._insert: Any = (
            postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        )

    async def join(self, worker: str, mode: str, now: datetime) -> None:
        statement = self._insert(SchedulerWorkerRow).values(
            worker=worker, mode=mode, is_leader=False, started_at=now, seen_at=now
        )
        statement = statement.on_conflict_do_update(
            index_elements=["worker"], set_={"mode": mode, "seen_at": now}
        )
        async with self._engine.begin() as conn:
            await conn.execute(statement)

    async def beat(self, worker: str, now: datetime, **fields: datetime | bool | None) -> None:
        """Refresh ``seen_at`` and any of last/next sweep/send, is_leader."""
        async with self._engine.begin() as conn:
            await conn.execute(
                update(SchedulerWorkerRow)
                .where(SchedulerWorkerRow.worker == worker)
                .values(seen_at=now, **fields)
            )

    async def lead(self, worker: str, now: datetime) -> None:
        """This worker holds the leader lock now: it alone is marked leader, and rows of
        replicas gone for a day are dropped."""
        async with self._engine.begin() as conn:
            await conn.execute(
                update(SchedulerWorkerRow)
                .where(SchedulerWorkerRow.worker != worker)
                .values(is_leader=False)
            )
            await conn.execute(
                update(SchedulerWorkerRow)
                .where(SchedulerWorkerRow.worker == worker)
                .values(is_leader=True, leader_since=now, seen_at=now)
            )
            await conn.execute(
                delete(SchedulerWorkerRow).where(SchedulerWorkerRow.seen_at < now - FORGET_AFTER)
            )

    async def leave(self, worker: str) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                delete(SchedulerWorkerRow).where(SchedulerWorkerRow.worker == worker)
            )

    async def workers(self) -> Sequence[WorkerBeat]:
        async with self._engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(SchedulerWorkerRow).order_by(
                        SchedulerWorkerRow.is_leader.desc(), SchedulerWorkerRow.worker
                    )
                )
            ).all()
        return [
            WorkerBeat(
                worker=r.worker,
                mode=r.mode,
                is_leader=bool(r.is_leader),
                started_at=aware(r.started_at),
                seen_at=aware(r.seen_at),
                leader_since=_maybe(r.leader_since),
                last_sweep_at=_maybe(r.last_sweep_at),
                next_sweep_at=_maybe(r.next_sweep_at),
                last_send_at=_maybe(r.last_send_at),
                next_send_at=_maybe(r.next_send_at),
            )
            for r in rows
        ]
