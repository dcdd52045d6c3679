"""Follow-up (issue 8): evidence, risk assessments, the consultation log and measures (tiltak).

Plain values and the repository port. The use cases live in ``core.followup_service``; who
may do what is decided in ``core.access``. The consultation log is append-only: its port has
no way to change or remove an entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from core.errors import TempcheckError

SCALE = range(1, 6)  # likelihood and consequence: 1 (lowest) to 5 (highest)


class EvidenceSource(StrEnum):
    SAFETY_ROUND = "safety_round"  # vernerunde
    INCIDENT = "incident"  # avvik / uønsket hendelse
    SICK_LEAVE = "sick_leave"  # sykefraværsutvikling
    APPRAISAL = "appraisal"  # temaer fra medarbeidersamtaler
    OTHER = "other"
    RELEASED_CELL = "released_cell"  # a released cell, referenced by round, unit and factor


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"


def risk_level(likelihood: int, consequence: int) -> RiskLevel:
    """The 5×5 matrix: risk = likelihood × consequence; 1–4 low, 5–9 medium, 10–16 high,
    20–25 very high (no product of 1..5 lies between 17 and 19)."""
    for name, value in (("likelihood", likelihood), ("consequence", consequence)):
        if value not in SCALE:
            raise TempcheckError("followup.error.scale", field=name, value=value)
    risk = likelihood * consequence
    if risk <= 4:
        return RiskLevel.LOW
    if risk <= 9:
        return RiskLevel.MEDIUM
    if risk <= 16:
        return RiskLevel.HIGH
    return RiskLevel.VERY_HIGH


class AssessmentStatus(StrEnum):
    DRAFT = "draft"
    COMPLETED = "completed"


class ConsultationSubject(StrEnum):
    ASSESSMENT = "assessment"  # subject_id: the assessment
    MEASURE_PLAN = "measure_plan"  # unit_id: the unit's plan; subject_id: one measure, optional
    ANNUAL_WHEEL = "annual_wheel"  # subject_id: the year


class Position(StrEnum):
    AGREE = "agree"
    DISAGREE = "disagree"


class ConsultedAs(StrEnum):
    VERNEOMBUD = "verneombud"
    HOVEDVERNEOMBUD = "hovedverneombud"
    AMU = "amu"


class MeasureLevel(StrEnum):
    INDIVIDUAL = "individual"
    GROUP = "group"
    LEADERSHIP = "leadership"
    ORGANISATION = "organisation"


class MeasureStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def open(self) -> bool:
        return self in (MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS)


@dataclass(frozen=True)
class NewEvidence:
    tenant_id: int
    unit_id: int
    factor: str
    source: EvidenceSource
    observed_on: date
    text: str
    recorded_by: str
    round_id: int | None = None  # set for RELEASED_CELL: the value is read from that release


@dataclass(frozen=True)
class Evidence(NewEvidence):
    id: int = field(kw_only=True)
    created_at: datetime = field(kw_only=True)


@dataclass(frozen=True)
class AssessmentFields:
    """What an assessor writes; everything of an assessment except identity and status."""

    description: str
    likelihood: int
    consequence: int
    controls: str
    evidence_ids: tuple[int, ...]
    assessor_id: int
    assessed_on: date
    next_review: date

    @property
    def risk(self) -> int:
        return self.likelihood * self.consequence

    @property
    def level(self) -> RiskLevel:
        return risk_level(self.likelihood, self.consequence)


@dataclass(frozen=True)
class Assessment(AssessmentFields):
    id: int = field(kw_only=True)
    tenant_id: int = field(kw_only=True)
    unit_id: int = field(kw_only=True)
    factor: str = field(kw_only=True)
    status: AssessmentStatus = field(kw_only=True)
    completed_at: datetime | None = field(kw_only=True, default=None)
    created_at: datetime = field(kw_only=True)
    updated_at: datetime = field(kw_only=True)


@dataclass(frozen=True)
class NewConsultation:
    tenant_id: int
    subject: ConsultationSubject
    subject_id: int | None
    unit_id: int | None
    member_id: int  # who was consulted
    consulted_as: ConsultedAs
    consulted_on: date
    position: Position
    comment: str
    recorded_by: str


@dataclass(frozen=True)
class Consultation(NewConsultation):
    id: int = field(kw_only=True)
    recorded_at: datetime = field(kw_only=True)


@dataclass(frozen=True)
class MeasureFields:
    """Everything about a measure a person sets; identity and bookkeeping are apart."""

    title: str
    factors: tuple[str, ...]
    unit_id: int
    assessment_id: int | None
    root_cause: str
    level: MeasureLevel
    owner_id: int
    participants: tuple[int, ...]
    start_on: date
    due_on: date
    status: MeasureStatus
    expected_effect: str
    follow_up_on: date | None = None  # when to re-measure even if not done yet
    completed_on: date | None = None


@dataclass(frozen=True)
class Measure(MeasureFields):
    id: int = field(kw_only=True)
    tenant_id: int = field(kw_only=True)
    created_by: str = field(kw_only=True)
    created_at: datetime = field(kw_only=True)
    updated_at: datetime = field(kw_only=True)

    def fields(self) -> MeasureFields:
        return MeasureFields(
            **{name: getattr(self, name) for name in MeasureFields.__dataclass_fields__}
        )


class FollowupRepository(Protocol):
    async def add_evidence(self, new: NewEvidence, at: datetime) -> Evidence: ...

    async def evidence(self, tenant_id: int) -> Sequence[Evidence]: ...

    async def add_assessment(
        self, tenant_id: int, unit_id: int, factor: str, fields: AssessmentFields, at: datetime
    ) -> Assessment: ...

    async def update_assessment(
        self, assessment_id: int, fields: AssessmentFields, at: datetime
    ) -> Assessment: ...

    async def complete_assessment(self, assessment_id: int, at: datetime) -> Assessment: ...

    async def get_assessment(self, assessment_id: int) -> Assessment | None: ...

    async def assessments(self, tenant_id: int) -> Sequence[Assessment]: ...

    async def add_consultation(self, new: NewConsultation, at: datetime) -> Consultation:
        """Append to the consultation log; there is deliberately no update or delete."""
        ...

    async def consultations(self, tenant_id: int) -> Sequence[Consultation]: ...

    async def add_measure(
        self, tenant_id: int, fields: MeasureFields, created_by: str, at: datetime
    ) -> Measure: ...

    async def update_measure(
        self, measure_id: int, fields: MeasureFields, at: datetime
    ) -> Measure: ...

    async def get_measure(self, measure_id: int) -> Measure | None: ...

    async def measures(self, tenant_id: int) -> Sequence[Measure]: ...

    async def claim_reminder(self, measure_id: int, day: date, member_id: int) -> bool:
        """Record that ``member_id`` is reminded of the measure on ``day``; False if already."""
        ...

    async def release_reminder(self, measure_id: int, day: date, member_id: int) -> None:
        """Undo a claim whose message could not be sent, so a later sweep tries again."""
        ...
