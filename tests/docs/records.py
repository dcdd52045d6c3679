"""Follow-up records written through the real repositories (the follow-up services belong to
another part of issue 8; these tests only need the records to exist)."""

from __future__ import annotations

from datetime import date, timedelta

from core.clock import FixedClock
from core.followup import (
    AssessmentFields,
    ConsultationSubject,
    ConsultedAs,
    EvidenceSource,
    MeasureFields,
    MeasureLevel,
    MeasureStatus,
    NewConsultation,
    NewEvidence,
    Position,
)
from core.ports import UnitOfWorkFactory
from tests.flow import organisation


async def follow_up(
    uows: UnitOfWorkFactory,
    clock: FixedClock,
    *,
    unit: str,
    assessed_on: date,
    due_on: date,
    round_id: int | None = None,
    cells: tuple[str, ...] = (),
) -> tuple[int, int]:
    """One completed assessment of workload in ``unit`` (evidence: a safety round finding and,
    with ``round_id``, that round's released cell), a measure, and the consultations of the
    verneombud on the assessment and on the year's wheel. Returns (assessment id, measure id).
    ``cells``: units whose released workload cell of ``round_id`` is cited (default: ``unit``)."""
    org = await organisation(uows)
    tenant = org.tenant.id
    unit_id = org.unit_by_path()[unit].id
    leader, verneombud = org.members[0].id, org.members[1].id
    now = clock.now()
    async with uows() as uow:
        repo = uow.followup
        evidence = [
            await repo.add_evidence(
                NewEvidence(
                    tenant,
                    unit_id,
                    "workload",
                    EvidenceSource.SAFETY_ROUND,
                    assessed_on,
                    "Vernerunde: mange frister samtidig",
                    "t",
                ),
                now,
            )
        ]
        for cited in (cells or (unit,)) if round_id is not None else ():
            evidence.append(
                await repo.add_evidence(
                    NewEvidence(
                        tenant,
                        org.unit_by_path()[cited].id,
                        "workload",
                        EvidenceSource.RELEASED_CELL,
                        assessed_on,
                        "",
                        "t",
                        round_id=round_id,
                    ),
                    now,
                )
            )
        assessment = await repo.add_assessment(
            tenant,
            unit_id,
            "workload",
            AssessmentFields(
                description="Høyt tidspress i perioder med mange samtidige frister",
                likelihood=4,
                consequence=3,
                controls="Ukentlig prioriteringsmøte",
                evidence_ids=tuple(e.id for e in evidence),
                assessor_id=leader,
                assessed_on=assessed_on,
                next_review=assessed_on + timedelta(days=120),
            ),
            now,
        )
        for subject, subject_id in (
            (ConsultationSubject.ASSESSMENT, assessment.id),
            (ConsultationSubject.ANNUAL_WHEEL, assessed_on.year),
        ):
            await repo.add_consultation(
                NewConsultation(
                    tenant,
                    subject,
                    subject_id,
                    unit_id,
                    verneombud,
                    ConsultedAs.VERNEOMBUD,
                    assessed_on,
                    Position.AGREE,
                    "Enig i vurderingen",
                    "t",
                ),
                now,
            )
        assessment = await repo.complete_assessment(assessment.id, now)
        measure = await repo.add_measure(
            tenant,
            MeasureFields(
                title="Fast prioriteringsmøte med frister på tavla",
                factors=("workload",),
                unit_id=unit_id,
                assessment_id=assessment.id,
                root_cause="Frister settes uten å se på samlet belastning",
                level=MeasureLevel.GROUP,
                owner_id=leader,
                participants=(leader, verneombud),
                start_on=assessed_on,
                due_on=due_on,
                status=MeasureStatus.IN_PROGRESS,
                expected_effect="Mindre tidspress innen to måneder",
            ),
            "t",
            now,
        )
        await uow.commit()
    return assessment.id, measure.id
