"""When a round opens, closes and is released, and when each member is messaged.

All results are timezone-aware UTC. Rules (documented in docs/cadence.md):
- The round window is computed in the organisation's time zone: it opens at ``send_time``
  on the open day and closes ``round_days`` later at ``send_time``, moved to the next
  working, non-holiday day — but never after the next period's round opens, so windows
  never overlap. Release is ``release_delay_hours`` after close.
- A member's invitation is at ``send_time`` in their own zone on the open day, but never
  before the round opens (members east of the organisation get it when it opens).
- Quiet hours (member-local): an instant inside them moves to the quiet end on the same
  local date when the end is later that day (e.g. 05:00 → 07:00); otherwise (the evening
  part of a window that wraps midnight, e.g. 21:00) to the quiet end on the next working,
  non-holiday day. So ``send_time`` may lie inside quiet hours; it is moved, not refused.
- Reminders are at ``send_time`` ``reminder_days`` after the open day, moved past
  non-working days and holidays and out of quiet hours; one that would not fall strictly
  between the invitation and close is dropped (never sent at or after close).
- Local times that do not exist (the spring DST gap) move forward to the first valid
  instant; ambiguous ones (the autumn fold) take the first occurrence (``fold=0``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.cadence.model import Cadence
from core.cadence.periods import next_open_day, next_working_day


@dataclass(frozen=True)
class RoundTimes:
    opens_at: datetime
    closes_at: datetime
    release_at: datetime


@dataclass(frozen=True)
class MemberTimes:
    invite_at: datetime
    reminders_at: tuple[datetime, ...]


def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock ``at`` on ``day`` in ``zone`` (gap: forward; fold: first)."""
    wall = datetime.combine(day, at)
    instant = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == wall:
        return instant
    # ``wall`` falls in a gap: fold=1 reads it with the offset after the jump (an instant
    # before the gap), fold=0 with the one before (after the gap). The first instant whose
    # wall time reaches ``wall`` is the transition itself; find it to the second.
    low = int(wall.replace(tzinfo=zone, fold=1).timestamp())
    high = int(instant.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def round_schedule(cadence: Cadence, open_day: date, org_timezone: str) -> RoundTimes:
    zone = ZoneInfo(org_timezone)
    opens_at = local_to_utc(open_day, cadence.send_time, zone)
    close_day = next_working_day(cadence, open_day + timedelta(days=cadence.round_days))
    next_opens = local_to_utc(next_open_day(cadence, open_day), cadence.send_time, zone)
    closes_at = min(local_to_utc(close_day, cadence.send_time, zone), next_opens)
    return RoundTimes(opens_at, closes_at, closes_at + timedelta(hours=cadence.release_delay_hours))


def _calm(
    cadence: Cadence, instant: datetime, zone: ZoneInfo, day_after: Callable[[date], date]
) -> datetime:
    """``instant``, or the quiet end after it: on the same local date when the end is later
    that day, else on ``day_after(date)``. A quiet end inside a DST gap moves forward to the
    end of the gap, which may itself be quiet (when the gap swallows every calm minute of
    that day): then on to the next end."""
    for _ in range(_CALM_STEPS):
        local = instant.astimezone(zone)
        if cadence.quiet_hours is None or not cadence.in_quiet_hours(local.time()):
            return instant
        end = cadence.quiet_hours[1]
        day = local.date() if local.time() < end else day_after(local.date())
        instant = local_to_utc(day, end, zone)
    return instant


#: Each step moves to a later quiet end; a DST gap costs one extra step at most.
_CALM_STEPS = 4


def _out_of_quiet(cadence: Cadence, instant: datetime, zone: ZoneInfo) -> datetime:
    """``instant``, or the first instant after it allowed by the quiet-hours rule (the
    evening part of a window that wraps midnight ends on the next working day)."""
    return _calm(
        cadence, instant, zone, lambda day: next_working_day(cadence, day + timedelta(days=1))
    )


def _first_calm_instant(cadence: Cadence, instant: datetime, zone: ZoneInfo) -> datetime:
    """Like ``_out_of_quiet`` but on the very next day, working or not."""
    return _calm(cadence, instant, zone, lambda day: day + timedelta(days=1))


def _invite_at(cadence: Cadence, open_day: date, zone: ZoneInfo, window: RoundTimes) -> datetime:
    wanted = max(local_to_utc(open_day, cadence.send_time, zone), window.opens_at)
    for candidate in (
        _out_of_quiet(cadence, wanted, zone),
        _first_calm_instant(cadence, wanted, zone),
        wanted,
    ):
        if candidate < window.closes_at:
            return candidate
    # Only for a member many time zones west of a one-day round: invite when it opens.
    return window.opens_at


def member_times(
    cadence: Cadence, open_day: date, member_timezone: str, window: RoundTimes
) -> MemberTimes:
    """When to invite and remind a member in ``member_timezone`` for the round that opens
    on ``open_day`` with ``window`` (from ``round_schedule`` or the stored round)."""
    zone = ZoneInfo(member_timezone)
    invite_at = _invite_at(cadence, open_day, zone, window)
    reminders: set[datetime] = set()
    for days in cadence.reminder_days:
        day = next_working_day(cadence, open_day + timedelta(days=days))
        at = _out_of_quiet(cadence, local_to_utc(day, cadence.send_time, zone), zone)
        if invite_at < at < window.closes_at:
            reminders.add(at)
    return MemberTimes(invite_at, tuple(sorted(reminders)))
