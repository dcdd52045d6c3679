"""Repository contract for units' own cadences: fake, SQLite and PostgreSQL alike."""

from __future__ import annotations

from core.cadence import Cadence
from core.ports import UnitOfWorkFactory


async def seed(uows: UnitOfWorkFactory) -> tuple[int, int, int, int]:
    async with uows() as uow:
        acme = await uow.organisation.add_tenant("acme", "Acme")
        other = await uow.organisation.add_tenant("other", "Other")
        root = await uow.organisation.add_unit(acme.id, "Acme", None)
        ops = await uow.organisation.add_unit(acme.id, "Acme/Ops", root.id)
        await uow.organisation.add_unit(other.id, "Other", None)
        await uow.commit()
    return acme.id, other.id, root.id, ops.id


async def test_set_replace_and_remove_a_units_cadence(uows: UnitOfWorkFactory) -> None:
    acme, other, root, ops = await seed(uows)
    monthly = Cadence(frequency="monthly", round_days=10, reminder_days=(3, 7)).to_dict()
    async with uows() as uow:
        assert await uow.organisation.cadences(acme) == {}
        await uow.organisation.set_cadence(acme, ops, monthly)
        await uow.organisation.set_cadence(acme, root, Cadence().to_dict())
        await uow.commit()
    async with uows() as uow:
        stored = await uow.organisation.cadences(acme)
        assert set(stored) == {root, ops}
        assert Cadence.from_dict(stored[ops]) == Cadence.from_dict(monthly)
        assert await uow.organisation.cadences(other) == {}
        await uow.organisation.set_cadence(acme, ops, Cadence(weekday=3).to_dict())
        await uow.organisation.set_cadence(acme, root, None)
        await uow.organisation.set_cadence(acme, root, None)  # removing twice is harmless
        await uow.commit()
    async with uows() as uow:
        stored = await uow.organisation.cadences(acme)
        assert list(stored) == [ops]
        assert Cadence.from_dict(stored[ops]).weekday == 3


async def test_cadence_changes_roll_back_without_commit(uows: UnitOfWorkFactory) -> None:
    acme, _, _, ops = await seed(uows)
    async with uows() as uow:
        await uow.organisation.set_cadence(acme, ops, Cadence(weekday=1).to_dict())
    async with uows() as uow:
        assert await uow.organisation.cadences(acme) == {}
        await uow.organisation.set_cadence(acme, ops, Cadence(weekday=1).to_dict())
        await uow.commit()
    async with uows() as uow:
        await uow.organisation.set_cadence(acme, ops, None)
        await uow.rollback()
    async with uows() as uow:
        assert list(await uow.organisation.cadences(acme)) == [ops]


async def test_returned_settings_are_a_copy(uows: UnitOfWorkFactory) -> None:
    acme, _, _, ops = await seed(uows)
    settings = Cadence().to_dict()
    async with uows() as uow:
        await uow.organisation.set_cadence(acme, ops, settings)
        await uow.commit()
    settings["weekday"] = 6
    async with uows() as uow:
        stored = await uow.organisation.cadences(acme)
        assert stored[ops]["weekday"] == 0
