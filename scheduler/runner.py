"""APScheduler 3 inside ``tempcheck serve``: jobs are rebuilt from our own tables at every
start (memory job store, never pickled). Every replica sends; only the leader sweeps.

Two jobs, each a one-shot that schedules its own next run when it ends, so a long fan-out
never overlaps itself and the next run is always known (the heartbeat shows it):

- ``sweep`` (mode ``on``): if this replica holds the leader lock, run the idempotent sweep
  (close, open, materialise, release, shred). Missed times are caught up by the next sweep.
- ``send`` (modes ``on`` and ``send-only``): claim due deliveries and send them until none
  is due; a sweep that materialised rows starts it at once instead of at its next tick.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, TypeVar

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from core.clock import Clock
from core.delivery import SendReport, invitations_from, send_due
from core.keys import KeyStore
from core.measures import remind_overdue
from core.messenger import Messenger, Platform
from core.pace import TokenBucketPacer
from core.ports import UnitOfWorkFactory
from core.posts import PostReport, Render, ResultPoster, post_due
from scheduler.leader import LeaderLock
from scheduler.sweep import sweep
from storage.heartbeat import Heartbeat

log = logging.getLogger(__name__)

Mode = Literal["on", "send-only"]
T = TypeVar("T")
#: How long a clean stop waits for the batch being sent (a batch is ~0.5 s of sending).
STOP_WAIT_SECONDS = 30.0


@dataclass(frozen=True)
class RunnerConfig:
    mode: Mode = "on"
    sweep_seconds: float = 60.0
    send_seconds: float = 2.0
    lease: timedelta = timedelta(minutes=2)
    batch: int = 50
    timezone: str = "Europe/Oslo"


def worker_name() -> str:
    """Host, process and a random suffix: unique even when a pid is reused after a restart."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Runner:
    def __init__(
        self,
        engine: AsyncEngine,
        uows: UnitOfWorkFactory,
        keys: KeyStore,
        clock: Clock,
        messengers: Mapping[Platform, Messenger],
        pacer: TokenBucketPacer,
        config: RunnerConfig,
        posters: Mapping[Platform, ResultPoster] | None = None,
        render: Render | None = None,
    ) -> None:
        self.posters = posters or {}
        self.render = render
        self.uows = uows
        self.keys = keys
        self.clock = clock
        self.messengers = messengers
        self.pacer = pacer
        self.config = config
        self.lock = LeaderLock(engine)
        self.heartbeat = Heartbeat(engine)
        self.worker = worker_name()
        self.invitation_for = invitations_from(uows, clock)
        self.leading = False
        self._scheduler: AsyncIOScheduler | None = None
        # Held while a sweep or a send pass runs: stop() waits for them, so a clean shutdown
        # never leaves claimed rows to the lease.
        self._sweeping = asyncio.Lock()
        self._sending = asyncio.Lock()
        self._stopping = False

    # --- the work ----------------------------------------------------------------------

    async def sweep_if_leader(self) -> bool:
        """One sweep if this replica leads; returns whether it materialised deliveries."""
        leading = await self.lock.ensure()
        now = self.clock.now()
        if leading and not self.leading:
            await self.heartbeat.lead(self.worker, now)
            log.info("scheduler: this replica leads", extra={"worker": self.worker})
        elif self.leading and not leading:
            await self.heartbeat.beat(self.worker, now, is_leader=False)
        self.leading = leading
        if not leading:
            return False
        report = await sweep(self.uows, self.keys, self.clock, timezone=self.config.timezone)
        log.info(
            "sweep",
            extra={
                "opened": len(report.opened),
                "deliveries": report.deliveries,
                "closed": len(report.closed),
                "released": len(report.released),
                "shredded": len(report.shredded),
                "posts": report.posts,
            },
        )
        if self.posters:
            reminded = await remind_overdue(self.uows, self.posters, self.clock)
            if reminded.sent:
                log.info("overdue measures reminded", extra={"sent": reminded.sent})
        return report.deliveries > 0 or report.posts > 0

    async def send(self) -> SendReport:
        """Send until nothing is due (another replica may be sending the same fan-out)."""
        total = SendReport()
        while not self._stopping:
            async with self._sending:
                report = await self._send_pass()
            total += report
            if not report.progressed:  # nothing due, or only handed back: wait for next run
                break
        if self.render is not None and self.posters and not self._stopping:
            async with self._sending:
                posted = await post_due(
                    self.uows, self.posters, self.clock, self.render, worker=self.worker
                )
            if posted != PostReport():
                log.info("results posted", extra=dict(posted.__dict__))
        return total

    async def _send_pass(self) -> SendReport:
        return await send_due(
            self.uows,
            self.messengers,
            self.clock,
            self.pacer,
            self.keys,
            self.invitation_for,
            worker=self.worker,
            batch=self.config.batch,
            lease=self.config.lease,
        )

    # --- the jobs ----------------------------------------------------------------------

    async def _sweep_job(self) -> None:
        if self._stopping:
            return
        async with self._sweeping:
            materialised = await _guarded("sweep", self.sweep_if_leader, False)
        next_at = self._again("sweep", self._sweep_job, self.config.sweep_seconds)
        fields: dict[str, datetime | bool | None] = {"next_sweep_at": next_at}
        if self.leading:
            fields["last_sweep_at"] = self.clock.now()
        await _guarded(
            "heartbeat", lambda: self.heartbeat.beat(self.worker, self.clock.now(), **fields), None
        )
        if materialised:
            self._wake_sender()

    async def _send_job(self) -> None:
        if self._stopping:
            return
        report = await _guarded("send", self.send, SendReport())
        if report != SendReport():
            log.info("send", extra=dict(report.__dict__))
        next_at = self._again("send", self._send_job, self.config.send_seconds)
        await _guarded(
            "heartbeat",
            lambda: self.heartbeat.beat(
                self.worker, self.clock.now(), last_send_at=self.clock.now(), next_send_at=next_at
            ),
            None,
        )

    def _again(self, job_id: str, job: Callable[[], Awaitable[None]], seconds: float) -> datetime:
        run_at = datetime.now(UTC) + timedelta(seconds=seconds)
        if self._scheduler is not None:
            self._scheduler.add_job(
                job,
                "date",
                run_date=run_at,
                id=job_id,
                replace_existing=True,
                misfire_grace_time=None,
            )
        return run_at

    def _wake_sender(self) -> None:
        if self._scheduler is None:
            return
        job = self._scheduler.get_job("send")
        if job is not None:  # not running now: bring its next run forward
            job.modify(next_run_time=datetime.now(UTC))

    async def start(self) -> None:
        await self.heartbeat.join(self.worker, self.config.mode, self.clock.now())
        scheduler = AsyncIOScheduler(timezone=UTC)
        self._scheduler = scheduler
        now = datetime.now(UTC)
        if self.config.mode == "on":
            scheduler.add_job(
                self._sweep_job, "date", run_date=now, id="sweep", misfire_grace_time=None
            )
        scheduler.add_job(self._send_job, "date", run_date=now, id="send", misfire_grace_time=None)
        scheduler.start()
        log.info("scheduler started", extra={"worker": self.worker, "mode": self.config.mode})

    async def stop(self) -> None:
        """Finish the sweep or send pass under way (a pass is one claimed batch), then stop."""
        self._stopping = True
        try:
            async with asyncio.timeout(STOP_WAIT_SECONDS):
                async with self._sweeping, self._sending:
                    pass
        except TimeoutError:
            log.warning("scheduler stopped with work under way; its claims expire with the lease")
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        await self.lock.release()
        await _guarded("heartbeat", lambda: self.heartbeat.leave(self.worker), None)


async def _guarded(what: str, work: Callable[[], Awaitable[T]], fallback: T) -> T:
    """A job that fails (database restarting, network, a bug) logs its error type and the
    next run tries again: one failure must not end the chain of runs."""
    try:
        return await work()
    except (SQLAlchemyError, OSError) as exc:
        log.error("scheduler %s failed", what, extra={"error": type(exc).__name__})
    except Exception as exc:  # noqa: BLE001 - the job reschedules itself after this
        log.error("scheduler %s failed unexpectedly", what, extra={"error": type(exc).__name__})
    return fallback
