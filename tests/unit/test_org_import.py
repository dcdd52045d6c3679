"""Roster import on every storage backend: idempotent, deactivates instead of deleting,
all or nothing, dry run writes nothing."""

from __future__ import annotations

from core.clock import FixedClock
from core.org_import import import_roster
from core.organisation import Organisation, Role
from core.ports import UnitOfWorkFactory
from core.roster import parse_roster

HEADER = "email,name,unit,leader_of,roles,verneombud_for,slack_user_id\n"
FIRST = HEADER + (
    "boss@acme.no,Boss,Acme,Acme,amu,,\n"
    "hr@acme.no,Hanne HR,Acme,,hr_admin,,\n"
    "lead@acme.no,Lea Lead,Acme/Ops,Acme/Ops,,,UAAA111\n"
    "vo@acme.no,Vera Vern,Acme/Ops/Lager,,,Acme/Ops,UBBB222\n"
    "a@acme.no,Anna,Acme/Ops/Lager,,,,\n"
)


async def run(uows: UnitOfWorkFactory, clock: FixedClock, text: str, dry_run: bool = False):  # type: ignore[no-untyped-def]
    return await import_roster(
        uows,
        clock,
        parse_roster(text, "org.csv"),
        tenant_slug="acme",
        actor="test",
        dry_run=dry_run,
    )


async def load(uows: UnitOfWorkFactory) -> Organisation:
    async with uows() as uow:
        tenant = await uow.organisation.get_tenant("acme")
        assert tenant is not None
        return await uow.organisation.load(tenant.id)


async def test_first_import_builds_the_organisation(
    uows: UnitOfWorkFactory, clock: FixedClock
) -> None:
    summary = await run(uows, clock, FIRST)
    assert (summary.units_created, summary.members_created, summary.role_grants) == (3, 5, 5)
    org = await load(uows)
    assert org.tenant.name == "Acme"
    assert [u.path for u in org.units] == ["Acme", "Acme/Ops", "Acme/Ops/Lager"]
    units = org.unit_by_path()
    by_email = {m.email: m for m in org.members}
    assert by_email["a@acme.no"].home_unit_id == units["Acme/Ops/Lager"].id
    grants = {
        (by_email_id, g.role, g.unit_id)
        for g in org.grants
        for by_email_id in [next(e for e, m in by_email.items() if m.id == g.member_id)]
    }
    assert grants == {
        ("boss@acme.no", Role.LEADER, units["Acme"].id),
        ("boss@acme.no", Role.AMU, None),
        ("hr@acme.no", Role.HR_ADMIN, None),
        ("lead@acme.no", Role.LEADER, units["Acme/Ops"].id),
        ("vo@acme.no", Role.VERNEOMBUD, units["Acme/Ops"].id),
    }
    assert org.subtree_counts()[units["Acme"].id] == 5
    async with uows() as uow:
        (entry,) = await uow.audit.entries(org.tenant.id)
    assert (entry.action, entry.actor, entry.detail["members_created"]) == ("org.import", "test", 5)


async def test_reimport_is_idempotent(uows: UnitOfWorkFactory, clock: FixedClock) -> None:
    await run(uows, clock, FIRST)
    before = await load(uows)
    again = await run(uows, clock, FIRST)
    assert (again.units_created, again.members_created, again.members_updated) == (0, 0, 0)
    assert (again.members_unchanged, again.members_deactivated) == (5, 0)
    assert await load(uows) == before


async def test_missing_people_are_deactivated_not_deleted(
    uows: UnitOfWorkFactory, clock: FixedClock
) -> None:
    await run(uows, clock, FIRST)
    moved = FIRST.replace("a@acme.no,Anna,Acme/Ops/Lager", "a@acme.no,Anna,Acme/Ops/Pakk")
    without_hr = "\n".join(line for line in moved.splitlines() if not line.startswith("hr@")) + "\n"
    summary = await run(uows, clock, without_hr)
    assert (summary.members_deactivated, summary.members_updated, summary.units_created) == (
        1,
        1,
        1,
    )
    org = await load(uows)
    hr = next(m for m in org.members if m.email == "hr@acme.no")
    assert not hr.active
    assert all(g.role is not Role.HR_ADMIN for g in org.grants)
    back = await run(uows, clock, FIRST)
    assert (back.members_reactivated, back.members_deactivated) == (1, 0)
    assert next(m for m in (await load(uows)).members if m.email == "hr@acme.no").active


async def test_dry_run_writes_nothing_and_reports_the_same(
    uows: UnitOfWorkFactory, clock: FixedClock
) -> None:
    dry = await run(uows, clock, FIRST, dry_run=True)
    async with uows() as uow:
        assert await uow.organisation.get_tenant("acme") is None
    real = await run(uows, clock, FIRST)
    assert dry.dry_run and not real.dry_run
    assert dry.__dict__ | {"dry_run": False} == real.__dict__


async def test_changed_email_frees_the_platform_id(
    uows: UnitOfWorkFactory, clock: FixedClock
) -> None:
    await run(uows, clock, FIRST)
    renamed = FIRST.replace("lead@acme.no", "lea.lead@acme.no")
    summary = await run(uows, clock, renamed)
    assert (summary.members_created, summary.members_deactivated) == (1, 1)
    org = await load(uows)
    old = next(m for m in org.members if m.email == "lead@acme.no")
    new = next(m for m in org.members if m.email == "lea.lead@acme.no")
    assert (old.active, old.slack_user_id) == (False, None)
    assert (new.active, new.slack_user_id) == (True, "UAAA111")
