"""Rounds: one pulse cycle of a unit. Opens with a membership snapshot and frozen
thresholds, collects answers, closes, and is released a fixed delay after close."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from core.anonymity.thresholds import Thresholds


class RoundStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    RELEASED = "released"


@dataclass(frozen=True)
class RoundItem:
    """An item as asked in a round: the stored item row of the set version that was asked."""

    item_row_id: int
    item_key: str
    factor: str
    sensitive: bool
    reverse: bool
    points: int


@dataclass(frozen=True)
class NewRound:
    tenant_id: int
    unit_id: int
    period: str
    plan_index: int
    question_set_id: int
    thresholds: Thresholds
    opened_at: datetime
    closes_at: datetime
    release_delay_hours: int


@dataclass(frozen=True)
class Round:
    id: int
    tenant_id: int
    unit_id: int
    period: str
    plan_index: int
    question_set_id: int
    status: RoundStatus
    thresholds: Thresholds
    opened_at: datetime
    closes_at: datetime
    release_delay_hours: int
    items: tuple[RoundItem, ...]
    closed_at: datetime | None = None
    released_at: datetime | None = None
    keys_shredded_at: datetime | None = None
    respondents: int | None = None

    @property
    def release_due(self) -> datetime | None:
        if self.closed_at is None:
            return None
        return self.closed_at + timedelta(hours=self.release_delay_hours)

    def shred_due(self) -> datetime | None:
        if self.closed_at is None:
            return None
        return self.closed_at + timedelta(days=self.thresholds.key_shred_grace_days)

    def accepts_answers(self, now: datetime) -> bool:
        return self.status is RoundStatus.OPEN and now < self.closes_at


@dataclass(frozen=True)
class SnapshotMember:
    member_id: int
    home_unit_id: int
    #: Where this member's answers are stored: a unit standing for >= k_eligible people
    #: (core/anonymity/storage_groups.py).
    answer_unit_id: int


@dataclass(frozen=True)
class SnapshotUnit:
    unit_id: int
    parent_id: int | None


@dataclass(frozen=True)
class NewAnswer:
    unit_id: int
    item_row_id: int
    value: int | None  # None: "prefer not to say"


@dataclass(frozen=True)
class NewComment:
    unit_id: int
    audience: str
    text: str


@dataclass(frozen=True)
class StoredRelease:
    round_id: int
    document: str
    hash: str
    created_at: datetime
