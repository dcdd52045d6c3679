"""Question set versions: the same contract on the fake, SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from core.clock import FixedClock
from core.ports import UnitOfWorkFactory
from core.questions import content_hash, load_default_bank


async def test_versions_increase_and_keep_their_content(
    uows: UnitOfWorkFactory, clock: FixedClock
) -> None:
    bank = load_default_bank()
    edited = replace(bank, title={"nb": "Vår puls", "en": "Our pulse"})
    async with uows() as uow:
        tenant = await uow.organisation.add_tenant("acme", "Acme")
        first = await uow.questions.add_version(tenant.id, bank, content_hash(bank), clock.now())
        second = await uow.questions.add_version(
            tenant.id, edited, content_hash(edited), clock.now() + timedelta(days=1)
        )
        await uow.commit()
    assert (first.version, second.version) == (1, 2)
    async with uows() as uow:
        latest = await uow.questions.latest(tenant.id, bank.key)
        old = await uow.questions.get(tenant.id, bank.key, 1)
        missing = await uow.questions.get(tenant.id, bank.key, 3)
        listed = await uow.questions.list_versions(tenant.id)
    assert latest is not None and latest.version == 2
    assert latest.question_set == edited and latest.content_hash == content_hash(edited)
    assert latest.created_at == clock.now() + timedelta(days=1)
    assert old is not None and old.question_set == bank
    assert missing is None
    assert [(s.key, s.version) for s in listed] == [(bank.key, 1), (bank.key, 2)]


async def test_every_item_of_a_version_has_its_own_row(
    uows: UnitOfWorkFactory, clock: FixedClock
) -> None:
    bank = load_default_bank()
    async with uows() as uow:
        tenant = await uow.organisation.add_tenant("acme", "Acme")
        one = await uow.questions.add_version(tenant.id, bank, content_hash(bank), clock.now())
        two = await uow.questions.add_version(tenant.id, bank, content_hash(bank), clock.now())
        await uow.commit()
    assert set(one.item_ids) == {item.id for item in bank.items}
    # An answer points at the item row of the version that was asked: rows are not shared.
    assert set(one.item_ids.values()).isdisjoint(two.item_ids.values())


async def test_versions_are_per_tenant_and_key(uows: UnitOfWorkFactory, clock: FixedClock) -> None:
    bank = load_default_bank()
    other_key = replace(bank, key="short")
    async with uows() as uow:
        a = await uow.organisation.add_tenant("a", "A")
        b = await uow.organisation.add_tenant("b", "B")
        await uow.questions.add_version(a.id, bank, content_hash(bank), clock.now())
        short = await uow.questions.add_version(
            a.id, other_key, content_hash(other_key), clock.now()
        )
        in_b = await uow.questions.add_version(b.id, bank, content_hash(bank), clock.now())
        await uow.commit()
    assert (short.version, in_b.version) == (1, 1)
    async with uows() as uow:
        assert await uow.questions.latest(b.id, "short") is None
