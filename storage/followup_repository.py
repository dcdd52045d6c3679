"""SQLAlchemy implementation of ``core.followup.FollowupRepository``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from core.followup import (
    Assessment,
    AssessmentFields,
    AssessmentStatus,
    Consultation,
    ConsultationSubject,
    ConsultedAs,
    Evidence,
    EvidenceSource,
    Measure,
    MeasureFields,
    MeasureLevel,
    MeasureStatus,
    NewConsultation,
    NewEvidence,
    Position,
)
from storage.models import (
    AssessmentRow,
    ConsultationRow,
    EvidenceRow,
    MeasureReminderRow,
    MeasureRow,
)
from storage.repositories import aware


def _evidence(r: EvidenceRow) -> Evidence:
    return Evidence(
        r.tenant_id,
        r.unit_id,
        r.factor,
        EvidenceSource(r.source),
        r.observed_on,
        r.text,
        r.recorded_by,
        r.round_id,
        id=r.id,
        created_at=aware(r.created_at),
    )


def _assessment(r: AssessmentRow) -> Assessment:
    return Assessment(
        description=r.description,
        likelihood=r.likelihood,
        consequence=r.consequence,
        controls=r.controls,
        evidence_ids=tuple(r.evidence_ids),
        assessor_id=r.assessor_id,
        assessed_on=r.assessed_on,
        next_review=r.next_review,
        id=r.id,
        tenant_id=r.tenant_id,
        unit_id=r.unit_id,
        factor=r.factor,
        status=AssessmentStatus(r.status),
        completed_at=aware(r.completed_at) if r.completed_at else None,
        created_at=aware(r.created_at),
        updated_at=aware(r.updated_at),
    )


def _apply_assessment(row: AssessmentRow, fields: AssessmentFields) -> None:
    row.description = fields.description
    row.likelihood = fields.likelihood
    row.consequence = fields.consequence
    row.controls = fields.controls
    row.evidence_ids = list(fields.evidence_ids)
    row.assessor_id = fields.assessor_id
    row.assessed_on = fields.assessed_on
    row.next_review = fields.next_review


def _consultation(r: ConsultationRow) -> Consultation:
    return Consultation(
        r.tenant_id,
        ConsultationSubject(r.subject),
        r.subject_id,
        r.unit_id,
        r.member_id,
        ConsultedAs(r.consulted_as),
        r.consulted_on,
        Position(r.position),
        r.comment,
        r.recorded_by,
        id=r.id,
        recorded_at=aware(r.recorded_at),
    )


def _measure(r: MeasureRow) -> Measure:
    return Measure(
        title=r.title,
        factors=tuple(r.factors),
        unit_id=r.unit_id,
        assessment_id=r.assessment_id,
        root_cause=r.root_cause,
        level=MeasureLevel(r.level),
        owner_id=r.owner_id,
        participants=tuple(r.participants),
        start_on=r.start_on,
        due_on=r.due_on,
        status=MeasureStatus(r.status),
        expected_effect=r.expected_effect,
        follow_up_on=r.follow_up_on,
        completed_on=r.completed_on,
        id=r.id,
        tenant_id=r.tenant_id,
        created_by=r.created_by,
        created_at=aware(r.created_at),
        updated_at=aware(r.updated_at),
    )


def _apply_measure(row: MeasureRow, f: MeasureFields) -> None:
    row.title = f.title
    row.factors = list(f.factors)
    row.unit_id = f.unit_id
    row.assessment_id = f.assessment_id
    row.root_cause = f.root_cause
    row.level = f.level.value
    row.owner_id = f.owner_id
    row.participants = list(f.participants)
    row.start_on = f.start_on
    row.due_on = f.due_on
    row.status = f.status.value
    row.expected_effect = f.expected_effect
    row.follow_up_on = f.follow_up_on
    row.completed_on = f.completed_on


class SqlFollowupRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._s = session

    async def add_evidence(self, new: NewEvidence, at: datetime) -> Evidence:
        row = EvidenceRow(
            tenant_id=new.tenant_id,
            unit_id=new.unit_id,
            factor=new.factor,
            source=new.source.value,
            observed_on=new.observed_on,
            text=new.text,
            round_id=new.round_id,
            recorded_by=new.recorded_by,
            created_at=at,
        )
        self._s.add(row)
        await self._s.flush()
        return _evidence(row)

    async def evidence(self, tenant_id: int) -> Sequence[Evidence]:
        rows = await self._s.scalars(
            select(EvidenceRow).where(EvidenceRow.tenant_id == tenant_id).order_by(EvidenceRow.id)
        )
        return [_evidence(r) for r in rows]

    async def add_assessment(
        self, tenant_id: int, unit_id: int, factor: str, fields: AssessmentFields, at: datetime
    ) -> Assessment:
        row = AssessmentRow(
            tenant_id=tenant_id,
            unit_id=unit_id,
            factor=factor,
            status=AssessmentStatus.DRAFT.value,
            created_at=at,
            updated_at=at,
        )
        _apply_assessment(row, fields)
        self._s.add(row)
        await self._s.flush()
        return _assessment(row)

    async def update_assessment(
        self, assessment_id: int, fields: AssessmentFields, at: datetime
    ) -> Assessment:
        row = await self._s.get_one(AssessmentRow, assessment_id)
        _apply_assessment(row, fields)
        row.updated_at = at
        await self._s.flush()
        return _assessment(row)

    async def complete_assessment(self, assessment_id: int, at: datetime) -> Assessment:
        row = await self._s.get_one(AssessmentRow, assessment_id)
        row.status = AssessmentStatus.COMPLETED.value
        row.completed_at = at
        row.updated_at = at
        await self._s.flush()
        return _assessment(row)

    async def get_assessment(self, assessment_id: int) -> Assessment | None:
        row = await self._s.get(AssessmentRow, assessment_id)
        return _assessment(row) if row else None

    async def assessments(self, tenant_id: int) -> Sequence[Assessment]:
        rows = await self._s.scalars(
            select(AssessmentRow)
            .where(AssessmentRow.tenant_id == tenant_id)
            .order_by(AssessmentRow.id)
        )
        return [_assessment(r) for r in rows]

    async def add_consultation(self, new: NewConsultation, at: datetime) -> Consultation:
        row = ConsultationRow(
            tenant_id=new.tenant_id,
            subject=new.subject.value,
            subject_id=new.subject_id,
            unit_id=new.unit_id,
            member_id=new.member_id,
            consulted_as=new.consulted_as.value,
            consulted_on=new.consulted_on,
            position=new.position.value,
            comment=new.comment,
            recorded_by=new.recorded_by,
            recorded_at=at,
        )
        self._s.add(row)
        await self._s.flush()
        return _consultation(row)

    async def consultations(self, tenant_id: int) -> Sequence[Consultation]:
        rows = await self._s.scalars(
            select(ConsultationRow)
            .where(ConsultationRow.tenant_id == tenant_id)
            .order_by(ConsultationRow.id)
        )
        return [_consultation(r) for r in rows]

    async def add_measure(
        self, tenant_id: int, fields: MeasureFields, created_by: str, at: datetime
    ) -> Measure:
        row = MeasureRow(tenant_id=tenant_id, created_by=created_by, created_at=at, updated_at=at)
        _apply_measure(row, fields)
        self._s.add(row)
        await self._s.flush()
        return _measure(row)

    async def update_measure(self, measure_id: int, fields: MeasureFields, at: datetime) -> Measure:
        row = await self._s.get_one(MeasureRow, measure_id)
        _apply_measure(row, fields)
        row.updated_at = at
        await self._s.flush()
        return _measure(row)

    async def get_measure(self, measure_id: int) -> Measure | None:
        row = await self._s.get(MeasureRow, measure_id)
        return _measure(row) if row else None

    async def measures(self, tenant_id: int) -> Sequence[Measure]:
        rows = await self._s.scalars(
            select(MeasureRow).where(MeasureRow.tenant_id == tenant_id).order_by(MeasureRow.id)
        )
        return [_measure(r) for r in rows]

    async def claim_reminder(self, measure_id: int, day: date, member_id: int) -> bool:
        dialect: Any = postgresql if self._s.get_bind().dialect.name == "postgresql" else sqlite
        statement = (
            dialect.insert(MeasureReminderRow)
            .values(measure_id=measure_id, day=day, member_id=member_id)
            .on_conflict_do_nothing(index_elements=["measure_id", "day", "member_id"])
            .returning(MeasureReminderRow.id)
        )
        return len((await self._s.execute(statement)).all()) == 1

    async def release_reminder(self, measure_id: int, day: date, member_id: int) -> None:
        await self._s.execute(
            delete(MeasureReminderRow).where(
                MeasureReminderRow.measure_id == measure_id,
                MeasureReminderRow.day == day,
                MeasureReminderRow.member_id == member_id,
            )
        )
        await self._s.flush()
