"""The leader's periodic sweep: everything the calendar says should have happened by now,
done idempotently — so a double fire, a restart or a missed hour changes nothing twice.

Open the period's round (unique per unit and period), materialise its invitations and
reminders (unique per member and kind), close rounds past their close, release them after
the delay, shred keys after the grace period. Sending is the senders' job (scheduler.send).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial

from core.cadence import (
    Cadence,
    RoundTimes,
    member_times,
    period_label,
    period_starts,
    resolve_cadence,
    round_schedule,
)
from core.clock import Clock
from core.delivery import INVITATION, materialise
from core.errors import TempcheckError
from core.keys import KeyStore
from core.organisation import Member
from core.ports import UnitOfWorkFactory
from core.round_service import (
    close_due_rounds,
    open_round,
    release_round,
    shred_due_keys,
)
from core.rounds import RoundStatus

log = logging.getLogger(__name__)

ACTOR = "scheduler"
LOOKBACK_DAYS = 40  # catch-up window: a monthly period that began while we were down


@dataclass
class SweepReport:
    opened: list[int] = field(default_factory=list)
    deliveries: int = 0
    closed: list[int] = field(default_factory=list)
    released: list[int] = field(default_factory=list)
    shredded: list[int] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # catalogue keys of rounds not opened


async def _open_due(
    uows: UnitOfWorkFactory, keys: KeyStore, clock: Clock, timezone: str, report: SweepReport
) -> None:
    now = clock.now()
    async with uows() as uow:
        tenants = await uow.organisation.list_tenants()
    for tenant in tenants:
        async with uows() as uow:
            org = await uow.organisation.load(tenant.id)
            own = {
                unit: Cadence.from_dict(values)
                for unit, values in (await uow.organisation.cadences(tenant.id)).items()
            }
            has_set = await uow.questions.latest(tenant.id, "default") is not None
        roots = [u for u in org.units if u.parent_id is None]
        if not roots or not has_set or not org.active_members():
            continue
        root = roots[0]
        cadence = resolve_cadence(root.id, own, {u.id: u.parent_id for u in org.units})
        start = (now - timedelta(days=LOOKBACK_DAYS)).astimezone().date()
        for day in period_starts(cadence, start, 8):
            times = round_schedule(cadence, day, timezone)
            if not times.opens_at <= now < times.closes_at:
                continue
            try:
                opened = await open_round(
                    uows,
                    keys,
                    clock,
                    tenant_slug=tenant.slug,
                    actor=ACTOR,
                    period=period_label(day, cadence),
                    duration=times.closes_at - now,
                    release_delay_hours=cadence.release_delay_hours,
                    timezone=timezone,
                )
            except TempcheckError as exc:
                report.skipped.append(exc.key)
                log.warning("round not opened", extra={"reason": exc.key})
                continue
            if opened.created:
                report.opened.append(opened.round.id)

            report.deliveries += await materialise(
                uows, opened.round.id, INVITATION, partial(_invite_at, cadence, day, times)
            )
            for number in range(1, len(cadence.reminder_days) + 1):
                report.deliveries += await materialise(
                    uows,
                    opened.round.id,
                    f"reminder:{number}",
                    partial(_reminder_at, cadence, day, times, number),
                )


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


async def sweep(
    uows: UnitOfWorkFactory, keys: KeyStore, clock: Clock, *, timezone: str
) -> SweepReport:
    report = SweepReport()
    # Close first: consecutive windows touch, and a round may not open over an open one.
    report.closed = await close_due_rounds(uows, clock, actor=ACTOR)
    await _open_due(uows, keys, clock, timezone, report)
    async with uows() as uow:
        due = [
            r.id
            for t in await uow.organisation.list_tenants()
            for r in await uow.rounds.list(t.id)
            if r.status is RoundStatus.CLOSED and r.release_due and r.release_due <= clock.now()
        ]
    for round_id in due:
        await release_round(uows, clock, round_id, actor=ACTOR)
        report.released.append(round_id)
    report.shredded = await shred_due_keys(uows, keys, clock, actor=ACTOR)
    return report
