"""The leader's periodic sweep: everything the calendar says should have happened by now,
done idempotently — so a double fire, a restart or a missed hour changes nothing twice.

For every cadence root of every tenant (the top unit and every unit with a cadence of its
own that differs from the one it would inherit; ``core.cadence.roots``): open the current
period's round (unique per unit and period) over the root's subtree minus the subtrees of
the roots below it, and materialise its invitations and reminders (unique per member and
kind). A root too small to run alone is skipped and reported. Then close rounds past their
close, release them after the delay, shred keys after the grace period. Sending is the
senders' job (``core.delivery.send_due``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from weakref import WeakKeyDictionary
from zoneinfo import ZoneInfo

from core.cadence import (
    SKIP_EMPTY,
    Cadence,
    CadenceRoot,
    RoundTimes,
    Schedule,
    member_times,
    period_label,
    period_starts,
    round_schedule,
)
from core.cadence_service import load_schedule
from core.clock import Clock
from core.delivery import INVITATION, DueAt, materialise_round
from core.errors import TempcheckError
from core.i18n import t
from core.keys import KeyStore
from core.organisation import Member, Organisation, Tenant
from core.ports import UnitOfWorkFactory
from core.posts import materialise_posts
from core.round_service import (
    close_due_rounds,
    open_round,
    release_round,
    shred_due_keys,
)
from core.rounds import Round, RoundStatus

log = logging.getLogger(__name__)

ACTOR = "scheduler"
LOOKBACK_DAYS = 40  # catch-up window: a monthly period that began while we were down
PERIODS_AHEAD = 8  # periods looked at from the lookback start: always past "now"
SKIP_TOO_LATE = "schedule.skip.too_late"


#: How long after its release a round's digests are still queued by the sweep.
POSTS_CATCH_UP = timedelta(days=2)


@dataclass(frozen=True)
class Skipped:
    """A cadence root whose round did not open this sweep, and why (a catalogue key)."""

    tenant: str
    unit: str
    reason: str
    params: Mapping[str, object]

    def render(self, locale: str) -> str:
        return t(self.reason, locale, **self.params)


@dataclass
class SweepReport:
    opened: list[int] = field(default_factory=list)
    deliveries: int = 0
    closed: list[int] = field(default_factory=list)
    released: list[int] = field(default_factory=list)
    posts: int = 0  # digest and team-summary posts queued
    shredded: list[int] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


@dataclass
class _Memory:
    """What this process already did for one database (never needed for correctness: after
    a restart or on a new leader it is empty, and the work is redone idempotently)."""

    #: Skips already logged: a skip holds for a whole period and the sweep runs every
    #: minute, so each is logged once (the report carries it every time).
    logged: set[tuple[str, str, str, str]] = field(default_factory=set)
    #: Rounds whose invitations and reminders this process has materialised.
    materialised: set[int] = field(default_factory=set)


_memories: WeakKeyDictionary[UnitOfWorkFactory, _Memory] = WeakKeyDictionary()


def _memory(uows: UnitOfWorkFactory) -> _Memory:
    found = _memories.get(uows)
    if found is None:
        found = _memories[uows] = _Memory()
    return found


def _skip(uows: UnitOfWorkFactory, report: SweepReport, skipped: Skipped, period: str) -> None:
    report.skipped.append(skipped)
    mark = (skipped.tenant, skipped.unit, skipped.reason, period)
    logged = _memory(uows).logged
    if skipped.reason == SKIP_EMPTY or mark in logged:
        return
    logged.add(mark)
    log.warning(
        "round not opened",
        extra={"tenant": skipped.tenant, "unit": skipped.unit, "reason": skipped.reason},
    )


def current_windows(
    cadence: Cadence, now: datetime, timezone: str
) -> list[tuple[date, RoundTimes]]:
    """The rounds of ``cadence`` whose window contains ``now`` (at most one: windows never
    overlap), with their open day. A window that passed while nothing ran is not reopened."""
    start = (now - timedelta(days=LOOKBACK_DAYS)).astimezone(ZoneInfo(timezone)).date()
    windows = []
    for day in period_starts(cadence, start, PERIODS_AHEAD):
        times = round_schedule(cadence, day, timezone)
        if times.opens_at <= now < times.closes_at:
            windows.append((day, times))
    return windows


async def _open_root(
    uows: UnitOfWorkFactory,
    keys: KeyStore,
    clock: Clock,
    tenant: Tenant,
    root: CadenceRoot,
    existing: Mapping[tuple[int, str], int],
    timezone: str,
    report: SweepReport,
) -> None:
    """Open ``root``'s round for the current period (``existing``: (unit, period) → round
    id of the rounds stored already) and materialise its deliveries once."""
    cadence = root.cadence
    now = clock.now()
    for day, times in current_windows(cadence, now, timezone):
        period = period_label(day, cadence)
        round_id = existing.get((root.unit.id, period))
        if round_id is None:
            if (times.closes_at - now) * 2 < times.closes_at - times.opens_at:
                # Late (downtime, or an overlapping round was still open): a round opens
                # late only while at least half its window is left.
                params = {"unit": root.unit.path, "period": period}
                skipped = Skipped(tenant.slug, root.unit.path, SKIP_TOO_LATE, params)
                _skip(uows, report, skipped, period)
                continue
            try:
                opened = await open_round(
                    uows,
                    keys,
                    clock,
                    tenant_slug=tenant.slug,
                    actor=ACTOR,
                    unit_path=root.unit.path,
                    exclude=[u.path for u in root.carved_out],
                    period=period,
                    duration=times.closes_at - now,
                    release_delay_hours=cadence.release_delay_hours,
                    timezone=timezone,
                )
            except TempcheckError as exc:
                skipped = Skipped(tenant.slug, root.unit.path, exc.key, exc.params)
                _skip(uows, report, skipped, period)
                continue
            round_id = opened.round.id
            if opened.created:
                report.opened.append(round_id)
        done = _memory(uows).materialised
        if round_id in done:
            continue
        due: dict[str, DueAt] = {INVITATION: partial(_invite_at, cadence, day, times)}
        for number in range(1, len(cadence.reminder_days) + 1):
            due[f"reminder:{number}"] = partial(_reminder_at, cadence, day, times, number)
        report.deliveries += await materialise_round(uows, round_id, due)
        done.add(round_id)


async def _schedules(uows: UnitOfWorkFactory) -> list[tuple[Organisation, Schedule]]:
    """Every tenant ready for rounds (units and a question set), with its cadence roots."""
    out = []
    async with uows() as uow:
        tenants = await uow.organisation.list_tenants()
    for tenant in tenants:
        async with uows() as uow:
            if await uow.questions.latest(tenant.id, "default") is None:
                continue
            org = await uow.organisation.load(tenant.id)
            if org.units:
                out.append((org, await load_schedule(uow, org)))
    return out


async def _open_due(
    uows: UnitOfWorkFactory,
    keys: KeyStore,
    clock: Clock,
    timezone: str,
    rounds: Mapping[int, Sequence[Round]],
    report: SweepReport,
) -> None:
    for org, schedule in await _schedules(uows):
        existing = {(r.unit_id, r.period): r.id for r in rounds.get(org.tenant.id, ())}
        for root in schedule.roots:
            if root.skip is None:
                await _open_root(uows, keys, clock, org.tenant, root, existing, timezone, report)
                continue
            for day, _ in current_windows(root.cadence, clock.now(), timezone):
                skipped = Skipped(
                    org.tenant.slug, root.unit.path, root.skip, schedule.skip_params(root)
                )
                _skip(uows, report, skipped, period_label(day, root.cadence))


def _invite_at(cadence: Cadence, day: date, window: RoundTimes, member: Member) -> datetime:
    return member_times(cadence, day, member.timezone, window).invite_at


def _reminder_at(
    cadence: Cadence, day: date, window: RoundTimes, number: int, member: Member
) -> datetime:
    closes_at = window.closes_at
    reminders = member_times(cadence, day, member.timezone, window).reminders_at
    # A reminder the calendar dropped (holiday, after close) is due at close: the sender
    # then finds the round closed and discards it, so every member has the same rows.
    return reminders[number - 1] if number <= len(reminders) else closes_at


async def _rounds(uows: UnitOfWorkFactory) -> dict[int, Sequence[Round]]:
    async with uows() as uow:
        return {t.id: await uow.rounds.list(t.id) for t in await uow.organisation.list_tenants()}


async def sweep(
    uows: UnitOfWorkFactory, keys: KeyStore, clock: Clock, *, timezone: str
) -> SweepReport:
    report = SweepReport()
    # Close first: consecutive windows touch, and a round may not open over an open one.
    report.closed = await close_due_rounds(uows, clock, actor=ACTOR)
    rounds = await _rounds(uows)
    await _open_due(uows, keys, clock, timezone, rounds, report)
    now = clock.now()
    due = [
        r.id
        for listed in rounds.values()
        for r in listed
        if r.status is RoundStatus.CLOSED and r.release_due and r.release_due <= now
    ]
    for round_id in due:
        await release_round(uows, clock, round_id, actor=ACTOR)
        report.released.append(round_id)
    # Digests and team summaries of releases (idempotent: a sweep that died between release
    # and this, or a channel configured since, is caught up while the release is recent).
    recent = [
        r.id
        for listed in rounds.values()
        for r in listed
        if r.status is RoundStatus.RELEASED
        and r.released_at is not None
        and now - r.released_at <= POSTS_CATCH_UP
    ]
    for round_id in dict.fromkeys([*report.released, *recent]):
        report.posts += await materialise_posts(uows, round_id, now)
    report.shredded = await shred_due_keys(uows, keys, clock, actor=ACTOR)
    return report


async def next_due(uows: UnitOfWorkFactory, now: datetime, *, timezone: str) -> datetime | None:
    """The earliest instant after ``now`` at which the sweep or a sender has work: a round
    opens, closes or is released, keys are shredded, an invitation or reminder falls due.
    None: nothing is planned. ``serve`` just ticks; simulations (``tempcheck demo``) jump."""
    candidates: list[datetime] = []
    for org, schedule in await _schedules(uows):
        zones = {(m.home_unit_id, m.timezone) for m in org.active_members()}
        for root in schedule.roots:
            if root.skip is not None:
                continue
            cadence = root.cadence
            today = now.astimezone(ZoneInfo(timezone)).date()
            for day in period_starts(cadence, today - timedelta(days=1), 2):
                candidates.append(round_schedule(cadence, day, timezone).opens_at)
            member_zones = {zone for unit, zone in zones if unit in root.units}
            for day, times in current_windows(cadence, now, timezone):
                for zone in member_zones:
                    planned = member_times(cadence, day, zone, times)
                    candidates += [planned.invite_at, *planned.reminders_at]
        async with uows() as uow:
            listed = await uow.rounds.list(org.tenant.id)
        for found in listed:
            if found.status is RoundStatus.OPEN:
                candidates.append(found.closes_at)
            elif found.status is RoundStatus.CLOSED and found.release_due is not None:
                candidates.append(found.release_due)
            shred = found.shred_due()
            if found.keys_shredded_at is None and shred is not None:
                candidates.append(shred)
    later = [c for c in candidates if c > now]
    return min(later) if later else None
