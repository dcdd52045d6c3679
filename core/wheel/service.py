"""Use cases of the annual wheel: the wheel of a period (generated and manual entries, with
its gaps), adding and removing manual entries (audit-logged)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from core.cadence import resolve_cadence
from core.cadence.model import Cadence
from core.clock import Clock
from core.errors import NotFound, TempcheckError
from core.followup import ConsultationSubject
from core.organisation import Organisation, Role
from core.ports import UnitOfWorkFactory
from core.question_sets import require_tenant, require_unit
from core.round_service import tenant_thresholds
from core.wheel.followup import followup_entries
from core.wheel.model import (
    ROLE_OWNERS,
    NewWheelEntry,
    Source,
    Status,
    StoredWheelEntry,
    Wheel,
    WheelEntry,
    WheelKind,
    check_text,
)
from core.wheel.plan import OrgFacts, gaps, manual_uid, planned_pulses, sort_key

DEFAULT_SET = "default"


def year_range(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def check_range(start: date, end: date) -> None:
    if end < start:
        raise TempcheckError("wheel.range", start=start.isoformat(), end=end.isoformat())


def _owner(raw: str) -> str:
    """A role's id when the owner names a role (``AMU`` → ``amu``), else the text as given."""
    lowered = raw.strip().lower()
    return lowered if lowered in ROLE_OWNERS else raw.strip()


def _manual(tenant: str, entry: StoredWheelEntry, org: Organisation) -> WheelEntry:
    unit = org.unit_by_id().get(entry.unit_id) if entry.unit_id is not None else None
    return WheelEntry(
        uid=manual_uid(tenant, entry.id),
        kind=entry.kind,
        start=entry.day,
        end=entry.day,
        owner=entry.owner,
        title=entry.title,
        unit=unit.path if unit else None,
        source=Source.MANUAL,
        status=Status.PLANNED,
        entry_id=entry.id,
    )


def _has_verneombud(org: Organisation) -> bool:
    active = {m.id for m in org.active_members()}
    return any(
        g.role in (Role.VERNEOMBUD, Role.HOVEDVERNEOMBUD) and g.member_id in active
        for g in org.grants
    )


async def annual_wheel(
    uows: UnitOfWorkFactory,
    clock: Clock,
    *,
    tenant_slug: str,
    start: date,
    end: date,
    timezone: str,
) -> Wheel:
    """The wheel of ``start..end`` (both included): pulses planned from the organisation's
    cadence (the scheduler opens rounds for the top unit), rounds held, manual entries; and
    what the period lacks."""
    check_range(start, end)
    async with uows() as uow:
        tenant = await require_tenant(uow, tenant_slug)
        org = await uow.organisation.load(tenant.id)
        own = {
            unit: Cadence.from_dict(values)
            for unit, values in (await uow.organisation.cadences(tenant.id)).items()
        }
        thresholds = await tenant_thresholds(uow, tenant.id)
        has_set = await uow.questions.latest(tenant.id, DEFAULT_SET) is not None
        rounds = await uow.rounds.list(tenant.id)
        manual = await uow.wheel.list(tenant.id, start, end)
        assessments = await uow.followup.assessments(tenant.id)
        measures = await uow.followup.measures(tenant.id)
        consultations = await uow.followup.consultations(tenant.id)
    facts = OrgFacts(
        people=len(org.active_members()),
        k_eligible=thresholds.k_eligible,
        has_question_set=has_set,
        has_verneombud=_has_verneombud(org),
        wheel_consulted=any(
            c.subject is ConsultationSubject.ANNUAL_WHEEL and start <= c.consulted_on <= end
            for c in consultations
        ),
    )
    entries = [_manual(tenant.slug, e, org) for e in manual]
    entries += followup_entries(tenant.slug, org, assessments, measures, start, end)
    roots = sorted((u for u in org.units if u.parent_id is None), key=lambda u: u.path)
    if roots:
        root = roots[0]
        entries += planned_pulses(
            resolve_cadence(root.id, own, {u.id: u.parent_id for u in org.units}),
            root,
            tenant=tenant.slug,
            start=start,
            end=end,
            timezone=timezone,
            rounds=rounds,
            today=clock.now().astimezone(ZoneInfo(timezone)).date(),
            plan=has_set and facts.people >= facts.k_eligible,
        )
    entries.sort(key=sort_key)
    return Wheel(tenant.slug, start, end, tuple(entries), gaps(entries, facts))


async def add_wheel_entry(
    uows: UnitOfWorkFactory,
    clock: Clock,
    *,
    tenant_slug: str,
    kind: WheelKind,
    day: date,
    owner: str,
    title: str = "",
    unit_path: str | None = None,
    actor: str,
) -> StoredWheelEntry:
    if kind is WheelKind.PULSE:
        raise TempcheckError("wheel.pulse_from_cadence")
    owner, title = check_text(owner, title)
    async with uows() as uow:
        tenant = await require_tenant(uow, tenant_slug)
        unit_id = None
        if unit_path is not None:
            unit_id = require_unit(await uow.organisation.load(tenant.id), unit_path).id
        stored = await uow.wheel.add(
            NewWheelEntry(
                tenant_id=tenant.id,
                kind=kind,
                day=day,
                owner=_owner(owner),
                title=title,
                unit_id=unit_id,
                created_at=clock.now(),
                created_by=actor,
            )
        )
        await uow.audit.record(
            tenant.id,
            clock.now(),
            actor,
            "wheel.add",
            {
                "id": stored.id,
                "kind": kind.value,
                "day": day.isoformat(),
                "owner": stored.owner,
                "title": title,
                "unit": unit_path,
            },
        )
        await uow.commit()
    return stored


async def remove_wheel_entry(
    uows: UnitOfWorkFactory, clock: Clock, *, tenant_slug: str, entry_id: int, actor: str
) -> StoredWheelEntry:
    async with uows() as uow:
        tenant = await require_tenant(uow, tenant_slug)
        removed = await uow.wheel.remove(tenant.id, entry_id)
        if removed is None:
            raise NotFound("wheel.not_found", id=entry_id)
        await uow.audit.record(
            tenant.id,
            clock.now(),
            actor,
            "wheel.remove",
            {"id": entry_id, "kind": removed.kind.value, "day": removed.day.isoformat()},
        )
        await uow.commit()
    return removed
