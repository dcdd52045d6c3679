"""A unit's cadence: how often its rounds open, when people are messaged, and when not.

A ``Cadence`` is always valid: construction checks every field and raises a translated
``TempcheckError`` ("cadence.*"). Times of day are member-local; the round window itself is
computed in the organisation's time zone (see ``core.cadence.times``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, time
from typing import Final, Literal

from core.cadence.holidays import norwegian_holidays
from core.errors import TempcheckError

Frequency = Literal["weekly", "biweekly", "monthly"]
FREQUENCIES: Final[tuple[Frequency, ...]] = ("weekly", "biweekly", "monthly")
#: The shortest period of each frequency in days: a round may never be longer, so the
#: windows of consecutive periods never overlap (privacy.md: a round is a release window).
SHORTEST_PERIOD: Final[Mapping[str, int]] = {"weekly": 7, "biweekly": 14, "monthly": 28}
MAX_ROUND_DAYS: Final = 28
MAX_RELEASE_DELAY_HOURS: Final = 168
HOLIDAY_CALENDARS: Final = ("NO",)
WEEKDAY_NAMES: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Cadence:
    frequency: Frequency = "weekly"
    weekday: int = 0  # 0 = Monday … 6 = Sunday: the day a period starts
    send_time: time = time(9, 0)  # member-local
    working_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    #: (start, end), member-local; nothing is sent inside. None: no quiet hours.
    quiet_hours: tuple[time, time] | None = (time(20, 0), time(7, 0))
    round_days: int = 5
    reminder_days: tuple[int, ...] = (2, 4)  # days after opening, at send_time
    release_delay_hours: int = 24
    holiday_calendar: str | None = "NO"
    extra_holidays: tuple[date, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "working_days", tuple(sorted(set(self.working_days))))
        object.__setattr__(self, "extra_holidays", tuple(sorted(set(self.extra_holidays))))
        object.__setattr__(self, "reminder_days", tuple(self.reminder_days))
        _validate(self)

    def is_holiday(self, day: date) -> bool:
        if day in self.extra_holidays:
            return True
        return self.holiday_calendar == "NO" and day in norwegian_holidays(day.year)

    def is_day_off(self, day: date) -> bool:
        return day.weekday() not in self.working_days or self.is_holiday(day)

    def in_quiet_hours(self, at: time) -> bool:
        if self.quiet_hours is None:
            return False
        start, end = self.quiet_hours
        if start < end:
            return start <= at < end
        return at >= start or at < end  # the window wraps past midnight

    def with_changes(self, changes: Mapping[str, object]) -> Cadence:
        """A copy with ``changes`` (in ``to_dict`` form) applied; validated like any cadence."""
        merged = {**self.to_dict(), **changes}
        return Cadence.from_dict(merged)

    def to_dict(self) -> dict[str, object]:
        return {
            "frequency": self.frequency,
            "weekday": self.weekday,
            "send_time": format_time(self.send_time),
            "working_days": list(self.working_days),
            "quiet_hours": (
                None if self.quiet_hours is None else [format_time(t) for t in self.quiet_hours]
            ),
            "round_days": self.round_days,
            "reminder_days": list(self.reminder_days),
            "release_delay_hours": self.release_delay_hours,
            "holiday_calendar": self.holiday_calendar,
            "extra_holidays": [d.isoformat() for d in self.extra_holidays],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Cadence:
        """Parse stored or edited settings; missing keys take the defaults."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise TempcheckError("cadence.unknown_setting", names=", ".join(unknown))
        values = {name: _PARSERS[name](name, raw) for name, raw in data.items()}
        return replace(cls(), **values)  # type: ignore[arg-type]  # checked in __post_init__


def format_time(value: time) -> str:
    return value.strftime("%H:%M")


def parse_time(raw: str) -> time:
    """``HH:MM`` (24-hour clock)."""
    hours, sep, minutes = raw.strip().partition(":")
    if not sep or not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise TempcheckError("cadence.time", value=raw)
    if not (0 <= int(hours) <= 23 and 0 <= int(minutes) <= 59):
        raise TempcheckError("cadence.time", value=raw)
    return time(int(hours), int(minutes))


def parse_date(raw: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise TempcheckError("cadence.date", value=raw) from None


def parse_weekday(raw: str) -> int:
    """``mon`` … ``sun`` (or ``0`` … ``6``, Monday first)."""
    value = raw.strip().lower()[:3]
    if value in WEEKDAY_NAMES:
        return WEEKDAY_NAMES.index(value)
    if value.isdigit() and int(value) <= 6:
        return int(value)
    raise TempcheckError("cadence.weekday_name", value=raw)


def _invalid(name: str, raw: object) -> TempcheckError:
    return TempcheckError("cadence.invalid_value", name=name, value=repr(raw))


def _int(name: str, raw: object) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise _invalid(name, raw)
    return raw


def _ints(name: str, raw: object) -> tuple[int, ...]:
    if not isinstance(raw, list | tuple):
        raise _invalid(name, raw)
    return tuple(_int(name, v) for v in raw)


def _str(name: str, raw: object) -> str:
    if not isinstance(raw, str):
        raise _invalid(name, raw)
    return raw


def _time(name: str, raw: object) -> time:
    return raw if isinstance(raw, time) else parse_time(_str(name, raw))


def _quiet(name: str, raw: object) -> tuple[time, time] | None:
    if raw is None:
        return None
    if not isinstance(raw, list | tuple) or len(raw) != 2:
        raise _invalid(name, raw)
    return (_time(name, raw[0]), _time(name, raw[1]))


def _calendar(name: str, raw: object) -> str | None:
    return None if raw is None else _str(name, raw)


def _dates(name: str, raw: object) -> tuple[date, ...]:
    if not isinstance(raw, list | tuple):
        raise _invalid(name, raw)
    return tuple(v if isinstance(v, date) else parse_date(_str(name, v)) for v in raw)


_PARSERS: Final[Mapping[str, Callable[[str, object], object]]] = {
    "frequency": _str,
    "weekday": _int,
    "send_time": _time,
    "working_days": _ints,
    "quiet_hours": _quiet,
    "round_days": _int,
    "reminder_days": _ints,
    "release_delay_hours": _int,
    "holiday_calendar": _calendar,
    "extra_holidays": _dates,
}


def _validate(c: Cadence) -> None:
    if c.frequency not in FREQUENCIES:
        raise TempcheckError("cadence.frequency", value=c.frequency, allowed=", ".join(FREQUENCIES))
    if not 0 <= c.weekday <= 6:
        raise TempcheckError("cadence.weekday", value=c.weekday)
    if not c.working_days or any(not 0 <= d <= 6 for d in c.working_days):
        raise TempcheckError("cadence.working_days", value=list(c.working_days))
    longest = min(MAX_ROUND_DAYS, SHORTEST_PERIOD[c.frequency])
    if not 1 <= c.round_days <= longest:
        raise TempcheckError("cadence.round_days", value=c.round_days, max=longest)
    reminders = c.reminder_days
    if len(set(reminders)) != len(reminders) or any(not 1 <= d < c.round_days for d in reminders):
        raise TempcheckError("cadence.reminders", value=list(reminders), last=c.round_days - 1)
    if c.quiet_hours is not None and c.quiet_hours[0] == c.quiet_hours[1]:
        raise TempcheckError("cadence.quiet_hours", value=format_time(c.quiet_hours[0]))
    if not 0 <= c.release_delay_hours <= MAX_RELEASE_DELAY_HOURS:
        raise TempcheckError(
            "cadence.release_delay", value=c.release_delay_hours, max=MAX_RELEASE_DELAY_HOURS
        )
    if c.holiday_calendar is not None and c.holiday_calendar not in HOLIDAY_CALENDARS:
        raise TempcheckError(
            "cadence.holiday_calendar",
            value=c.holiday_calendar,
            allowed=", ".join(HOLIDAY_CALENDARS),
        )


def resolve_cadence(
    unit_id: int, own: Mapping[int, Cadence], parents: Mapping[int, int | None]
) -> Cadence:
    """A unit's own cadence, else its nearest ancestor's, else the default."""
    source = cadence_source(unit_id, own, parents)
    return own[source] if source is not None else Cadence()


def cadence_source(
    unit_id: int, own: Mapping[int, Cadence], parents: Mapping[int, int | None]
) -> int | None:
    """The unit whose cadence ``unit_id`` follows (itself or an ancestor); None: the default."""
    current: int | None = unit_id
    seen: set[int] = set()
    while current is not None and current not in seen:
        if current in own:
            return current
        seen.add(current)
        current = parents.get(current)
    return None
