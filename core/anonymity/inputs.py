"""What the release engine is given: one closed round's snapshot, with no person in it.

Answer rows carry only (home unit, item, value), so every input here is keyed by unit. In a
round each factor is measured by at most one item, so a metric is a factor id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from core.anonymity.thresholds import Thresholds

AUDIENCE_LEADER: Final = "leader"
AUDIENCE_HR: Final = "hr_verneombud"
AUDIENCE_THEMES: Final = "themes"
AUDIENCES: Final = (AUDIENCE_LEADER, AUDIENCE_HR, AUDIENCE_THEMES)

SCORED_VALUES: Final = range(1, 6)
SENSITIVE_NO: Final = 1
SENSITIVE_YES: Final = 2
SENSITIVE_VALUES: Final = (SENSITIVE_NO, SENSITIVE_YES)


@dataclass(frozen=True)
class UnitNode:
    id: str
    parent: str | None


@dataclass(frozen=True)
class MetricInput:
    """One metric's valid answers ("prefer not to say" left out) per home unit, direct only.

    Scored values are 1..5, already reverse-corrected; sensitive values are 1 = no, 2 = yes.
    """

    metric: str
    sensitive: bool
    values: Mapping[str, tuple[int, ...]]


@dataclass(frozen=True)
class CommentInput:
    """A comment, its writer's home unit and the audience the writer chose."""

    unit: str
    audience: str
    text: str


@dataclass(frozen=True)
class SegmentAtom:
    """The answers of respondents sharing one home unit and one exact set of segments.

    Segments (location, role …) cut across the tree, so a segment's overlap with a cell or
    with another segment is only known from these atoms: every respondent of the metric is in
    exactly one atom (with ``segments`` empty if they are in none).
    """

    unit: str
    segments: frozenset[str]
    values: tuple[int, ...]


@dataclass(frozen=True)
class SegmentInput:
    """One metric's answers cut by the enabled org-level segments.

    The atoms must partition the metric's answers exactly (per unit, the same values), so the
    engine audits the very population it publishes.
    """

    metric: str
    atoms: tuple[SegmentAtom, ...]


@dataclass(frozen=True)
class ReleaseInput:
    round_id: str
    units: tuple[UnitNode, ...]
    eligible: Mapping[str, int]
    """Eligible members per home unit (direct, not subtree)."""
    respondents: Mapping[str, int]
    """Members per home unit who submitted at all (direct), for participation and comments."""
    metrics: tuple[MetricInput, ...]
    comments: tuple[CommentInput, ...] = ()
    segments: tuple[SegmentInput, ...] = ()
    thresholds: Thresholds = field(default_factory=Thresholds)
