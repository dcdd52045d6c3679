"""Who schedules: with PostgreSQL, the replica holding an advisory lock on a dedicated,
kept-alive connection; with SQLite, the one process. When the holder dies its session ends,
the lock frees, and a standby takes over on its next try."""

from __future__ import annotations

import logging
import zlib

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

#: A fixed 64-bit key for pg_try_advisory_lock, derived from a name (stable across versions).
LOCK_KEY = zlib.crc32(b"tempcheck-scheduler")


class LeaderLock:
    """``ensure()`` returns whether this process is (still, or now) the leader."""

    def __init__(self, engine: AsyncEngine, key: int = LOCK_KEY) -> None:
        self._engine = engine
        self._key = key
        self._conn: AsyncConnection | None = None
        self.single_process = engine.dialect.name != "postgresql"

    @property
    def held(self) -> bool:
        return self.single_process or self._conn is not None

    async def ensure(self) -> bool:
        if self.single_process:
            return True
        if self._conn is not None:
            try:
                # Keep-alive: a dead connection means the lock is gone with it.
                await self._conn.execute(text("SELECT 1"))
                return True
            except (DBAPIError, SQLAlchemyError, OSError):
                log.warning("scheduler lock connection lost")
                await self._drop()
        conn = await self._engine.connect()
        try:
            got = (
                await conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self._key})
            ).scalar()
            await conn.commit()
        except (DBAPIError, SQLAlchemyError, OSError):
            await conn.close()
            return False
        if got:
            self._conn = conn
            log.info("scheduler leadership acquired")
            return True
        await conn.close()
        return False

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await conn.close()
            except (DBAPIError, SQLAlchemyError, OSError):
                log.warning("closing the lost scheduler lock connection failed")

    async def release(self) -> None:
        if self._conn is not None:
            try:
                await self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self._key})
                await self._conn.commit()
            except (DBAPIError, SQLAlchemyError, OSError):
                log.warning("releasing the scheduler lock failed; the session end frees it")
            await self._drop()
