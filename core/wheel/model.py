"""The annual wheel (årshjul): the year's planned activities of the systematic work on the
psychosocial work environment, each with an owner and a date.

Some entries are generated (pulses from the cadence, reviews from follow-up records), the
rest are entered by hand (full survey, safety round, AMU meetings, training, …). Every entry
has a UID that stays the same from one export to the next, so a calendar that imports the
ICS file again updates its events instead of doubling them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from core.errors import TempcheckError
from core.organisation import Role


class WheelKind(StrEnum):
    PULSE = "pulse"
    FULL_SURVEY = "full_survey"
    SAFETY_ROUND = "safety_round"  # psychosocial safety round (vernerunde)
    AMU_MEETING = "amu_meeting"
    RISK_REVIEW = "risk_review"
    MEASURE_REVIEW = "measure_review"
    TRAINING = "training"


#: Pulses come from the cadence (``tempcheck cadence set``), never from a manual entry: a
#: pulse in the wheel that the scheduler would not open would be a promise nobody keeps.
MANUAL_KINDS = tuple(k for k in WheelKind if k is not WheelKind.PULSE)


class Source(StrEnum):
    CADENCE = "cadence"  # planned from the cadence
    ROUND = "round"  # a round that was opened (by hand or by the scheduler)
    MANUAL = "manual"
    ASSESSMENT = "assessment"  # a risk assessment's next review
    MEASURE = "measure"  # a measure's due date or follow-up


class Status(StrEnum):
    PLANNED = "planned"
    HELD = "held"  # a pulse whose round exists
    MISSED = "missed"  # a planned pulse whose day has passed without a round


@dataclass(frozen=True)
class NewWheelEntry:
    tenant_id: int
    kind: WheelKind
    day: date
    owner: str
    title: str
    unit_id: int | None
    created_at: datetime
    created_by: str


@dataclass(frozen=True)
class StoredWheelEntry(NewWheelEntry):
    id: int


@dataclass(frozen=True)
class WheelEntry:
    """One line of the wheel, generated or entered."""

    uid: str
    kind: WheelKind
    start: date
    end: date  # inclusive; equal to ``start`` for a one-day activity
    owner: str  # a role id (translated when shown) or a name / function as entered
    title: str  # free text; may be empty
    unit: str | None  # unit path
    source: Source
    status: Status
    entry_id: int | None = None  # manual entries: the id to remove it by

    def to_dict(self) -> dict[str, object]:
        return {
            "uid": self.uid,
            "kind": self.kind.value,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "owner": self.owner,
            "title": self.title,
            "unit": self.unit,
            "source": self.source.value,
            "status": self.status.value,
        }


@dataclass(frozen=True)
class Gap:
    """Something the year's wheel lacks; ``key`` is a catalogue key (wheel.yaml)."""

    key: str
    params: tuple[tuple[str, object], ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {"key": self.key, "params": dict(self.params)}


@dataclass(frozen=True)
class Wheel:
    tenant: str
    start: date
    end: date
    entries: tuple[WheelEntry, ...]
    gaps: tuple[Gap, ...]


MAX_OWNER = 200
MAX_TITLE = 500
ROLE_OWNERS = frozenset(r.value for r in Role)


def parse_kind(raw: str) -> WheelKind:
    value = raw.strip().lower().replace("-", "_")
    if value == WheelKind.PULSE.value:
        raise TempcheckError("wheel.pulse_from_cadence")
    if value not in {k.value for k in MANUAL_KINDS}:
        raise TempcheckError(
            "wheel.unknown_kind", value=raw, allowed=", ".join(k.value for k in MANUAL_KINDS)
        )
    return WheelKind(value)


def check_text(owner: str, title: str) -> tuple[str, str]:
    owner, title = owner.strip(), title.strip()
    if not owner:
        raise TempcheckError("wheel.owner_missing")
    if len(owner) > MAX_OWNER:
        raise TempcheckError("wheel.too_long", field="owner", max=MAX_OWNER)
    if len(title) > MAX_TITLE:
        raise TempcheckError("wheel.too_long", field="title", max=MAX_TITLE)
    return owner, title


class WheelRepository(Protocol):
    async def add(self, entry: NewWheelEntry) -> StoredWheelEntry: ...

    async def list(self, tenant_id: int, start: date, end: date) -> Sequence[StoredWheelEntry]:
        """The tenant's manual entries with ``start <= day <= end``, by day then id."""
        ...

    async def remove(self, tenant_id: int, entry_id: int) -> StoredWheelEntry | None:
        """Delete one entry; the removed entry, or None when the tenant has no such entry."""
        ...
