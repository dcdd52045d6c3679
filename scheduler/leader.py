"""Who schedules: with PostgreSQL, the replica holding an advisory lock on a dedicated,
kept-alive connection; with SQLite, the one process. When the holder dies its session ends,
the lock frees, and a standby takes over on its next try."""

from __future__ import annotations

import logging
import os
import zlib
from pathlib import Path
from typing import IO

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from core.errors import TempcheckError

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


class SqliteGuard:
    """One ``tempcheck serve`` per SQLite file: an exclusive lock on ``<file>.serve-lock``,
    held for the life of the process. The kernel drops it when the process dies, even by
    SIGKILL, so a restart after a crash is never locked out by a stale file."""

    def __init__(self, database: str) -> None:
        self.path = Path(f"{database}.serve-lock")
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        """Raises TempcheckError(cli.serve.sqlite_busy) while another serve holds the file."""
        try:
            import fcntl
        except ImportError:  # not POSIX: nothing to lock with; documented as unguarded
            log.warning("cannot guard the SQLite file against a second serve on this OS")
            return
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            handle.close()
            raise TempcheckError(
                "cli.serve.sqlite_busy", path=str(self.path), holder=holder
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}\n")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing the descriptor drops the lock
            self._file = None
