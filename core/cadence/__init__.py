"""Cadence: when a unit's rounds open, close and are released, and when people are messaged.

Pure: dates, times and zones are parameters; nothing here reads a clock.
"""

from __future__ import annotations

from core.cadence.holidays import easter_sunday, norwegian_holidays
from core.cadence.model import (
    FREQUENCIES,
    WEEKDAY_NAMES,
    Cadence,
    Frequency,
    cadence_source,
    format_time,
    parse_date,
    parse_time,
    parse_weekday,
    resolve_cadence,
)
from core.cadence.periods import (
    next_open_day,
    next_working_day,
    nominal_start,
    period_label,
    period_starts,
)
from core.cadence.roots import (
    SKIP_EMPTY,
    SKIP_TOO_SMALL,
    CadenceRoot,
    Schedule,
    cadence_schedule,
)
from core.cadence.times import (
    MemberTimes,
    RoundTimes,
    local_to_utc,
    member_times,
    round_schedule,
)

__all__ = [
    "FREQUENCIES",
    "SKIP_EMPTY",
    "SKIP_TOO_SMALL",
    "WEEKDAY_NAMES",
    "Cadence",
    "CadenceRoot",
    "Frequency",
    "MemberTimes",
    "RoundTimes",
    "Schedule",
    "cadence_schedule",
    "cadence_source",
    "easter_sunday",
    "format_time",
    "local_to_utc",
    "member_times",
    "next_open_day",
    "next_working_day",
    "nominal_start",
    "norwegian_holidays",
    "parse_date",
    "parse_time",
    "parse_weekday",
    "period_label",
    "period_starts",
    "resolve_cadence",
    "round_schedule",
]
