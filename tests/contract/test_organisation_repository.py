"""Repository contract: the same tests on the in-memory fake, SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy.exc

from core.clock import FixedClock
from core.organisation import MemberFields, Role, RoleGrant
from core.ports import UnitOfWorkFactory
from tests.fakes.memory import IntegrityError

UNIQUE_VIOLATION = (IntegrityError, sqlalchemy.exc.IntegrityError)


def fields(email: str, unit_id: int, **kw: object) -> MemberFields:
    base: dict[str, object] = {
        "email": email,
        "name": email.split("@")[0].title(),
        "home_unit_id": unit_id,
        "locale": "nb",
        "timezone": "Europe/Oslo",
    }
    base.update(kw)
    return MemberFields(**base)  # type: ignore[arg-type]


async def seed(uows: UnitOfWorkFactory) -> tuple[int, int, int]:
    async with uows() as uow:
        tenant = await uow.organisation.add_tenant("acme", "Acme")
        root = await uow.organisation.add_unit(tenant.id, "Acme", None)
        ops = await uow.organisation.add_unit(tenant.id, "Acme/Ops", root.id)
        await uow.commit()
    return tenant.id, root.id, ops.id


async def test_tenant_round_trip(uows: UnitOfWorkFactory) -> None:
    tenant_id, _, _ = await seed(uows)
    async with uows() as uow:
        tenant = await uow.organisation.get_tenant("acme")
        assert tenant is not None and tenant.id == tenant_id and tenant.name == "Acme"
        assert await uow.organisation.get_tenant("nope") is None
        assert [t.slug for t in await uow.organisation.list_tenants()] == ["acme"]


async def test_units_form_a_tree(uows: UnitOfWorkFactory) -> None:
    tenant_id, root_id, ops_id = await seed(uows)
    async with uows() as uow:
        org = await uow.organisation.load(tenant_id)
    assert [(u.path, u.parent_id) for u in org.units] == [("Acme", None), ("Acme/Ops", root_id)]
    assert org.subtree_ids(root_id) == {root_id, ops_id}
    assert org.unit_by_path()["Acme/Ops"].name == "Ops"


async def test_duplicate_unit_path_is_rejected(uows: UnitOfWorkFactory) -> None:
    tenant_id, root_id, _ = await seed(uows)
    async with uows() as uow:
        with pytest.raises(UNIQUE_VIOLATION):
            await uow.organisation.add_unit(tenant_id, "Acme/Ops", root_id)


async def test_members_add_update_and_load(uows: UnitOfWorkFactory) -> None:
    tenant_id, root_id, ops_id = await seed(uows)
    async with uows() as uow:
        kari = await uow.organisation.add_member(
            tenant_id, fields("kari@acme.no", ops_id, slack_user_id="U123ABC")
        )
        await uow.organisation.update_member(
            kari.id,
            fields(
                "kari@acme.no",
                root_id,
                name="Kari N",
                locale="en",
                active=False,
                teams_aad_id="0f8fad5b-d9cb-469f-a165-70867728950e",
            ),
        )
        await uow.commit()
    async with uows() as uow:
        org = await uow.organisation.load(tenant_id)
    (member,) = org.members
    assert (member.name, member.home_unit_id, member.locale, member.active) == (
        "Kari N",
        root_id,
        "en",
        False,
    )
    assert member.slack_user_id is None
    assert member.teams_aad_id == "0f8fad5b-d9cb-469f-a165-70867728950e"
    assert org.active_members() == ()


@pytest.mark.parametrize("clash", ["email", "slack_user_id"])
async def test_member_identity_is_unique_per_tenant(uows: UnitOfWorkFactory, clash: str) -> None:
    tenant_id, _, ops_id = await seed(uows)
    async with uows() as uow:
        await uow.organisation.add_member(
            tenant_id, fields("a@acme.no", ops_id, slack_user_id="UAAAA1")
        )
        if clash == "email":
            second = fields("a@acme.no", ops_id)
        else:
            second = fields("b@acme.no", ops_id, slack_user_id="UAAAA1")
        with pytest.raises(UNIQUE_VIOLATION):
            await uow.organisation.add_member(tenant_id, second)


async def test_replace_grants_replaces_all(uows: UnitOfWorkFactory) -> None:
    tenant_id, root_id, ops_id = await seed(uows)
    async with uows() as uow:
        a = await uow.organisation.add_member(tenant_id, fields("a@acme.no", ops_id))
        b = await uow.organisation.add_member(tenant_id, fields("b@acme.no", ops_id))
        await uow.organisation.replace_grants(
            tenant_id, [RoleGrant(a.id, Role.LEADER, ops_id), RoleGrant(b.id, Role.HR_ADMIN)]
        )
        await uow.organisation.replace_grants(
            tenant_id, [RoleGrant(b.id, Role.VERNEOMBUD, root_id), RoleGrant(b.id, Role.AMU)]
        )
        await uow.commit()
    async with uows() as uow:
        org = await uow.organisation.load(tenant_id)
    assert set(org.grants) == {RoleGrant(b.id, Role.VERNEOMBUD, root_id), RoleGrant(b.id, Role.AMU)}
    assert org.grants_of(a.id) == ()


async def test_leaving_without_commit_rolls_back(uows: UnitOfWorkFactory) -> None:
    tenant_id, _, ops_id = await seed(uows)
    async with uows() as uow:
        await uow.organisation.add_member(tenant_id, fields("a@acme.no", ops_id))
    async with uows() as uow:
        await uow.organisation.add_member(tenant_id, fields("b@acme.no", ops_id))
        await uow.rollback()
        await uow.organisation.add_member(tenant_id, fields("c@acme.no", ops_id))
        await uow.commit()
    async with uows() as uow:
        org = await uow.organisation.load(tenant_id)
    assert [m.email for m in org.members] == ["c@acme.no"]


async def test_error_inside_unit_of_work_writes_nothing(uows: UnitOfWorkFactory) -> None:
    tenant_id, _, ops_id = await seed(uows)
    with pytest.raises(RuntimeError):
        async with uows() as uow:
            await uow.organisation.add_member(tenant_id, fields("a@acme.no", ops_id))
            raise RuntimeError("boom")
    async with uows() as uow:
        assert (await uow.organisation.load(tenant_id)).members == ()


async def test_audit_log_keeps_entries_in_order(uows: UnitOfWorkFactory, clock) -> None:  # type: ignore[no-untyped-def]
    tenant_id, _, _ = await seed(uows)
    async with uows() as uow:
        await uow.audit.record(tenant_id, clock.now(), "cli:hr", "org.import", {"rows": 3})
        await uow.audit.record(None, clock.now(), "cli:ops", "db.upgrade", {})
        await uow.audit.record(tenant_id, clock.now(), "cli:hr", "questions.import", {"v": 1})
        await uow.commit()
    async with uows() as uow:
        entries = await uow.audit.entries(tenant_id)
    assert [(e.action, e.detail) for e in entries] == [
        ("org.import", {"rows": 3}),
        ("questions.import", {"v": 1}),
    ]
    assert entries[0].at == clock.now()


async def test_slack_team_member_lookup_and_contact_requests(
    uows: UnitOfWorkFactory, clock: FixedClock
) -> None:
    tenant_id, _, ops_id = await seed(uows)
    async with uows() as uow:
        member = await uow.organisation.add_member(
            tenant_id, fields("a@acme.no", ops_id, slack_user_id="UAAA1")
        )
        await uow.organisation.link_slack_team(tenant_id, "T0001")
        request_id = await uow.organisation.add_contact_request(tenant_id, member.id, clock.now())
        await uow.commit()
    async with uows() as uow:
        tenant = await uow.organisation.tenant_for_slack_team("T0001")
        assert tenant is not None and tenant.id == tenant_id
        assert await uow.organisation.tenant_for_slack_team("T9999") is None
        found = await uow.organisation.member_by_slack_id(tenant_id, "UAAA1")
        assert found is not None and found.id == member.id
        assert await uow.organisation.member_by_slack_id(tenant_id, "UNOPE") is None
        (request,) = await uow.organisation.contact_requests(tenant_id)
    assert (request.id, request.member_id, request.status) == (request_id, member.id, "open")
    assert request.created_at == clock.now()
