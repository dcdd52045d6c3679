"""Simulated employees for ``tempcheck demo``: who answers, when, and how.

Each unit has an engagement (how many of its people answer) and a mood per factor (some
teams are stretched, some are fine); two factors drift week by week in one department each,
so results have a trend. Each person has a habit: answers soon after the invitation, only
after a reminder, sometimes, or never. Answer times spread over the round's window (mostly
working hours, some the next day); some skip a pulse, some prefer not to say, a few write a
comment, and a small share answer "yes" to a screening question.

Deterministic for a seed: every draw for a person in a round comes from a generator seeded
by (seed, person, round), so the order in which messages go out changes nothing.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final
from zoneinfo import ZoneInfo

from core.rounds import RoundItem
from core.submission import AUDIENCES

PREFER_NOT_RATE: Final = 0.04
COMMENT_RATE: Final = 0.12
SENSITIVE_YES_RATE: Final = 0.04
#: (unit name, factor, change of the unit's mood per week on the 1–5 scale): the trends.
TRENDS: Final[tuple[tuple[str, str, float], ...]] = (
    ("Salg og service", "workload", -0.22),  # the busy season: workload gets heavier
    ("Utvikling", "role_clarity", 0.2),  # a reorganisation settles: roles get clearer
)
#: Units whose people answer less (engagement in 0..1) or more than the default.
ENGAGEMENT: Final[Mapping[str, float]] = {"Lager": 0.55, "Transport": 0.65, "Plattform": 0.95}
DEFAULT_ENGAGEMENT: Final = 0.82
WORK_START, WORK_END = 8, 16  # local hours people mostly answer in

COMMENTS: Final = (
    "Mye å gjøre før jul, men vi hjelper hverandre.",
    "Too many meetings this month; hard to get real work done.",
    "Savner tydeligere beskjed om hva som er viktigst.",
    "Good atmosphere in the team lately.",
    "Vi trenger en bedre plan for ferieavvikling.",
)


class Habit(StrEnum):
    PROMPT = "prompt"  # answers within a day or two of the invitation
    REMINDED = "reminded"  # answers only after a reminder
    SOMETIMES = "sometimes"  # half the time; otherwise maybe after a reminder
    NEVER = "never"


@dataclass(frozen=True)
class Person:
    member_id: int
    unit_id: int
    timezone: str
    habit: Habit


Submission = tuple[dict[str, int | None], str | None, str | None]  # values, comment, audience


class SimulatedWorkplace:
    def __init__(
        self,
        seed: int,
        units: Mapping[int, str],  # unit id → path
        people: Sequence[tuple[int, int, str]],  # (member id, home unit id, time zone)
        factors: Sequence[str],
        start: datetime,
    ) -> None:
        self._seed = seed
        self._start = start
        rng = random.Random(seed)
        # A unit's mood per factor, on the 1–5 scale: most around 3.5–4, a few stretched.
        self._mood: dict[tuple[int, str], float] = {
            (unit, factor): rng.gauss(3.7, 0.45) - (0.9 if rng.random() < 0.1 else 0)
            for unit in sorted(units)
            for factor in factors
        }
        names = {unit: path.rsplit("/", 1)[-1] for unit, path in units.items()}
        # A trend applies to the named unit and everything below it.
        self._trends: dict[tuple[int, str], float] = {}
        for name, factor, per_week in TRENDS:
            top = [u for u, n in names.items() if n == name]
            for unit, path in units.items():
                if any(path == units[t] or path.startswith(units[t] + "/") for t in top):
                    self._trends[unit, factor] = per_week
        self.people: dict[int, Person] = {}
        for member_id, unit_id, timezone in sorted(people):
            engagement = ENGAGEMENT.get(names.get(unit_id, ""), DEFAULT_ENGAGEMENT)
            self.people[member_id] = Person(member_id, unit_id, timezone, _habit(rng, engagement))

    def _rng(self, member_id: int, round_id: int, what: str) -> random.Random:
        return random.Random(f"{self._seed}:{member_id}:{round_id}:{what}")

    def on_invitation(self, member_id: int, round_id: int, now: datetime) -> datetime | None:
        """When the person answers after this invitation (None: not now)."""
        person = self.people.get(member_id)
        rng = self._rng(member_id, round_id, "invitation")
        if person is None or person.habit in (Habit.NEVER, Habit.REMINDED):
            return None
        if person.habit is Habit.SOMETIMES and rng.random() < 0.5:
            return None
        # Most within the working day; some the next day or the one after.
        hours = rng.expovariate(1 / 6) if rng.random() < 0.7 else rng.uniform(18, 60)
        return _working_hours(now + timedelta(hours=hours), person.timezone, rng)

    def on_reminder(
        self, member_id: int, round_id: int, number: int, now: datetime
    ) -> datetime | None:
        """When the person answers after reminder ``number`` (None: not now). Only people
        who have not answered get reminders: the sender checks, not the person."""
        person = self.people.get(member_id)
        rng = self._rng(member_id, round_id, f"reminder:{number}")
        if person is None or person.habit is Habit.NEVER or person.habit is Habit.PROMPT:
            # A prompt person who has not answered yet already has a time planned.
            return None
        chance = 0.75 if person.habit is Habit.REMINDED else 0.4
        if rng.random() >= chance:
            return None
        return _working_hours(now + timedelta(hours=rng.expovariate(1 / 3)), person.timezone, rng)

    def submission(
        self, member_id: int, round_id: int, items: Sequence[RoundItem], now: datetime
    ) -> Submission:
        """What the person answers: values, an optional comment and its audience."""
        person = self.people[member_id]
        rng = self._rng(member_id, round_id, "answers")
        weeks = (now - self._start) / timedelta(weeks=1)
        values: dict[str, int | None] = {}
        for item in items:
            if rng.random() < PREFER_NOT_RATE:
                values[item.item_key] = None
            elif item.sensitive:
                values[item.item_key] = 2 if rng.random() < SENSITIVE_YES_RATE else 1
            else:
                key = (person.unit_id, item.factor)
                mood = self._mood.get(key, 3.7) + self._trends.get(key, 0.0) * weeks
                value = min(item.points, max(1, round(rng.gauss(mood, 0.8))))
                values[item.item_key] = item.points + 1 - value if item.reverse else value
        if rng.random() >= COMMENT_RATE:
            return values, None, None
        return values, rng.choice(COMMENTS), rng.choice(AUDIENCES)


def _habit(rng: random.Random, engagement: float) -> Habit:
    draw = rng.random()
    if draw < engagement * 0.65:
        return Habit.PROMPT
    if draw < engagement:
        return Habit.REMINDED
    if draw < engagement + (1 - engagement) * 0.6:
        return Habit.SOMETIMES
    return Habit.NEVER


def _working_hours(at: datetime, timezone: str, rng: random.Random) -> datetime:
    """``at``, or the next morning when it falls outside working hours (a few answer late
    in the evening anyway)."""
    local = at.astimezone(ZoneInfo(timezone))
    if WORK_START <= local.hour < WORK_END or (local.hour < 22 and rng.random() < 0.15):
        return at
    day = local.date() + timedelta(days=1 if local.hour >= WORK_START else 0)
    while day.weekday() >= 5:  # the weekend: Monday morning
        day += timedelta(days=1)
    morning = datetime.combine(day, datetime.min.time(), ZoneInfo(timezone))
    return (morning + timedelta(hours=WORK_START + rng.uniform(0, 3))).astimezone(at.tzinfo)
