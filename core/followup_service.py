"""Use cases of the follow-up cycle: evidence, risk assessments and the consultation log.

Every use case names the acting member (``as_email``), checks ``core.access`` with the
injected clock, writes in one unit of work and records what changed in the audit log
(before and after where something existed before).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, datetime
from enum import Enum

from core.access import Action, require, visible_units
from core.anonymity.record import Release
from core.clock import Clock
from core.errors import NotFound, TempcheckError
from core.followup import (
    Assessment,
    AssessmentFields,
    AssessmentStatus,
    Consultation,
    ConsultationSubject,
    ConsultedAs,
    Evidence,
    EvidenceSource,
    NewConsultation,
    NewEvidence,
    Position,
    risk_level,
)
from core.organisation import Member, Organisation, Role, Tenant, Unit
from core.ports import UnitOfWork, UnitOfWorkFactory
from core.question_sets import require_tenant
from core.questions import KNOWN_FACTORS, FactorKind
from core.rounds import RoundStatus

#: Factors follow-up works on: the scored ones (sensitive exposure is handled through the
#: org-level prevalence and the help routes, but may still be assessed at organisation level).
FACTORS = tuple(f for f, _ in KNOWN_FACTORS)
SCORED_FACTORS = tuple(f for f, kind in KNOWN_FACTORS if kind is FactorKind.SCORED)
MAX_TEXT = 2000


def jsonable(value: object) -> object:
    """Audit details are JSON: dates as ISO strings, enums as values, tuples as lists."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in fields(value)}
    return value


def changes(before: object, after: object) -> dict[str, object]:
    """What changed between two versions of a dataclass: ``{field: {before, after}}``."""
    old, new = jsonable(before), jsonable(after)
    assert isinstance(old, dict) and isinstance(new, dict)
    return {k: {"before": old.get(k), "after": v} for k, v in new.items() if old.get(k) != v}


@dataclass(frozen=True)
class Actor:
    tenant: Tenant
    org: Organisation
    member: Member
    now: datetime

    @property
    def label(self) -> str:
        return f"member:{self.member.id}"

    @property
    def today(self) -> date:
        return self.now.date()

    def unit(self, path: str) -> Unit:
        found = self.org.unit_by_path().get(path)
        if found is None:
            raise NotFound("unit.not_found", unit=path)
        return found

    def visible(self, action: Action = Action.VIEW_FOLLOWUP) -> frozenset[int]:
        """Units the member may do ``action`` on; AccessDenied (or expired) when none."""
        found = visible_units(self.org, self.member.id, action, self.now)
        if not found:
            unit = self.member.home_unit_id
            require(self.org, self.member.id, action, unit, self.now)
        return found

    def path(self, unit_id: int | None) -> str:
        found = self.org.unit_by_id().get(unit_id) if unit_id is not None else None
        return found.path if found else self.tenant.name


async def acting(uow: UnitOfWork, clock: Clock, tenant_slug: str, email: str) -> Actor:
    tenant = await require_tenant(uow, tenant_slug)
    org = await uow.organisation.load(tenant.id)
    return Actor(tenant, org, member_by_email(org, email), clock.now())


def member_by_email(org: Organisation, email: str) -> Member:
    found = org.active_member_by_email(email)
    if found is None:
        raise NotFound("followup.error.unknown_member", email=email)
    return found


def check_factor(factor: str) -> str:
    cleaned = factor.strip().lower()
    if cleaned not in FACTORS:
        raise TempcheckError(
            "followup.error.unknown_factor", factor=factor, known=", ".join(SCORED_FACTORS)
        )
    return cleaned


def check_text(name: str, text: str, *, required: bool = True) -> str:
    cleaned = text.strip()
    if required and not cleaned:
        raise TempcheckError("followup.error.empty", field=name)
    if len(cleaned) > MAX_TEXT:
        raise TempcheckError("followup.error.too_long", field=name, limit=MAX_TEXT)
    return cleaned


async def audit(uow: UnitOfWork, who: Actor, action: str, detail: Mapping[str, object]) -> None:
    await uow.audit.record(who.tenant.id, who.now, who.label, action, dict(detail))


# --- evidence ------------------------------------------------------------------------------


async def _check_released_cell(uow: UnitOfWork, round_id: int, unit_id: int, factor: str) -> None:
    found = await uow.rounds.get(round_id)
    stored = await uow.rounds.release(round_id) if found else None
    if found is None or found.status is not RoundStatus.RELEASED or stored is None:
        raise TempcheckError("followup.error.round_not_released", round=round_id)
    release = Release.from_json(stored.document)
    cell = next((c for c in release.cells if c.unit == str(unit_id) and c.metric == factor), None)
    if cell is None or not cell.published:
        raise TempcheckError("followup.error.cell_not_released", round=round_id, factor=factor)


async def add_evidence(
    uows: UnitOfWorkFactory,
    clock: Clock,
    *,
    tenant_slug: str,
    as_email: str,
    unit_path: str,
    factor: str,
    source: str,
    observed_on: date | None,
    text: str,
    round_id: int | None = None,
) -> Evidence:
    """Add an entry to the evidence register. A released cell is stored as a reference
    (round, unit, factor) and only when that cell was published; its value is never copied."""
    try:
        kind = EvidenceSource(source.strip().lower())
    except ValueError:
        raise TempcheckError(
            "followup.error.unknown_source",
            source=source,
            known=", ".join(s.value for s in EvidenceSource),
        ) from None
    async with uows() as uow:
        who = await acting(uow, clock, tenant_slug, as_email)
        unit = who.unit(unit_path)
        require(who.org, who.member.id, Action.RECORD_EVIDENCE, unit.id, who.now)
        metric = check_factor(factor)
        if kind is EvidenceSource.RELEASED_CELL:
            if round_id is None:
                raise TempcheckError("followup.error.round_required")
            await _check_released_cell(uow, round_id, unit.id, metric)
            body = check_text("text", text, required=False)
        else:
            round_id = None
            body = check_text("text", text)
        new = NewEvidence(
            who.tenant.id,
            unit.id,
            metric,
            kind,
            observed_on or who.today,
            body,
            who.label,
            round_id,
        )
        stored = await uow.followup.add_evidence(new, who.now)
        await audit(
            uow,
            who,
            "evidence.add",
            {"id": stored.id, "unit": unit.path, "after": jsonable(new)},
        )
        await uow.commit()
    return stored


async def list_evidence(
    uows: UnitOfWorkFactory,
    clock: Clock,
    *,
    tenant_slug: str,
    as_email: str,
    unit_path: str | None = None,
    factor: str | None = None,
) -> tuple[Actor, list[Evidence]]:
    async with uows() as uow:
        who = await acting(uow, clock, tenant_slug, as_email)
        seen = who.visible()
        unit_id = who.unit(unit_path).id if unit_path else None
        wanted = check_factor(factor) if factor else None
        found = [
            e
            for e in await uow.followup.evidence(who.tenant.id)
            if e.unit_id in seen
            and (unit_id is None or e.unit_id == unit_id)
            and (wanted is None or e.factor == wanted)
        ]
    return who, found


# --- risk assessments -----------------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentInput:
    description: str
    likelihood: int
    consequence: int
    controls: str
    evidence_ids: tuple[int, ...]
    assessed_on: date | None
    next_review: date


async def _checked_fields(
    uow: UnitOfWork, who: Actor, unit: Unit, data: AssessmentInput
) -> AssessmentFields:
    risk_level(data.likelihood, data.consequence)  # validates the 1–5 scales
    assessed_on = data.assessed_on or who.today
    if data.next_review <= assessed_on:
        raise TempcheckError(
            "followup.error.review_before_assessment",
            review=data.next_review.isoformat(),
            assessed=assessed_on.isoformat(),
        )
    known = {e.id: e for e in await uow.followup.evidence(who.tenant.id)}
    related = who.org.subtree_ids(unit.id)
    for evidence_id in data.evidence_ids:
        entry = known.get(evidence_id)
        if entry is None or entry.unit_id not in related:
            raise TempcheckError("followup.error.unknown_evidence", id=evidence_id, unit=unit.path)
    return AssessmentFields(
        description=check_text("description", data.description),
        likelihood=data.likelihood,
        consequence=data.consequence,
        controls=check_text("controls", data.controls, required=False),
        evidence_ids=tuple(dict.fromkeys(data.evidence_ids)),
        assessor_id=who.member.id,
        assessed_on=assessed_on,
        next_review=data.next_review,
    )


async def create_assessment(
    uows: UnitOfWorkFactory,
    clock: Clock,
    *,
    tenant_slug: str,
    as_email: str,
    unit_path: str,
    factor: str,
    data: AssessmentInput,
) -> Assessment:
    async with uows() as uow:
        who = await acting(uow, clock, tenant_slug, as_email)
        unit = who.unit(unit_path)
        require(who.org, who.member.id, Action.EDIT_ASSESSMENT, unit.id, who.now)
        metric = check_factor(factor)
        values = await _checked_fields(uow, who, unit, data)
        stored = await uow.followup.add_assessment(who.tenant.id, unit.id, metric, values, who.now)
        await audit(
            uow,
            who,
            "assessment.create",
            {"id": stored.id, "unit": unit.path, "factor": metric, "after": jsonable(values)},
        )
        await uow.commit()
    return stored


async def _assessment(uow: UnitOfWork, who: Actor, assessment_id: int) -> Assessment:
    found = await uow.followup.get_assessment(assessment_id)
    if found is None or found.tenant_id != who.tenant.id:
        raise NotFound("followup.error.no_assessment", id=assessment_id)
    return found


async def update_assessment(
    uows: UnitOfWorkFactory,
    clock: Clock,
    *,
    tenant_slug: str,
    as_email: str,
    assessment_id: int,
    data: AssessmentInput,
) -> Assessment:
    """Edit a draft. A completed assessment is a record: a review is a new assessment."""
    async with uows() as uow:
        who = await acting(uow, clock, tenant_slug, as_email)
        current = await _assessment(uow, who, assessment_id)
        require(who.org, who.member.id, Action.EDIT_ASSESSMENT, current.unit_id, who.now)
        if current.status is AssessmentStatus.COMPLETED:
            raise TempcheckError("followup.error.assessment_completed", id=assessment_id)
        unit = who.org.unit_by_id()[current.unit_id]
        values = await _checked_fields(uow, who, unit, data)
        before = AssessmentFields(**{f.name: getattr(current, f.name) for f in fields(values)})
        stored = await uow.followup.update_assessment(assessment_id, values, who.now)
        await audit(
            uow,
            who,
            "assessment.update",
            {"id": assessment_id, "unit": unit.path, "changes": changes(before, values)},
        )
        await uow.commit()
    return stored


def consulted_on_current(assessment: Assessment, log: Sequence[Consultation]) -> bool:
    """A verneombud (or the hovedverneombud) was consulted on this assessment after its last
    edit; the AMU's statement alone does not stand in for the verneombud's."""
    return any(
        c.subject is ConsultationSubject.ASSESSMENT
        and c.subject_id == assessment.id
        and c.consulted_as in (ConsultedAs.VERNEOMBUD, ConsultedAs.HOVEDVERNEOMBUD)
        and c.recorded_at >= assessment.updated_at
        for c in log
    )


async def complete_assessment(
    uows: UnitOfWorkFactory, clock: Clock, *, tenant_slug: str, as_email: str, assessment_id: int
) -> Assessment:
    async with uows() as uow:
        who = await acting(uow, clock, tenant_slug, as_email)
        current = await _assessment(uow, who, assessment_id)
        require(who.org, who.member.id, Action.COMPLETE_ASSESSMENT, current.unit_id, who.now)
        if current.status is AssessmentStatus.COMPLETED:
            return current
        if not consulted_on_current(current, await uow.followup.consultations(who.tenant.id)):
            raise TempcheckError("followup.error.no_consultation", id=assessment_id)
        stored = await uow.followup.complete_assessment(assessment_id, who.now)
        await audit(
            uow,
            who,
            "assessment.complete",
            {
                "id": assessment_id,
                "unit": who.path(current.unit_id),
                "changes": {"status": {"before": "draft", "after": "completed"}},
            },
        )
        await uow.commit()
    return stored


async def list_assessments(
    uows: UnitOfWorkFactory, clock: Clock, *, tenant_slug: str, as_email: str
) -> tuple[Actor, list[Assessment]]:
    async with uows() as uow:
        who = await acting(uow, clock, tenant_slug, as_email)
        seen = who.visible()
        found = [a for a in await uow.followup.assessments(who.tenant.id) if a.unit_id in seen]
    return who, found


async def show_assessment(
    uows: UnitOfWorkFactory, clock: Clock, *, tenant_slug: str, as_email: str, assessment_id: int
) -> tuple[Actor, Assessment, list[Evidence], list[Consultation]]:
    async with uows() as uow:
        who = await acting(uow, clock, tenant_slug, as_email)
        found = await _assessment(uow, who, assessment_id)
        require(who.org, who.member.id, Action.VIEW_FOLLOWUP, found.unit_id, who.now)
        evidence = [
            e for e in await uow.followup.evidence(who.tenant.id) if e.id in found.evidence_ids
        ]
        log = [
            c
            for c in await uow.followup.consultations(who.tenant.id)
            if c.subject is ConsultationSubject.ASSESSMENT and c.subject_id == assessment_id
        ]
    return who, found, evidence, log


# --- consultation log ---------------------------------------------------------------------

_CONSULTED_AS = {
    Role.VERNEOMBUD: ConsultedAs.VERNEOMBUD,
    Role.HOVEDVERNEOMBUD: ConsultedAs.HOVEDVERNEOMBUD,
    Role.AMU: ConsultedAs.AMU,
}


async def _subject_unit(
    uow: UnitOfWork,
    who: Actor,
    subject: ConsultationSubject,
    subject_id: int | None,
    unit: str | None,
) -> int | None:
    if subject is ConsultationSubject.ASSESSMENT:
        if subject_id is None:
            raise TempcheckError("followup.error.subject_id_required", subject=subject.value)
        return (await _assessment(uow, who, subject_id)).unit_id
    if subject is ConsultationSubject.MEASURE_PLAN:
        if subject_id is not None:
            measure = await uow.followup.get_measure(subject_id)
            if measure is None or measure.tenant_id != who.tenant.id:
                raise NotFound("followup.error.no_measure", id=subject_id)
            return measure.unit_id
        if unit is None:
            raise TempcheckError("followup.error.unit_required", subject=subject.value)
        return who.unit(unit).id
    if subject_id is None:
        raise TempcheckError("followup.error.subject_id_required", subject=subject.value)
    return None  # the annual wheel is the organisation's


async def record_consultation(
    uows: UnitOfWorkFactory,
    clock: Clock,
    *,
    tenant_slug: str,
    as_email: str,
    subject: str,
    subject_id: int | None,
    position: str,
    comment: str,
    unit_path: str | None = None,
    consulted_on: date | None = None,
    consulted_as: str | None = None,
) -> Consultation:
    """Append the acting member's own statement (as verneombud, hovedverneombud or AMU) to
    the consultation log."""
    try:
        topic = ConsultationSubject(subject.strip().lower())
        stance = Position(position.strip().lower())
    except ValueError:
        raise TempcheckError(
            "followup.error.bad_consultation",
            subjects=", ".join(s.value for s in ConsultationSubject),
            positions=", ".join(p.value for p in Position),
        ) from None
    async with uows() as uow:
        who = await acting(uow, clock, tenant_slug, as_email)
        unit_id = await _subject_unit(uow, who, topic, subject_id, unit_path)
        grants = require(who.org, who.member.id, Action.RECORD_CONSULTATION, unit_id, who.now)
        roles = [_CONSULTED_AS[g.role] for g in grants if g.role in _CONSULTED_AS]
        if consulted_as is not None:
            wanted = consulted_as.strip().lower()
            roles = [r for r in roles if r.value == wanted]
            if not roles:
                raise TempcheckError("followup.error.not_consulted_as", role=consulted_as)
        new = NewConsultation(
            tenant_id=who.tenant.id,
            subject=topic,
            subject_id=subject_id,
            unit_id=unit_id,
            member_id=who.member.id,
            consulted_as=sorted(roles, key=list(ConsultedAs).index)[0],
            consulted_on=consulted_on or who.today,
            position=stance,
            comment=check_text("comment", comment, required=stance is Position.DISAGREE),
            recorded_by=who.label,
        )
        stored = await uow.followup.add_consultation(new, who.now)
        await audit(uow, who, "consultation.record", {"id": stored.id, "after": jsonable(new)})
        await uow.commit()
    return stored


async def list_consultations(
    uows: UnitOfWorkFactory, clock: Clock, *, tenant_slug: str, as_email: str
) -> tuple[Actor, list[Consultation]]:
    async with uows() as uow:
        who = await acting(uow, clock, tenant_slug, as_email)
        seen = who.visible()
        org_wide = bool([g for g in who.org.grants_of(who.member.id, who.now) if g.unit_id is None])
        found = [
            c
            for c in await uow.followup.consultations(who.tenant.id)
            if (c.unit_id in seen) or (c.unit_id is None and org_wide)
        ]
    return who, found
