"""Everything the documentation export reads, loaded once in one unit of work.

Results come only from stored, frozen releases (privacy rule 1); the reading is audit-logged
once for the whole export by the caller (``core.documentation.export``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from core.anonymity.release import Release
from core.anonymity.thresholds import Thresholds
from core.followup import Assessment, Consultation, Evidence, Measure
from core.organisation import Organisation
from core.ports import AuditEntry, StoredQuestionSet, UnitOfWork
from core.round_service import tenant_thresholds
from core.rounds import Round, RoundStatus
from core.wheel import Wheel


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    timezone: str
    today: date  # the day of the export, in ``timezone``

    def local_day(self, at: datetime) -> date:
        return at.astimezone(ZoneInfo(self.timezone)).date()

    def holds(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Loaded:
    period: Period
    org: Organisation
    thresholds: Thresholds
    question_sets: Sequence[StoredQuestionSet]
    cadences: Mapping[int, Mapping[str, object]]
    rounds: Sequence[Round]  # opened in the period, oldest first
    #: round id -> (release hash, release): the period's released rounds and those cited as
    #: evidence.
    releases: Mapping[int, tuple[str, Release]]
    evidence: Sequence[Evidence]
    assessments: Sequence[Assessment]
    measures: Sequence[Measure]
    consultations: Sequence[Consultation]
    audit: Sequence[AuditEntry]
    wheel: Wheel

    def unit_path(self, unit_id: int | str | None) -> str | None:
        if unit_id is None:
            return None
        found = self.org.unit_by_id().get(int(unit_id))
        return found.path if found else str(unit_id)

    def set_by_id(self) -> Mapping[int, StoredQuestionSet]:
        return {s.id: s for s in self.question_sets}


async def load(uow: UnitOfWork, tenant_id: int, period: Period, wheel: Wheel) -> Loaded:
    rounds = sorted(
        (
            r
            for r in await uow.rounds.list(tenant_id)
            if period.holds(period.local_day(r.opened_at))
        ),
        key=lambda r: (r.opened_at, r.id),
    )
    evidence = await uow.followup.evidence(tenant_id)
    # Evidence may cite a round outside the period; its release is read too.
    wanted = [r.id for r in rounds if r.status is RoundStatus.RELEASED]
    wanted += sorted({e.round_id for e in evidence if e.round_id is not None} - set(wanted))
    releases: dict[int, tuple[str, Release]] = {}
    for round_id in wanted:
        stored = await uow.rounds.release(round_id)
        if stored is not None:
            releases[round_id] = (stored.hash, Release.from_json(stored.document))
    return Loaded(
        period=period,
        org=await uow.organisation.load(tenant_id),
        thresholds=await tenant_thresholds(uow, tenant_id),
        question_sets=await uow.questions.list_versions(tenant_id),
        cadences=await uow.organisation.cadences(tenant_id),
        rounds=rounds,
        releases=releases,
        evidence=evidence,
        assessments=await uow.followup.assessments(tenant_id),
        measures=await uow.followup.measures(tenant_id),
        consultations=await uow.followup.consultations(tenant_id),
        audit=await uow.audit.entries(tenant_id),
        wheel=wheel,
    )
