"""The scheduler's services in simulated time (``tempcheck demo``).

A FixedClock steps from one due instant to the next (``sweep.next_due``: a round opens,
closes or is released, keys are shredded, invitations or reminders fall due), at most
``MAX_STEP`` at a time. At each step the same sweep and the same sender that ``tempcheck
serve`` runs do their work, with a token-bucket pacer whose waits move the simulated clock.
Messages go to an in-process Messenger whose simulated employees answer, at the times they
chose, through the real submission service. Nothing here knows about the demo's
organisation: any tenant and any cadence run the same way.

The result holds counts per week and the frozen releases (read through ``read_release``,
audit-logged) — never who answered.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.anonymity.release import Release
from core.clock import FixedClock
from core.delivery import InvitationFor, Pacer, SendReport, invitations_from, send_due
from core.demo_messenger import PlannedAnswer, SimulatedMessenger
from core.errors import TempcheckError
from core.keys import KeyStore
from core.messenger import Platform
from core.ports import UnitOfWorkFactory
from core.round_service import read_release
from core.rounds import Round, RoundStatus
from core.submission import Submission, answer_and_confirm
from scheduler.sweep import Skipped, next_due, sweep

WEEK = timedelta(weeks=1)
MAX_STEP = WEEK  # a backstop: next_due names every instant with work
MAX_WIND_DOWN = timedelta(days=40)  # a monthly round: close and release after the last week
WORKER = "simulation"


@dataclass
class WeekReport:
    """What happened in one simulated week (``index`` == the number of weeks: the days after
    the last week, until the last week's rounds are released)."""

    index: int
    starts: datetime
    opened: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    released: list[int] = field(default_factory=list)
    shredded: list[int] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    messages: Counter[str] = field(default_factory=Counter)  # invitation, reminder, …
    sending: SendReport = field(default_factory=SendReport)
    late_answers: int = 0  # answers that came after the round closed (refused)
    sweeps: int = 0


@dataclass(frozen=True)
class ReleasedRound:
    round: Round
    asked: int
    release: Release


@dataclass
class SimulationResult:
    start: datetime
    end: datetime
    weeks: list[WeekReport]
    releases: list[ReleasedRound]
    rounds: dict[int, Round]  # every round the simulation saw, as last read
    asked: dict[int, int]  # round id → people asked


@dataclass
class _Run:
    uows: UnitOfWorkFactory
    keys: KeyStore
    clock: FixedClock
    messenger: SimulatedMessenger
    pacer: Pacer
    timezone: str
    invitation_for: InvitationFor
    result: SimulationResult
    weeks: int

    def week(self) -> WeekReport:
        index = min(int((self.clock.now() - self.result.start) / WEEK), self.weeks)
        while len(self.result.weeks) <= index:
            n = len(self.result.weeks)
            self.result.weeks.append(WeekReport(n, self.result.start + n * WEEK))
        return self.result.weeks[index]

    async def tick(self) -> None:
        week = self.week()
        report = await sweep(self.uows, self.keys, self.clock, timezone=self.timezone)
        week.sweeps += 1
        week.opened += report.opened
        week.closed += report.closed
        week.shredded += report.shredded
        for skipped in report.skipped:
            if skipped not in week.skipped:
                week.skipped.append(skipped)
        for round_id in report.opened:
            await self._remember(round_id)
        for round_id in report.released:
            week.released.append(round_id)
            await self._release(round_id)
        before = Counter(self.messenger.sent)
        week.sending += await self.send()
        week.messages.update(self.messenger.sent - before)

    async def send(self) -> SendReport:
        messengers = {Platform.SLACK: self.messenger, Platform.TEAMS: self.messenger}
        total = SendReport()
        while True:
            report = await send_due(
                self.uows,
                messengers,
                self.clock,
                self.pacer,
                self.keys,
                self.invitation_for,
                worker=WORKER,
            )
            total += report
            if not report.progressed:
                return total

    async def _remember(self, round_id: int) -> None:
        async with self.uows() as uow:
            found = await uow.rounds.get(round_id)
            members = await uow.rounds.members(round_id)
        assert found is not None
        self.result.rounds[round_id] = found
        self.result.asked[round_id] = len(members)

    async def _release(self, round_id: int) -> None:
        await self._remember(round_id)
        release = await read_release(
            self.uows, self.clock, round_id, viewer="demo", purpose="demo summary"
        )
        self.result.releases.append(
            ReleasedRound(self.result.rounds[round_id], self.result.asked[round_id], release)
        )

    async def answer(self, planned: PlannedAnswer) -> None:
        found = self.result.rounds.get(planned.round_id)
        if found is None:  # opened before the simulation started
            await self._remember(planned.round_id)
            found = self.result.rounds[planned.round_id]
        values, comment, audience = self.messenger.workplace.submission(
            planned.member_id, found.id, found.items, self.clock.now()
        )
        submission = Submission(found.id, planned.member_id, values, comment, audience)
        try:
            await answer_and_confirm(
                self.uows,
                self.keys,
                self.clock,
                self.messenger,
                submission,
                planned.to,
                planned.message,
            )
        except TempcheckError as exc:
            if exc.key != "submission.round_closed":
                raise
            self.week().late_answers += 1

    async def unreleased(self, before: datetime) -> bool:
        """Is a round opened before ``before`` still waiting for its release?"""
        async with self.uows() as uow:
            tenants = await uow.organisation.list_tenants()
            rounds = [r for t in tenants for r in await uow.rounds.list(t.id)]
        return any(r.opened_at < before and r.status is not RoundStatus.RELEASED for r in rounds)


async def run_weeks(
    uows: UnitOfWorkFactory,
    keys: KeyStore,
    clock: FixedClock,
    messenger: SimulatedMessenger,
    pacer: Pacer,
    *,
    weeks: int,
    timezone: str,
) -> SimulationResult:
    """Run ``weeks`` weeks from the clock's instant, then on until the rounds opened in them
    are released. Returns what happened per week and the releases, in order."""
    start = clock.now()
    stop = start + weeks * WEEK
    run = _Run(
        uows,
        keys,
        clock,
        messenger,
        pacer,
        timezone,
        invitations_from(uows, clock),
        SimulationResult(start, start, [], [], {}, {}),
        weeks,
    )
    while True:
        await run.tick()
        now = clock.now()
        if now >= stop and (now >= stop + MAX_WIND_DOWN or not await run.unreleased(stop)):
            break
        target = now + MAX_STEP
        due = await next_due(uows, now, timezone=timezone)
        if due is not None:
            target = min(target, due)
        if now < stop:
            target = min(target, stop)
        for planned in messenger.answers_due(target):
            clock.set(max(clock.now(), planned.at))
            await run.answer(planned)
        clock.set(max(clock.now(), target))
    run.result.end = clock.now()
    return run.result
