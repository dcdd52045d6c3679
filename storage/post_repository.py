"""The results outbox on SQLAlchemy (claims with FOR UPDATE SKIP LOCKED on PostgreSQL)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from core.destinations import Purpose
from core.messenger import MessageRef
from core.posts import NewPost, Post, PostStatus
from storage.models import ResultPostRow
from storage.repositories import aware


class SqlPostRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    def _dialect(self) -> Any:
        return postgresql if self._s.get_bind().dialect.name == "postgresql" else sqlite

    async def add_many(self, rows: Sequence[NewPost]) -> int:
        if not rows:
            return 0
        values = [
            {
                "round_id": r.round_id,
                "unit_id": r.unit_id,
                "purpose": r.purpose.value,
                "target": r.target,
                "due_at": r.due_at,
                "status": PostStatus.PENDING.value,
                "attempts": 0,
            }
            for r in rows
        ]
        statement = (
            self._dialect()
            .insert(ResultPostRow)
            .values(values)
            .on_conflict_do_nothing(index_elements=["round_id", "unit_id", "purpose", "target"])
            .returning(ResultPostRow.id)
        )
        return len((await self._s.execute(statement)).all())

    async def claim(
        self, now: datetime, lease_expired_before: datetime, limit: int, worker: str
    ) -> Sequence[Post]:
        due = or_(
            (ResultPostRow.status == PostStatus.PENDING.value) & (ResultPostRow.due_at <= now),
            (ResultPostRow.status == PostStatus.SENDING.value)
            & (ResultPostRow.claimed_at < lease_expired_before),
        )
        query = select(ResultPostRow).where(due).order_by(ResultPostRow.id).limit(limit)
        rows = list((await self._s.scalars(query.with_for_update(skip_locked=True))).all())
        for row in rows:
            row.status = PostStatus.SENDING.value
            row.claimed_by = worker
            row.claimed_at = now
            row.attempts = row.attempts + 1
        await self._s.flush()
        return [
            Post(
                round_id=r.round_id,
                unit_id=r.unit_id,
                purpose=Purpose(r.purpose),
                target=r.target,
                due_at=aware(r.due_at),
                id=r.id,
                status=PostStatus(r.status),
                attempts=r.attempts,
            )
            for r in rows
        ]

    async def finish(
        self, post_id: int, status: PostStatus, message: MessageRef | None, error: str | None
    ) -> None:
        await self._s.execute(
            update(ResultPostRow)
            .where(ResultPostRow.id == post_id)
            .values(
                status=status.value,
                message_channel=message.channel if message else None,
                message_id=message.id if message else None,
                last_error=error,
            )
        )

    async def retry_later(self, post_id: int, due_at: datetime, error: str) -> None:
        await self._s.execute(
            update(ResultPostRow)
            .where(ResultPostRow.id == post_id)
            .values(
                status=PostStatus.PENDING.value,
                due_at=due_at,
                last_error=error,
                claimed_at=None,
                claimed_by=None,
            )
        )

    async def counts(self) -> Mapping[tuple[str, str], int]:
        query = select(ResultPostRow.purpose, ResultPostRow.status, func.count()).group_by(
            ResultPostRow.purpose, ResultPostRow.status
        )
        return {(p, s): int(n) for p, s, n in (await self._s.execute(query)).all()}
