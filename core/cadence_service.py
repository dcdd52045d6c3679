"""Use cases for cadences: show the effective cadence per unit, set or clear a unit's own,
and plan a unit's next rounds (dates and items) without opening anything."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from core.cadence import (
    Cadence,
    RoundTimes,
    cadence_source,
    period_label,
    period_starts,
    resolve_cadence,
    round_schedule,
)
from core.clock import Clock
from core.errors import NotFound
from core.organisation import Organisation, Unit
from core.ports import StoredQuestionSet, UnitOfWork, UnitOfWorkFactory
from core.question_sets import require_tenant
from core.rotation import PlannedRound, plan_round


@dataclass(frozen=True)
class EffectiveCadence:
    unit: Unit
    cadence: Cadence
    source: Unit | None  # the unit it is set on (``unit`` itself: its own); None: the default

    @property
    def own(self) -> bool:
        return self.source is not None and self.source.id == self.unit.id


@dataclass(frozen=True)
class PlannedPulse:
    period: str
    open_day: date
    times: RoundTimes
    plan: PlannedRound | None  # None: the period already has a round
    existing_round: int | None


@dataclass(frozen=True)
class UnitPlan:
    effective: EffectiveCadence
    question_set: StoredQuestionSet
    pulses: tuple[PlannedPulse, ...]


def _parents(org: Organisation) -> dict[int, int | None]:
    return {u.id: u.parent_id for u in org.units}


async def _own_cadences(uow: UnitOfWork, tenant_id: int) -> dict[int, Cadence]:
    stored = await uow.organisation.cadences(tenant_id)
    return {unit_id: Cadence.from_dict(settings) for unit_id, settings in stored.items()}


def _effective(org: Organisation, own: Mapping[int, Cadence], unit: Unit) -> EffectiveCadence:
    parents = _parents(org)
    source = cadence_source(unit.id, own, parents)
    by_id = org.unit_by_id()
    return EffectiveCadence(
        unit,
        resolve_cadence(unit.id, own, parents),
        by_id[source] if source is not None else None,
    )


def _unit(org: Organisation, path: str) -> Unit:
    unit = org.unit_by_path().get(path)
    if unit is None:
        raise NotFound("unit.not_found", unit=path)
    return unit


async def effective_cadences(
    uows: UnitOfWorkFactory, *, tenant_slug: str, unit_path: str | None = None
) -> list[EffectiveCadence]:
    """Every unit's cadence (or one unit's), with where it is inherited from."""
    async with uows() as uow:
        tenant = await require_tenant(uow, tenant_slug)
        org = await uow.organisation.load(tenant.id)
        own = await _own_cadences(uow, tenant.id)
    units = [_unit(org, unit_path)] if unit_path is not None else list(org.units)
    return [_effective(org, own, u) for u in sorted(units, key=lambda u: u.path)]


async def set_unit_cadence(
    uows: UnitOfWorkFactory,
    clock: Clock,
    *,
    tenant_slug: str,
    unit_path: str,
    changes: Mapping[str, object],
    actor: str,
    add_holidays: Collection[date] = (),
    remove_holidays: Collection[date] = (),
) -> EffectiveCadence:
    """Give a unit its own cadence: the one it follows now with ``changes`` applied (in
    ``Cadence.to_dict`` form) and extra holidays added or removed. Its sub-units without a
    cadence of their own follow it from now on. Validated as a whole; audit-logged."""
    async with uows() as uow:
        tenant = await require_tenant(uow, tenant_slug)
        org = await uow.organisation.load(tenant.id)
        unit = _unit(org, unit_path)
        own = await _own_cadences(uow, tenant.id)
        current = resolve_cadence(unit.id, own, _parents(org))
        holidays = (set(current.extra_holidays) | set(add_holidays)) - set(remove_holidays)
        cadence = current.with_changes(
            {**changes, "extra_holidays": [d.isoformat() for d in sorted(holidays)]}
        )
        await uow.organisation.set_cadence(tenant.id, unit.id, cadence.to_dict())
        await uow.audit.record(
            tenant.id,
            clock.now(),
            actor,
            "cadence.set",
            {
                "unit": unit.path,
                "before": own[unit.id].to_dict() if unit.id in own else None,
                "settings": cadence.to_dict(),
            },
        )
        await uow.commit()
    return EffectiveCadence(unit, cadence, unit)


async def clear_unit_cadence(
    uows: UnitOfWorkFactory, clock: Clock, *, tenant_slug: str, unit_path: str, actor: str
) -> tuple[bool, EffectiveCadence]:
    """Remove a unit's own cadence so it inherits again; (whether it had one, the result)."""
    async with uows() as uow:
        tenant = await require_tenant(uow, tenant_slug)
        org = await uow.organisation.load(tenant.id)
        unit = _unit(org, unit_path)
        own = await _own_cadences(uow, tenant.id)
        had = unit.id in own
        if had:
            await uow.organisation.set_cadence(tenant.id, unit.id, None)
            await uow.audit.record(
                tenant.id, clock.now(), actor, "cadence.clear", {"unit": unit.path}
            )
            await uow.commit()
            del own[unit.id]
    return had, _effective(org, own, unit)


async def plan_unit(
    uows: UnitOfWorkFactory,
    *,
    tenant_slug: str,
    unit_path: str,
    from_day: date,
    weeks: int,
    timezone: str,
    set_key: str = "default",
) -> UnitPlan:
    """The unit's rounds opening in the ``weeks`` weeks from ``from_day``: period, window
    (in the organisation's ``timezone``) and the items the rotation will ask. Opens nothing."""
    today = from_day
    async with uows() as uow:
        tenant = await require_tenant(uow, tenant_slug)
        org = await uow.organisation.load(tenant.id)
        unit = _unit(org, unit_path)
        effective = _effective(org, await _own_cadences(uow, tenant.id), unit)
        stored = await uow.questions.latest(tenant.id, set_key)
        if stored is None:
            raise NotFound("question_set.not_stored", key=set_key, version="-")
        index = await uow.rounds.count_for_unit(unit.id)
        existing = {
            r.period: r.id for r in await uow.rounds.list(tenant.id) if r.unit_id == unit.id
        }
    cadence = effective.cadence
    end = today + timedelta(weeks=weeks)
    pulses: list[PlannedPulse] = []
    for open_day in period_starts(cadence, today, weeks + 1):
        if open_day >= end:
            break
        period = period_label(open_day, cadence)
        times = round_schedule(cadence, open_day, timezone)
        if period in existing:
            pulses.append(PlannedPulse(period, open_day, times, None, existing[period]))
            continue
        pulses.append(
            PlannedPulse(period, open_day, times, plan_round(stored.question_set, index), None)
        )
        index += 1
    return UnitPlan(effective, stored, tuple(pulses))
