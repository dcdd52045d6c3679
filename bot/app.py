"""Composition root: builds everything from one Settings object. Nothing else reads the
environment or builds clients."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import Settings
from core.clock import Clock, SystemClock
from core.keys import KeyStore
from core.submission import AnswerSheets
from storage.engine import create_engine, session_factory
from storage.keys import FileKeyStore
from storage.uow import SqlUnitOfWorkFactory


@dataclass
class Container:
    settings: Settings
    engine: AsyncEngine
    uows: SqlUnitOfWorkFactory
    clock: Clock
    keys: KeyStore
    #: What open rounds froze, cached for every submission in this process.
    sheets: AnswerSheets = field(default_factory=AnswerSheets)
    #: Called by ``close()`` first (shared HTTP sessions and the like).
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def close(self) -> None:
        try:
            for closer in self.closers:
                await closer()
        finally:
            await self.engine.dispose()


def build_container(settings: Settings, clock: Clock | None = None) -> Container:
    engine = create_engine(settings.database_url, pool_size=settings.db_pool_size)
    return Container(
        settings=settings,
        engine=engine,
        uows=SqlUnitOfWorkFactory(session_factory(engine)),
        clock=clock or SystemClock(),
        keys=FileKeyStore(settings.key_store_path),
    )
