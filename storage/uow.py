"""The SQLAlchemy unit of work: one AsyncSession, one transaction."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.delivery_repository import SqlDeliveryRepository
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

    def __init__(self, sessions: async_sessionmaker[Any]) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> Self:
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
            await session.rollback()  # no-op after commit; undoes anything uncommitted
        finally:
            await session.close()
            self._session = None

    def _require(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("unit of work used outside 'async with'")
        return self._session

    async def commit(self) -> None:
        await self._require().commit()

    async def rollback(self) -> None:
        await self._require().rollback()


class SqlUnitOfWorkFactory:
    def __init__(self, sessions: async_sessionmaker[Any]) -> None:
        self._sessions = sessions

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._sessions)
