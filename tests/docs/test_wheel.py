"""The annual wheel on every backend: pulses from the cadence (planned, held, missed),
manual entries, the gaps, and the errors a person gets."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from core.clock import FixedClock
from core.org_import import import_roster
from core.organisation import Role, RoleGrant
from core.ports import UnitOfWorkFactory
from core.roster import parse_roster
from core.wheel import (
    Source,
    Status,
    StoredWheelEntry,
    Wheel,
    WheelKind,
    add_wheel_entry,
    annual_wheel,
    parse_kind,
    remove_wheel_entry,
)
from core.wheel.model import MANUAL_KINDS
from tests.docs.records import follow_up
from tests.flow import TENANT, key_store, open_for, organisation, raises_key, roster_csv, setup_org

UNITS = {"Acme": 3, "Acme/Ops": 9, "Acme/Sales": 7}
YEAR = (date(2026, 1, 1), date(2026, 12, 31))


async def wheel_of(uows: UnitOfWorkFactory, clock: FixedClock) -> Wheel:
    return await annual_wheel(
        uows, clock, tenant_slug=TENANT, start=YEAR[0], end=YEAR[1], timezone="Europe/Oslo"
    )


def gap_keys(wheel: Wheel) -> list[str]:
    return [g.key for g in wheel.gaps]


async def add(
    uows: UnitOfWorkFactory,
    clock: FixedClock,
    kind: WheelKind,
    day: date,
    owner: str = "amu",
    **more: str,
) -> StoredWheelEntry:
    return await add_wheel_entry(
        uows, clock, tenant_slug=TENANT, kind=kind, day=day, owner=owner, **{"actor": "t", **more}
    )


async def test_pulses_follow_the_cadence_held_missed_and_planned(
    uows: UnitOfWorkFactory, clock: FixedClock, tmp_path: Path
) -> None:
    await setup_org(uows, clock, UNITS)
    await open_for(uows, key_store(tmp_path), clock, "2026-W40")
    wheel = await wheel_of(uows, clock)
    pulses = [e for e in wheel.entries if e.kind is WheelKind.PULSE]
    # Weekly on Mondays: the 52 Mondays of 2026, Easter Monday and Whit Monday moved to Tuesday.
    assert len(pulses) == 52
    starts = {p.start for p in pulses}
    assert date(2026, 4, 6) not in starts and date(2026, 4, 7) in starts
    assert date(2026, 5, 25) not in starts and date(2026, 5, 26) in starts
    by_status = {s: [p for p in pulses if p.status is s] for s in Status}
    assert [p.title for p in by_status[Status.HELD]] == ["2026-W40"]
    assert len(by_status[Status.MISSED]) == 45  # Mondays before today (23 Nov) without a round
    assert [p.start for p in by_status[Status.PLANNED]][:2] == [
        date(2026, 11, 23),
        date(2026, 11, 30),
    ]
    assert len(by_status[Status.PLANNED]) == 6
    assert all(p.owner == "hr_admin" and p.unit == "Acme" for p in pulses)
    assert all(p.end > p.start for p in pulses)  # a pulse spans its round window
    assert len({p.uid for p in pulses}) == 52
    assert "wheel.gap.missed_pulses" in gap_keys(wheel)
    assert dict(wheel.gaps[gap_keys(wheel).index("wheel.gap.missed_pulses")].params) == {
        "count": 45
    }


async def test_gaps_close_as_entries_are_added(uows: UnitOfWorkFactory, clock: FixedClock) -> None:
    await setup_org(uows, clock, UNITS)
    clock.set(clock.now().replace(year=2025))  # before the year: no pulse is missed yet
    wheel = await wheel_of(uows, clock)
    assert gap_keys(wheel) == [
        "wheel.gap.no_risk_review",
        "wheel.gap.no_measure_review",
        "wheel.gap.no_safety_round",
        "wheel.gap.no_training",
        "wheel.gap.no_verneombud",
    ]
    for kind in MANUAL_KINDS:
        await add(uows, clock, kind, date(2026, 3, 2))
    org = await organisation(uows)
    async with uows() as uow:
        await uow.organisation.replace_grants(
            org.tenant.id, [RoleGrant(org.members[0].id, Role.VERNEOMBUD, org.units[0].id)]
        )
        await uow.commit()
    wheel = await wheel_of(uows, clock)
    assert gap_keys(wheel) == ["wheel.gap.not_consulted"]
    await follow_up(
        uows, clock, unit="Acme/Ops", assessed_on=date(2026, 2, 2), due_on=date(2026, 4, 1)
    )
    wheel = await wheel_of(uows, clock)
    assert wheel.gaps == ()
    manual = [e for e in wheel.entries if e.source is Source.MANUAL]
    assert {e.kind for e in manual} == set(MANUAL_KINDS)
    assert all(e.owner == "amu" and e.entry_id for e in manual)


async def test_an_organisation_of_fifty_needs_an_amu_meeting(
    uows: UnitOfWorkFactory, clock: FixedClock
) -> None:
    await setup_org(uows, clock, {"Big": 50})
    assert "wheel.gap.no_amu_meeting" in gap_keys(await wheel_of(uows, clock))
    await add(uows, clock, WheelKind.AMU_MEETING, date(2026, 2, 10))
    assert "wheel.gap.no_amu_meeting" not in gap_keys(await wheel_of(uows, clock))


async def test_a_small_organisation_gets_no_pulses_and_is_told_to_map_by_dialogue(
    uows: UnitOfWorkFactory, clock: FixedClock
) -> None:
    await setup_org(uows, clock, {"Tiny": 5})
    wheel = await wheel_of(uows, clock)
    assert not [e for e in wheel.entries if e.kind is WheelKind.PULSE]
    assert gap_keys(wheel)[0] == "wheel.gap.too_small_for_pulses"
    assert dict(wheel.gaps[0].params) == {"k": 6}
    assert "wheel.gap.no_verneombud" not in gap_keys(wheel)  # fewer than 10 people
    await add(uows, clock, WheelKind.SAFETY_ROUND, date(2026, 9, 1), owner="Daglig leder")
    wheel = await wheel_of(uows, clock)
    assert "wheel.gap.too_small_for_pulses" not in gap_keys(wheel)
    assert "wheel.gap.no_safety_round" not in gap_keys(wheel)


async def test_without_a_question_set_no_pulse_is_planned(
    uows: UnitOfWorkFactory, clock: FixedClock
) -> None:
    roster = parse_roster(roster_csv(UNITS), "org.csv")
    await import_roster(uows, clock, roster, tenant_slug=TENANT, actor="t")
    wheel = await wheel_of(uows, clock)
    assert not wheel.entries
    assert gap_keys(wheel)[0] == "wheel.gap.no_question_set"


async def test_entries_are_validated_removed_and_audit_logged(
    uows: UnitOfWorkFactory, clock: FixedClock
) -> None:
    await setup_org(uows, clock, UNITS)
    with raises_key("wheel.pulse_from_cadence"):
        parse_kind("pulse")
    with raises_key("wheel.unknown_kind"):
        parse_kind("party")
    assert parse_kind("Safety-Round") is WheelKind.SAFETY_ROUND
    with raises_key("wheel.owner_missing"):
        await add(uows, clock, WheelKind.TRAINING, date(2026, 1, 5), owner="  ")
    with raises_key("wheel.pulse_from_cadence"):
        await add(uows, clock, WheelKind.PULSE, date(2026, 1, 5))
    with raises_key("unit.not_found"):
        await add(uows, clock, WheelKind.TRAINING, date(2026, 1, 5), unit_path="Acme/Nowhere")
    with raises_key("wheel.range"):
        await annual_wheel(
            uows, clock, tenant_slug=TENANT, start=YEAR[1], end=YEAR[0], timezone="Europe/Oslo"
        )
    stored = await add(
        uows,
        clock,
        WheelKind.TRAINING,
        date(2026, 1, 5),
        owner="HR_Admin",
        title="Opplæring i § 4-3",
        unit_path="Acme/Ops",
        actor="cli:hr",
    )
    assert stored.owner == "hr_admin"  # a role named in any case is stored as the role
    (entry,) = [e for e in (await wheel_of(uows, clock)).entries if e.source is Source.MANUAL]
    assert (entry.unit, entry.title, entry.start) == ("Acme/Ops", "Opplæring i § 4-3", stored.day)
    outside = await annual_wheel(
        uows,
        clock,
        tenant_slug=TENANT,
        start=date(2026, 2, 1),
        end=date(2026, 2, 28),
        timezone="Europe/Oslo",
    )
    assert not [e for e in outside.entries if e.source is Source.MANUAL]
    await remove_wheel_entry(uows, clock, tenant_slug=TENANT, entry_id=stored.id, actor="cli:hr")
    with raises_key("wheel.not_found"):
        await remove_wheel_entry(
            uows, clock, tenant_slug=TENANT, entry_id=stored.id, actor="cli:hr"
        )
    assert not [e for e in (await wheel_of(uows, clock)).entries if e.source is Source.MANUAL]
    async with uows() as uow:
        tenant = await uow.organisation.get_tenant(TENANT)
        assert tenant is not None
        actions = [(e.actor, e.action) for e in await uow.audit.entries(tenant.id)]
    assert actions[-2:] == [("cli:hr", "wheel.add"), ("cli:hr", "wheel.remove")]


@pytest.mark.parametrize("kind", list(MANUAL_KINDS))
def test_every_kind_can_be_named(kind: WheelKind) -> None:
    assert parse_kind(kind.value) is kind


async def test_assessments_and_measures_put_their_reviews_in_the_wheel(
    uows: UnitOfWorkFactory, clock: FixedClock
) -> None:
    await setup_org(uows, clock, UNITS)
    assessment, measure = await follow_up(
        uows, clock, unit="Acme/Ops", assessed_on=date(2026, 2, 2), due_on=date(2026, 4, 1)
    )
    wheel = await wheel_of(uows, clock)
    found = {e.uid: e for e in wheel.entries if e.source in (Source.ASSESSMENT, Source.MEASURE)}
    org = await organisation(uows)
    leader = org.members[0].name
    assert {uid: (e.kind, e.start, e.status, e.owner) for uid, e in found.items()} == {
        f"assessment-{TENANT}-{assessment}@tempcheck": (
            WheelKind.RISK_REVIEW,
            date(2026, 2, 2),
            Status.HELD,
            leader,
        ),
        f"assessment-{TENANT}-{assessment}-review@tempcheck": (
            WheelKind.RISK_REVIEW,
            date(2026, 6, 2),
            Status.PLANNED,
            leader,
        ),
        f"measure-{TENANT}-{measure}-due@tempcheck": (
            WheelKind.MEASURE_REVIEW,
            date(2026, 4, 1),
            Status.PLANNED,
            leader,
        ),
    }
    keys = gap_keys(wheel)
    assert "wheel.gap.no_risk_review" not in keys and "wheel.gap.no_measure_review" not in keys
