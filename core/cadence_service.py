"""Use cases for cadences: show the effective cadence per unit, set or clear a unit's own,
and plan a unit's next rounds (dates and items) without opening anything."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from core.cadence import (
    Cadence,
    CadenceRoot,
    RoundTimes,
    Schedule,
    cadence_schedule,
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
from core.rotation import PlannedRound, plan_round, with_factors
from core.round_service import tenant_thresholds

if TYPE_CHECKING:
    from core.measures import FollowUp


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
    #: Factors the plan asks because of a measure's follow-up (not in the plain rotation).
    follow_up: frozenset[str] = frozenset()


@dataclass(frozen=True)
class UnitPlan:
    effective: EffectiveCadence
    question_set: StoredQuestionSet
    pulses: tuple[PlannedPulse, ...]
    #: The cadence root whose rounds ask this unit's people (the unit itself, or a unit
    #: above it); its rounds leave out ``root.carved_out``. ``root.skip``: no rounds open.
    root: CadenceRoot
    k_eligible: int

    @property
    def skip_params(self) -> dict[str, object]:
        return {"unit": self.root.unit.path, "eligible": self.root.eligible, "k": self.k_eligible}


def _parents(org: Organisation) -> dict[int, int | None]:
    return {u.id: u.parent_id for u in org.units}


async def _own_cadences(uow: UnitOfWork, tenant_id: int) -> dict[int, Cadence]:
    stored = await uow.organisation.cadences(tenant_id)
    return {unit_id: Cadence.from_dict(settings) for unit_id, settings in stored.items()}


async def load_schedule(uow: UnitOfWork, org: Organisation) -> Schedule:
    """The tenant's cadence roots as the sweep will run them (with today's thresholds)."""
    own = await _own_cadences(uow, org.tenant.id)
    thresholds = await tenant_thresholds(uow, org.tenant.id)
    return cadence_schedule(org, own, thresholds.k_eligible)


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
    """The rounds that will ask the unit's people, opening in the ``weeks`` weeks from
    ``from_day``: the rounds of its cadence root, as the sweep will open them — period,
    window (in the organisation's ``timezone``) and the items the rotation will ask. A
    skipped root (too small to run alone) has no pulses. Opens nothing."""
    plans = await _plans(uows, tenant_slug, unit_path, from_day, weeks, timezone, set_key)
    return plans[0]


async def plan_tenant(
    uows: UnitOfWorkFactory,
    *,
    tenant_slug: str,
    from_day: date,
    weeks: int,
    timezone: str,
    set_key: str = "default",
) -> list[UnitPlan]:
    """``plan_unit`` for every cadence root of the tenant: every round the sweep will open."""
    return await _plans(uows, tenant_slug, None, from_day, weeks, timezone, set_key)


async def _plans(
    uows: UnitOfWorkFactory,
    tenant_slug: str,
    unit_path: str | None,
    from_day: date,
    weeks: int,
    timezone: str,
    set_key: str,
) -> list[UnitPlan]:
    async with uows() as uow:
        tenant = await require_tenant(uow, tenant_slug)
        org = await uow.organisation.load(tenant.id)
        own = await _own_cadences(uow, tenant.id)
        if unit_path is not None:
            unit = _unit(org, unit_path)
        stored = await uow.questions.latest(tenant.id, set_key)
        if stored is None:
            raise NotFound("question_set.not_stored", key=set_key, version="-")
        schedule = await load_schedule(uow, org)
        if unit_path is not None:
            wanted = [(unit, schedule.root_for(unit.id))]
        else:
            wanted = [(root.unit, root) for root in schedule.roots]
        rounds = await uow.rounds.list(tenant.id)
        counts = {root.unit.id: await uow.rounds.count_for_unit(root.unit.id) for _, root in wanted}
        # (Imported here: core.measures imports the round service, which this module uses.)
        from core.measures import follow_up

        follow_ups = {
            root.unit.id: await follow_up(uow, tenant.id, root.unit.id, covering=root.units)
            for _, root in wanted
        }
    plans = []
    for unit, root in wanted:
        existing = {r.period: r.id for r in rounds if r.unit_id == root.unit.id}
        pulses = (
            _pulses(
                root.cadence,
                stored,
                counts[root.unit.id],
                existing,
                from_day,
                weeks,
                timezone,
                follow_ups[root.unit.id],
            )
            if root.runs
            else ()
        )
        plans.append(
            UnitPlan(_effective(org, own, unit), stored, pulses, root, schedule.k_eligible)
        )
    return plans


def _pulses(
    cadence: Cadence,
    stored: StoredQuestionSet,
    index: int,
    existing: Mapping[str, int],
    today: date,
    weeks: int,
    timezone: str,
    follow_up: FollowUp,
) -> tuple[PlannedPulse, ...]:
    """The rounds from ``today``, each with the items the sweep will ask: the rotation, with
    the follow-up factors due by its open day (measures completed, or past their follow-up
    date, by then) until each has been asked in enough rounds, the planned ones included."""
    qs = stored.question_set
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
        opens = times.opens_at.date()  # as the sweep will open it (UTC, like opened_at)
        plain = plan_round(qs, index)
        planned = with_factors(qs, plain, follow_up.required(opens))
        asked = {qs.item(i).factor for i in planned.items}
        follow_up.asked(opens, asked)
        added = frozenset(asked - {qs.item(i).factor for i in plain.items})
        pulses.append(PlannedPulse(period, open_day, times, planned, None, added))
        index += 1
    return tuple(pulses)
