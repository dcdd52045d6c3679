"""The SQLAlchemy unit of work: one AsyncSession, one transaction.

On SQLite a unit of work that may write first queues for the engine's in-process writer
lock (storage/engine.py ``WriterLock``) and holds it until it ends. ``read_only()`` units of
work take no lock and open no transaction: for lookups outside the write path.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.delivery_repository import SqlDeliveryRepository
from storage.engine import WriterLock, read_only_session_factory, writer_lock
from storage.followup_repository import SqlFollowupRepository
from storage.post_repository import SqlPostRepository
from storage.repositories import (
    SqlAuditLog,
    SqlConversationRepository,
    SqlOrganisationRepository,
    SqlQuestionSetRepository,
)
from storage.round_repositories import SqlAnswerRepository, SqlRoundRepository
from storage.wheel_repository import SqlWheelRepository


class SqlUnitOfWork:
    organisation: SqlOrganisationRepository
    questions: SqlQuestionSetRepository
    audit: SqlAuditLog
    rounds: SqlRoundRepository
    answers: SqlAnswerRepository
    conversations: SqlConversationRepository
    deliveries: SqlDeliveryRepository
    posts: SqlPostRepository
    wheel: SqlWheelRepository
    followup: SqlFollowupRepository

    def __init__(
        self,
        sessions: async_sessionmaker[Any],
        lock: WriterLock | None = None,
        *,
        read_only: bool = False,
    ) -> None:
        self._sessions = sessions
        self._lock = lock
        self._session: AsyncSession | None = None
        self.read_only = read_only

    async def __aenter__(self) -> Self:
        if self._lock is not None:
            await self._lock.__aenter__()
        self._session = self._sessions()
        self.organisation = SqlOrganisationRepository(self._session)
        self.questions = SqlQuestionSetRepository(self._session)
        self.audit = SqlAuditLog(self._session)
        self.rounds = SqlRoundRepository(self._session)
        self.answers = SqlAnswerRepository(self._session)
        self.conversations = SqlConversationRepository(self._session)
        self.deliveries = SqlDeliveryRepository(self._session)
        self.posts = SqlPostRepository(self._session)
        self.wheel = SqlWheelRepository(self._session)
        self.followup = SqlFollowupRepository(self._session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self._require()
        try:
            await session.close()  # rolls back anything uncommitted
        finally:
            self._session = None
            if self._lock is not None:
                await self._lock.__aexit__(None, None, None)

    def _require(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("unit of work used outside 'async with'")
        return self._session

    async def commit(self) -> None:
        if self.read_only:
            raise RuntimeError("commit() in a read-only unit of work")
        await self._require().commit()

    async def rollback(self) -> None:
        await self._require().rollback()


class SqlUnitOfWorkFactory:
    def __init__(self, sessions: async_sessionmaker[Any]) -> None:
        self._sessions = sessions
        engine = sessions.kw.get("bind")
        if not isinstance(engine, AsyncEngine):
            raise TypeError("the session factory must be bound to an AsyncEngine")
        self._lock = writer_lock(engine)
        self._read_sessions = read_only_session_factory(engine)

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._sessions, self._lock)

    def read_only(self) -> SqlUnitOfWork:
        """A unit of work for lookups: no transaction, no write lock, no commit."""
        return SqlUnitOfWork(self._read_sessions, read_only=True)
