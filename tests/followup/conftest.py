"""An organisation with every role, on every backend, for the follow-up tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from core.clock import FixedClock
from core.organisation import Organisation, Role, RoleGrant
from core.ports import UnitOfWorkFactory
from tests.flow import TENANT, organisation, setup_org

UNITS = {"Acme": 2, "Acme/Ops": 9, "Acme/Sales": 8}

#: who → (role, unit path or None); members are the first people of the roster, in order.
PEOPLE = {
    "leader": (Role.LEADER, "Acme/Ops"),
    "verneombud": (Role.VERNEOMBUD, "Acme/Ops"),
    "hovedverneombud": (Role.HOVEDVERNEOMBUD, None),
    "hr": (Role.HR_ADMIN, None),
    "amu": (Role.AMU, None),
    "adviser": (Role.ADVISER, None),
    "sales_vo": (Role.VERNEOMBUD, "Acme/Sales"),
}
ADVISER_DAYS = 30


@dataclass
class Roles:
    uows: UnitOfWorkFactory
    clock: FixedClock
    org: Organisation
    email: dict[str, str]  # who -> e-mail
    ids: dict[str, int]  # who -> member id
    tenant: str = TENANT

    def unit(self, path: str) -> int:
        return self.org.unit_by_path()[path].id


@pytest.fixture
async def roles(uows: UnitOfWorkFactory, clock: FixedClock) -> Roles:
    await setup_org(uows, clock, UNITS)
    org = await organisation(uows)
    by_path = org.unit_by_path()
    ops = [m for m in org.members if m.home_unit_id == by_path["Acme/Ops"].id]
    who = dict(zip([*PEOPLE, "employee"], ops, strict=False))
    until = clock.now() + timedelta(days=ADVISER_DAYS)
    grants = [
        RoleGrant(
            who[name].id,
            role,
            by_path[path].id if path else None,
            until if role is Role.ADVISER else None,
        )
        for name, (role, path) in PEOPLE.items()
    ]
    async with uows() as uow:
        await uow.organisation.replace_grants(org.tenant.id, grants)
        await uow.commit()
    org = await organisation(uows)
    return Roles(
        uows,
        clock,
        org,
        {k: m.email for k, m in who.items()},
        {k: m.id for k, m in who.items()},
    )
