"""Repository contract for follow-up (evidence, assessments, consultations, measures,
reminder claims, grant expiry): fake, SQLite and PostgreSQL alike."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from core.followup import (
    AssessmentFields,
    AssessmentStatus,
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
from core.organisation import MemberFields, Role, RoleGrant
from core.ports import UnitOfWorkFactory

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def _seed(uows: UnitOfWorkFactory) -> tuple[int, int, int]:
    async with uows() as uow:
        tenant = await uow.organisation.add_tenant("acme", "Acme")
        unit = await uow.organisation.add_unit(tenant.id, "Acme", None)
        member = await uow.organisation.add_member(
            tenant.id, MemberFields("a@acme.no", "A", unit.id, "nb", "Europe/Oslo")
        )
        await uow.commit()
    return tenant.id, unit.id, member.id


def _assessment(member: int) -> AssessmentFields:
    return AssessmentFields(
        "Deadlines pile up", 4, 3, "Weekly meeting", (), member, date(2026, 3, 1), date(2026, 9, 1)
    )


def _measure(unit: int, member: int) -> MeasureFields:
    return MeasureFields(
        title="Weekly priority meeting",
        factors=("workload",),
        unit_id=unit,
        assessment_id=None,
        root_cause="Too many parallel requests",
        level=MeasureLevel.GROUP,
        owner_id=member,
        participants=(member,),
        start_on=date(2026, 3, 2),
        due_on=date(2026, 4, 30),
        status=MeasureStatus.PLANNED,
        expected_effect="Fewer late evenings",
    )


async def test_followup_round_trip(uows: UnitOfWorkFactory) -> None:
    tenant, unit, member = await _seed(uows)
    async with uows() as uow:
        ev = await uow.followup.add_evidence(
            NewEvidence(
                tenant, unit, "workload", EvidenceSource.INCIDENT, date(2026, 2, 1), "x", "cli:hr"
            ),
            AT,
        )
        a = await uow.followup.add_assessment(
            tenant, unit, "workload", replace(_assessment(member), evidence_ids=(ev.id,)), AT
        )
        m = await uow.followup.add_measure(
            tenant, replace(_measure(unit, member), assessment_id=a.id), "cli:hr", AT
        )
        c = await uow.followup.add_consultation(
            NewConsultation(
                tenant,
                ConsultationSubject.ASSESSMENT,
                a.id,
                unit,
                member,
                ConsultedAs.VERNEOMBUD,
                date(2026, 3, 3),
                Position.DISAGREE,
                "Needs more staff",
                "member:1",
            ),
            AT,
        )
        await uow.commit()
    later = AT + timedelta(days=1)
    async with uows() as uow:
        assert [e.text for e in await uow.followup.evidence(tenant)] == ["x"]
        got = await uow.followup.get_assessment(a.id)
        assert got == a and got.evidence_ids == (ev.id,) and got.risk == 12
        assert got.status is AssessmentStatus.DRAFT
        updated = await uow.followup.update_assessment(
            a.id, replace(_assessment(member), likelihood=5), later
        )
        assert updated.likelihood == 5 and updated.updated_at == later
        done = await uow.followup.complete_assessment(a.id, later)
        assert done.status is AssessmentStatus.COMPLETED and done.completed_at == later
        assert await uow.followup.consultations(tenant) == [c]
        assert await uow.followup.get_measure(m.id) == m
        moved = await uow.followup.update_measure(
            m.id,
            replace(m.fields(), status=MeasureStatus.DONE, completed_on=date(2026, 4, 1)),
            later,
        )
        assert moved.status is MeasureStatus.DONE and moved.created_at == AT
        await uow.commit()
    async with uows() as uow:
        assert [x.status for x in await uow.followup.measures(tenant)] == [MeasureStatus.DONE]
        assert [x.status for x in await uow.followup.assessments(tenant)] == [
            AssessmentStatus.COMPLETED
        ]
        assert not hasattr(uow.followup, "update_consultation")
        assert not hasattr(uow.followup, "delete_consultation")


async def test_reminder_claims_are_once_per_day_and_person(uows: UnitOfWorkFactory) -> None:
    tenant, unit, member = await _seed(uows)
    async with uows() as uow:
        m = await uow.followup.add_measure(tenant, _measure(unit, member), "cli", AT)
        await uow.commit()
    day = date(2026, 5, 1)
    async with uows() as uow:
        assert await uow.followup.claim_reminder(m.id, day, member)
        assert not await uow.followup.claim_reminder(m.id, day, member)
        assert await uow.followup.claim_reminder(m.id, day, member + 1)
        await uow.commit()
    async with uows() as uow:
        assert not await uow.followup.claim_reminder(m.id, day, member)
        assert await uow.followup.claim_reminder(m.id, day + timedelta(days=1), member)
        await uow.followup.release_reminder(m.id, day, member)
        await uow.commit()
    async with uows() as uow:
        assert await uow.followup.claim_reminder(m.id, day, member)


async def test_grant_expiry_is_stored(uows: UnitOfWorkFactory) -> None:
    tenant, _, member = await _seed(uows)
    until = datetime(2026, 6, 30, 22, 0, tzinfo=UTC)
    async with uows() as uow:
        await uow.organisation.replace_grants(
            tenant, [RoleGrant(member, Role.ADVISER, None, until)]
        )
        await uow.commit()
    async with uows() as uow:
        org = await uow.organisation.load(tenant)
    assert org.grants == (RoleGrant(member, Role.ADVISER, None, until),)
    assert org.grants_of(member, until - timedelta(seconds=1))
    assert org.grants_of(member, until) == ()
