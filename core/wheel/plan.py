"""Pure parts of the wheel: pulses planned from a cadence, and what a period's wheel lacks.

Rules for the gaps (docs/documentation.md explains them to the employer):
- a mapping: pulses or a full survey; an organisation with fewer eligible people than
  K_ELIGIBLE never gets pulses (nothing could be reported), so it is told to map by dialogue
  in a safety round instead;
- a risk-assessment review, a measure review, a psychosocial safety round and training
  (§ 4-3 asks to assess risk, follow up measures, and inform and train);
- an AMU meeting when the organisation has 50 or more people (aml. § 7-1: AMU is required
  from 50 employees);
- a verneombud when the organisation has 10 or more people (aml. § 6-1);
- planned pulses whose day has passed without a round;
- the verneombud consulted on the wheel (the consultation log), when there is one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final
from zoneinfo import ZoneInfo

from core.cadence import Cadence, period_label, period_starts, round_schedule
from core.organisation import Role, Unit
from core.rounds import Round
from core.wheel.model import Gap, Source, Status, WheelEntry, WheelKind

AMU_REQUIRED_FROM: Final = 50
VERNEOMBUD_REQUIRED_FROM: Final = 10
#: Whoever runs the cadence owns the pulses.
PULSE_OWNER: Final = Role.HR_ADMIN.value
MAPPING_KINDS: Final = frozenset({WheelKind.PULSE, WheelKind.FULL_SURVEY})
#: Kinds every period's wheel should hold, in the order gaps are reported.
EXPECTED: Final = (
    (WheelKind.RISK_REVIEW, "wheel.gap.no_risk_review"),
    (WheelKind.MEASURE_REVIEW, "wheel.gap.no_measure_review"),
    (WheelKind.SAFETY_ROUND, "wheel.gap.no_safety_round"),
    (WheelKind.TRAINING, "wheel.gap.no_training"),
)


def pulse_uid(tenant: str, unit_id: int, period: str) -> str:
    return f"pulse-{tenant}-{unit_id}-{period}@tempcheck"


def round_uid(tenant: str, round_id: int) -> str:
    return f"round-{tenant}-{round_id}@tempcheck"


def manual_uid(tenant: str, entry_id: int) -> str:
    return f"wheel-{tenant}-{entry_id}@tempcheck"


def _open_days(cadence: Cadence, start: date, end: date) -> list[date]:
    # A period is at least 7 days long, so this many periods always reach past ``end``.
    count = (end - start).days // 7 + 2
    return [d for d in period_starts(cadence, start, count) if d <= end]


def planned_pulses(
    cadence: Cadence,
    unit: Unit,
    *,
    tenant: str,
    start: date,
    end: date,
    timezone: str,
    rounds: Sequence[Round],
    today: date,
    plan: bool = True,
) -> list[WheelEntry]:
    """The unit's pulses with an open day in ``start..end``, and every round of the unit
    opened in that range that the cadence did not plan (a round opened by hand). With
    ``plan`` False (no question set, too few people: the scheduler opens nothing) only the
    rounds held are listed."""
    zone = ZoneInfo(timezone)
    own = [r for r in rounds if r.unit_id == unit.id]
    by_period = {r.period: r for r in own}
    out: list[WheelEntry] = []
    matched: set[int] = set()
    for open_day in _open_days(cadence, start, end) if plan else []:
        period = period_label(open_day, cadence)
        closes = round_schedule(cadence, open_day, timezone).closes_at.astimezone(zone).date()
        found = by_period.get(period)
        if found is not None:
            matched.add(found.id)
            status = Status.HELD
        else:
            status = Status.MISSED if open_day < today else Status.PLANNED
        out.append(
            WheelEntry(
                uid=pulse_uid(tenant, unit.id, period),
                kind=WheelKind.PULSE,
                start=open_day,
                end=max(open_day, closes),
                owner=PULSE_OWNER,
                title=period,
                unit=unit.path,
                source=Source.CADENCE,
                status=status,
            )
        )
    for found in own:
        opened = found.opened_at.astimezone(zone).date()
        if found.id in matched or not start <= opened <= end:
            continue
        out.append(
            WheelEntry(
                uid=round_uid(tenant, found.id),
                kind=WheelKind.PULSE,
                start=opened,
                end=max(opened, found.closes_at.astimezone(zone).date()),
                owner=PULSE_OWNER,
                title=found.period,
                unit=unit.path,
                source=Source.ROUND,
                status=Status.HELD,
            )
        )
    return out


@dataclass(frozen=True)
class OrgFacts:
    """What the gap rules need to know about the organisation."""

    people: int  # active members
    k_eligible: int
    has_question_set: bool
    has_verneombud: bool
    wheel_consulted: bool = False  # the verneombud was consulted on this period's wheel


def gaps(entries: Iterable[WheelEntry], facts: OrgFacts) -> tuple[Gap, ...]:
    entries = list(entries)
    kinds = {e.kind for e in entries if e.status is not Status.MISSED}
    out: list[Gap] = []
    if facts.people < facts.k_eligible:
        if WheelKind.SAFETY_ROUND not in kinds:
            out.append(Gap("wheel.gap.too_small_for_pulses", (("k", facts.k_eligible),)))
    elif not kinds & MAPPING_KINDS:
        key = "wheel.gap.no_mapping" if facts.has_question_set else "wheel.gap.no_question_set"
        out.append(Gap(key))
    missed = sum(1 for e in entries if e.kind is WheelKind.PULSE and e.status is Status.MISSED)
    if missed:
        out.append(Gap("wheel.gap.missed_pulses", (("count", missed),)))
    out.extend(Gap(key) for kind, key in EXPECTED if kind not in kinds)
    if facts.people >= AMU_REQUIRED_FROM and WheelKind.AMU_MEETING not in kinds:
        out.append(Gap("wheel.gap.no_amu_meeting", (("people", AMU_REQUIRED_FROM),)))
    if facts.people >= VERNEOMBUD_REQUIRED_FROM and not facts.has_verneombud:
        out.append(Gap("wheel.gap.no_verneombud", (("people", VERNEOMBUD_REQUIRED_FROM),)))
    if facts.has_verneombud and not facts.wheel_consulted:
        out.append(Gap("wheel.gap.not_consulted"))
    return tuple(out)


def sort_key(entry: WheelEntry) -> tuple[date, int, str]:
    return (entry.start, list(WheelKind).index(entry.kind), entry.uid)
