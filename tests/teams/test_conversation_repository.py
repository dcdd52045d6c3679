"""The conversation-reference repository and the Teams lookups, as a contract: the same
assertions on the in-memory fake, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.organisation import MemberFields
from core.ports import UnitOfWorkFactory

AAD = "0F8FAD5B-D9CB-469F-A165-70867728950E"
T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
REFERENCE = {
    "serviceUrl": "https://smba.trafficmanager.net/emea/",
    "conversation": {"id": "a:1", "conversationType": "personal"},
}


async def test_save_refresh_get_and_reachable(uows: UnitOfWorkFactory) -> None:
    async with uows() as uow:
        tenant = await uow.organisation.add_tenant("acme", "Acme")
        other = await uow.organisation.add_tenant("other", "Other")
        assert await uow.conversations.save(tenant.id, AAD, REFERENCE, T0) is True
        await uow.commit()
    async with uows() as uow:
        stored = await uow.conversations.get(tenant.id, AAD.lower())
        assert stored is not None
        assert stored.reference == REFERENCE and stored.updated_at == T0
        assert stored.aad_object_id == AAD.lower()
        assert await uow.conversations.get(other.id, AAD) is None
        # The same reference again changes nothing.
        assert await uow.conversations.save(tenant.id, AAD, REFERENCE, T0 + timedelta(1)) is False
        moved = {**REFERENCE, "serviceUrl": "https://smba.trafficmanager.net/amer/"}
        assert await uow.conversations.save(tenant.id, AAD, moved, T0 + timedelta(2)) is True
        await uow.commit()
    async with uows() as uow:
        stored = await uow.conversations.get(tenant.id, AAD)
        assert stored is not None and stored.reference == moved
        assert stored.updated_at == T0 + timedelta(2)
        assert await uow.conversations.reachable(tenant.id) == frozenset({AAD.lower()})
        assert await uow.conversations.reachable(other.id) == frozenset()


async def test_teams_tenant_link_and_member_lookup(uows: UnitOfWorkFactory) -> None:
    async with uows() as uow:
        tenant = await uow.organisation.add_tenant("acme", "Acme")
        unit = await uow.organisation.add_unit(tenant.id, "Acme", None)
        member = await uow.organisation.add_member(
            tenant.id,
            MemberFields(
                "a@acme.no", "Ada", unit.id, "nb", "Europe/Oslo", teams_aad_id=AAD.lower()
            ),
        )
        assert await uow.organisation.tenant_for_teams_tenant("72F988BF-0000") is None
        await uow.organisation.link_teams_tenant(tenant.id, "72F988BF-0000")
        await uow.commit()
    async with uows() as uow:
        linked = await uow.organisation.tenant_for_teams_tenant("72f988bf-0000")
        assert linked is not None and linked.id == tenant.id
        assert linked.teams_tenant_id == "72f988bf-0000"
        found = await uow.organisation.member_by_teams_id(tenant.id, AAD)
        assert found is not None and found.id == member.id
        assert await uow.organisation.member_by_teams_id(tenant.id, "nobody") is None
