"""APScheduler 3 inside ``tempcheck serve``: jobs are rebuilt from our own tables at every
start (memory job store, never pickled). Every replica sends; only the leader sweeps."""

from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncEngine

from core.clock import Clock
from core.delivery import SendReport, invitations_from, send_due
from core.keys import KeyStore
from core.messenger import Messenger, Platform
from core.pace import TokenBucketPacer
from core.ports import UnitOfWorkFactory
from scheduler.leader import LeaderLock
from scheduler.sweep import sweep

log = logging.getLogger(__name__)

SWEEP_SECONDS = 60
SEND_SECONDS = 2
MAX_PASSES = 200  # per send job: bounded, then the next tick continues


class Runner:
    def __init__(
        self,
        engine: AsyncEngine,
        uows: UnitOfWorkFactory,
        keys: KeyStore,
        clock: Clock,
        messengers: Mapping[Platform, Messenger],
        pacer: TokenBucketPacer,
        *,
        timezone: str,
    ) -> None:
        self.uows = uows
        self.keys = keys
        self.clock = clock
        self.messengers = messengers
        self.pacer = pacer
        self.timezone = timezone
        self.lock = LeaderLock(engine)
        self.worker = f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"
        self.invitation_for = invitations_from(uows, clock)
        self._scheduler: AsyncIOScheduler | None = None
        self.last_sweep: datetime | None = None

    async def sweep_if_leader(self) -> None:
        if not await self.lock.ensure():
            return
        report = await sweep(self.uows, self.keys, self.clock, timezone=self.timezone)
        self.last_sweep = self.clock.now()
        log.info(
            "sweep",
            extra={
                "opened": len(report.opened),
                "deliveries": report.deliveries,
                "closed": len(report.closed),
                "released": len(report.released),
                "shredded": len(report.shredded),
            },
        )

    async def send(self) -> SendReport:
        total = SendReport()
        for _ in range(MAX_PASSES):
            report = await send_due(
                self.uows,
                self.messengers,
                self.clock,
                self.pacer,
                self.keys,
                self.invitation_for,
                worker=self.worker,
            )
            total += report
            if report == SendReport():
                break
        return total

    def start(self) -> None:
        scheduler = AsyncIOScheduler(timezone=UTC)
        now = datetime.now(UTC)
        scheduler.add_job(
            self.sweep_if_leader,
            "interval",
            seconds=SWEEP_SECONDS,
            next_run_time=now,
            max_instances=1,
            coalesce=True,
            id="sweep",
        )
        scheduler.add_job(
            self.send,
            "interval",
            seconds=SEND_SECONDS,
            next_run_time=now,
            max_instances=1,
            coalesce=True,
            id="send",
        )
        scheduler.start()
        self._scheduler = scheduler

    async def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        await self.lock.release()
