"""Periods of a cadence and the day each period's round opens.

A period runs from its nominal start to the next nominal start:
- weekly: every week's ``weekday``;
- biweekly: ``weekday`` of every even ISO week. After a 53-week ISO year (2026, 2032, …)
  week 52 is followed by week 2, so that one period is three weeks long;
- monthly: the first ``weekday`` of each month (periods of 28 or 35 days).
A round opens on the first working, non-holiday day of its period, never in the next
period; a period without any such day has no round.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from core.cadence.model import Cadence

DAY = timedelta(days=1)
WEEK = timedelta(days=7)


def _first_weekday_of_month(year: int, month: int, weekday: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7)


def _even_week(day: date) -> bool:
    return day.isocalendar().week % 2 == 0


def nominal_start(cadence: Cadence, day: date) -> date:
    """The nominal start of the period that contains ``day``."""
    if cadence.frequency == "monthly":
        start = _first_weekday_of_month(day.year, day.month, cadence.weekday)
        if start > day:
            previous = day.replace(day=1) - DAY
            start = _first_weekday_of_month(previous.year, previous.month, cadence.weekday)
        return start
    start = day - timedelta(days=(day.weekday() - cadence.weekday) % 7)
    if cadence.frequency == "biweekly":
        while not _even_week(start):
            start -= WEEK
    return start


def next_nominal_start(cadence: Cadence, start: date) -> date:
    if cadence.frequency == "monthly":
        later = start.replace(day=28) + timedelta(days=7)  # always in the next month
        return _first_weekday_of_month(later.year, later.month, cadence.weekday)
    following = start + WEEK
    if cadence.frequency == "biweekly":
        while not _even_week(following):
            following += WEEK
    return following


def open_day_in_period(cadence: Cadence, start: date) -> date | None:
    """The first working, non-holiday day from ``start`` within its period, if any."""
    end = next_nominal_start(cadence, start)
    day = start
    while day < end:
        if not cadence.is_day_off(day):
            return day
        day += DAY
    return None


def _periods_from(cadence: Cadence, day: date) -> Iterator[tuple[date, date | None]]:
    start = nominal_start(cadence, day)
    while True:
        yield start, open_day_in_period(cadence, start)
        start = next_nominal_start(cadence, start)


def period_starts(cadence: Cadence, from_day: date, count: int) -> list[date]:
    """The open days of the next ``count`` rounds, the first on or after ``from_day``."""
    out: list[date] = []
    if count <= 0:
        return out
    for _, opens in _periods_from(cadence, from_day):
        if opens is not None and opens >= from_day:
            out.append(opens)
            if len(out) == count:
                return out
    raise AssertionError("unreachable")  # pragma: no cover - the generator never ends


def next_open_day(cadence: Cadence, open_day: date) -> date:
    """The open day of the first round in a later period than ``open_day``'s."""
    start = next_nominal_start(cadence, nominal_start(cadence, open_day))
    return period_starts(cadence, start, 1)[0]


def next_working_day(cadence: Cadence, day: date) -> date:
    """``day`` itself when it is a working, non-holiday day, else the next such day."""
    while cadence.is_day_off(day):
        day += DAY
    return day


def period_label(open_day: date, cadence: Cadence) -> str:
    """The label of ``open_day``'s period, unique per unit: ``2026-W48`` (weekly and
    biweekly, the ISO week the period starts in) or ``2026-11`` (monthly)."""
    start = nominal_start(cadence, open_day)
    if cadence.frequency == "monthly":
        return f"{start.year}-{start.month:02d}"
    year, week, _ = start.isocalendar()
    return f"{year}-W{week:02d}"
