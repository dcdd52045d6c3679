"""Engines for the two supported databases: SQLite (embedded default) and PostgreSQL.

Two kinds of session share one engine (and its pool):

- the default, for units of work that write: on SQLite one writer at a time, queued in this
  process first come first served (``WriterLock``) and then ``BEGIN IMMEDIATE``, so a unit of
  work that reads and then writes never fails to upgrade its lock;
- read-only (``read_only_session_factory``): no transaction is opened (autocommit), so each
  statement sees the latest committed data and nothing waits for the write lock. For
  lookups that need no consistent snapshot across statements.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from types import TracebackType
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

SQLITE_BUSY_TIMEOUT_MS = 10_000
#: Connections per server process (``TEMPCHECK_DB_POOL_SIZE``): at least the number of
#: requests expected in flight, so that a burst does not close and reopen connections.
DEFAULT_POOL_SIZE = 32
#: A pooled PostgreSQL connection idle for longer than this is pinged before use (a busy
#: server then never pays a round trip per checkout, a restarted database is still noticed).
PING_AFTER_IDLE_S = 10.0
READ_ONLY = "tempcheck_read_only"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


class _Queue:
    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.owner: asyncio.Task[Any] | None = None
        self.depth = 0


class WriterLock:
    """One writing unit of work at a time per SQLite engine in this process, in arrival order.

    ``asyncio.Lock`` is fair (FIFO); waiting here costs nothing, unlike SQLite's busy handler,
    which sleeps and retries with growing pauses and so makes the tail of a queue long. Other
    processes (the CLI, a scheduler) still meet SQLite's own lock and its busy timeout.

    Re-entrant per task: a unit of work opened inside another one in the same task passes
    (as before this lock existed, it then works as long as the outer one has not yet
    written anything, and otherwise meets SQLite's busy timeout).
    """

    def __init__(self, timeout_s: float = SQLITE_BUSY_TIMEOUT_MS / 1000) -> None:
        self.timeout_s = timeout_s
        self._queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Queue] = (
            weakref.WeakKeyDictionary()
        )

    def _queue(self) -> _Queue:
        loop = asyncio.get_running_loop()
        queue = self._queues.get(loop)
        if queue is None:
            queue = self._queues[loop] = _Queue()
        return queue

    async def __aenter__(self) -> None:
        queue = self._queue()
        task = asyncio.current_task()
        if task is not None and queue.owner is task:
            queue.depth += 1
            return
        try:
            async with asyncio.timeout(self.timeout_s):
                await queue.lock.acquire()
        except TimeoutError:
            # Like SQLite's own busy timeout: a writer that never finishes fails the others
            # instead of making them hang for ever.
            raise exc.OperationalError(
                "waiting for the SQLite writer lock", None, TimeoutError("database is locked")
            ) from None
        queue.owner, queue.depth = task, 1

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        queue = self._queue()
        queue.depth -= 1
        if queue.depth == 0:
            queue.owner = None
            queue.lock.release()


_WRITER_LOCKS: weakref.WeakKeyDictionary[Engine, WriterLock] = weakref.WeakKeyDictionary()


def writer_lock(engine: AsyncEngine) -> WriterLock | None:
    """The engine's in-process writer queue (SQLite only; PostgreSQL needs none)."""
    return _WRITER_LOCKS.get(engine.sync_engine)


def create_engine(url: str, *, pool_size: int = DEFAULT_POOL_SIZE) -> AsyncEngine:
    """An async engine; SQLite gets WAL, a busy timeout, foreign keys and real BEGINs."""
    if not is_sqlite(url):
        # No overflow: beyond ``pool_size`` a unit of work waits for a connection rather
        # than opening one that is closed again at checkin (connection churn).
        engine = create_async_engine(url, pool_size=pool_size, max_overflow=0)
        _ping_when_idle(engine)
        return engine
    engine = create_async_engine(url)
    _WRITER_LOCKS[engine.sync_engine] = WriterLock()

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's implicit transactions start late and skip DDL; take control so a
        # unit of work is one real transaction (the SQLAlchemy-documented recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(READ_ONLY):
            return  # autocommit: every statement reads the latest committed state
        # IMMEDIATE takes the write lock up front: two tasks that read and then write (a
        # sender claiming rows, a submission) queue instead of one failing with "database
        # is locked" when it tries to upgrade a read lock. In this process they have
        # already queued on the WriterLock, so this normally does not wait.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _ping_when_idle(engine: AsyncEngine) -> None:
    """``pool_pre_ping`` costs a round trip per checkout; ping only connections that sat idle."""

    @event.listens_for(engine.sync_engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_S:
            return
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
        except Exception as error:  # the driver's own error types: any failure means gone
            # The pool drops this connection and checks out (or opens) another one.
            raise exc.DisconnectionError() from error


def session_factory(engine: AsyncEngine) -> async_sessionmaker[Any]:
    return async_sessionmaker(engine, expire_on_commit=False)


def read_only_session_factory(engine: AsyncEngine) -> async_sessionmaker[Any]:
    """Sessions that never open a transaction; see the module doc."""
    options: dict[str, Any] = {READ_ONLY: True}
    if engine.dialect.name != "sqlite":
        options["isolation_level"] = "AUTOCOMMIT"
    return async_sessionmaker(engine.execution_options(**options), expire_on_commit=False)
