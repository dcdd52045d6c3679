"""Composition root: builds everything from one Settings object. Nothing else reads the
environment or builds clients."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import Settings
from core.clock import Clock, SystemClock
from core.keys import KeyStore
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

    async def close(self) -> None:
        await self.engine.dispose()


def build_container(settings: Settings, clock: Clock | None = None) -> Container:
    engine = create_engine(settings.database_url)
    return Container(
        settings=settings,
        engine=engine,
        uows=SqlUnitOfWorkFactory(session_factory(engine)),
        clock=clock or SystemClock(),
        keys=FileKeyStore(settings.key_store_path),
    )
