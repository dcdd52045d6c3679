"""Manual entries of the annual wheel on SQLAlchemy."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.wheel import NewWheelEntry, StoredWheelEntry, WheelKind
from storage.models import WheelEntryRow
from storage.repositories import aware


def _entry(row: WheelEntryRow) -> StoredWheelEntry:
    return StoredWheelEntry(
        id=row.id,
        tenant_id=row.tenant_id,
        kind=WheelKind(row.kind),
        day=row.day,
        owner=row.owner,
        title=row.title,
        unit_id=row.unit_id,
        created_at=aware(row.created_at),
        created_by=row.created_by,
    )


class SqlWheelRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def add(self, entry: NewWheelEntry) -> StoredWheelEntry:
        row = WheelEntryRow(
            tenant_id=entry.tenant_id,
            kind=entry.kind.value,
            day=entry.day,
            owner=entry.owner,
            title=entry.title,
            unit_id=entry.unit_id,
            created_at=entry.created_at,
            created_by=entry.created_by,
        )
        self._s.add(row)
        await self._s.flush()
        return _entry(row)

    async def list(self, tenant_id: int, start: date, end: date) -> Sequence[StoredWheelEntry]:
        query = (
            select(WheelEntryRow)
            .where(
                WheelEntryRow.tenant_id == tenant_id,
                WheelEntryRow.day >= start,
                WheelEntryRow.day <= end,
            )
            .order_by(WheelEntryRow.day, WheelEntryRow.id)
        )
        return [_entry(r) for r in (await self._s.scalars(query)).all()]

    async def remove(self, tenant_id: int, entry_id: int) -> StoredWheelEntry | None:
        row = await self._s.get(WheelEntryRow, entry_id)
        if row is None or row.tenant_id != tenant_id:
            return None
        removed = _entry(row)
        await self._s.delete(row)
        await self._s.flush()
        return removed
