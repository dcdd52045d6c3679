"""Composition root: builds everything from one Settings object. Nothing else reads the
environment or builds clients."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import Settings
from core.clock import Clock, SystemClock
from core.keys import KeyStore
from core.messenger import MessageRef, Messenger, Platform, Recipient
from core.pace import TokenBucketPacer
from core.posts import ResultPoster
from core.submission import (
    AnswerSheets,
    GroupCommit,
    Submission,
    SubmissionResult,
    answer_and_confirm,
)
from storage.engine import create_engine, session_factory

if TYPE_CHECKING:  # the scheduler (APScheduler) is loaded by serve only, not by every command
    from scheduler.leader import SqliteGuard
    from scheduler.runner import Runner
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
    #: Submissions arriving together share one transaction (see core.submission).
    writes: GroupCommit | None = None
    #: Called by ``close()`` first (shared HTTP sessions and the like).
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def answer(
        self,
        messenger: Messenger,
        submission: Submission,
        to: Recipient,
        invitation_message: MessageRef | None,
        acknowledge: Callable[[SubmissionResult], Awaitable[None]],
    ) -> SubmissionResult:
        """A chat adapter's submit: through this process's round cache and group commit."""
        return await answer_and_confirm(
            self.uows,
            self.keys,
            self.clock,
            messenger,
            submission,
            to,
            invitation_message,
            acknowledge,
            sheets=self.sheets,
            writes=self.writes,
        )

    async def close(self) -> None:
        try:
            for closer in self.closers:
                await closer()
        finally:
            await self.engine.dispose()


def build_container(settings: Settings, clock: Clock | None = None) -> Container:
    engine = create_engine(settings.database_url, pool_size=settings.db_pool_size)
    uows = SqlUnitOfWorkFactory(session_factory(engine))
    return Container(
        settings=settings,
        engine=engine,
        uows=uows,
        clock=clock or SystemClock(),
        keys=FileKeyStore(settings.key_store_path),
        writes=GroupCommit(uows),
    )


def build_runner(
    container: Container,
    messengers: Mapping[Platform, Messenger],
    posters: Mapping[Platform, ResultPoster] | None = None,
) -> Runner | None:
    """The scheduler and sender of ``tempcheck serve`` (None when TEMPCHECK_SCHEDULER=off)."""
    from bot.charts import digest_chart
    from core.digest_service import renderer
    from scheduler.runner import Runner, RunnerConfig

    settings = container.settings
    if settings.scheduler == "off":
        return None
    pacer = TokenBucketPacer(
        settings.delivery_rate, settings.delivery_burst, container.clock, asyncio.sleep
    )
    config = RunnerConfig(
        mode=settings.scheduler,
        sweep_seconds=settings.sweep_seconds,
        send_seconds=settings.send_seconds,
        lease=timedelta(seconds=settings.delivery_lease_seconds),
        batch=settings.send_batch,
        timezone=settings.default_timezone,
    )
    return Runner(
        container.engine,
        container.uows,
        container.keys,
        container.clock,
        messengers,
        pacer,
        config,
        posters,
        renderer(container.uows, container.clock, digest_chart) if posters else None,
    )


def sqlite_guard(settings: Settings) -> SqliteGuard | None:
    """One ``serve`` per SQLite file (None on PostgreSQL, where replicas are allowed)."""
    from scheduler.leader import SqliteGuard

    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        return None
    return SqliteGuard(url.database)
