"""A released round of a small organisation with leaders, on every backend."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from core.clock import FixedClock
from core.keys import KeyStore
from core.organisation import Organisation, Role, RoleGrant
from core.ports import UnitOfWorkFactory
from core.round_service import close_round, release_round
from core.rounds import Round
from tests.flow import advance, answer_all, key_store, open_for, organisation, setup_org

UNITS = {"Acme": 2, "Acme/Ops": 9, "Acme/Sales": 8}


@dataclass
class Released:
    uows: UnitOfWorkFactory
    clock: FixedClock
    keys: KeyStore
    org: Organisation
    round: Round


async def release_one(
    uows: UnitOfWorkFactory, clock: FixedClock, keys: KeyStore, period: str, value: int = 4
) -> Round:
    opened = await open_for(uows, keys, clock, period)
    org = await organisation(uows)
    await answer_all(uows, keys, clock, opened.round, org.active_members(), value)
    advance(clock, days=6)
    await close_round(uows, clock, opened.round.id, actor="t")
    advance(clock, days=1)
    await release_round(uows, clock, opened.round.id, actor="t")
    return opened.round


@pytest.fixture
async def released(uows: UnitOfWorkFactory, clock: FixedClock, tmp_path: Path) -> Released:
    await setup_org(uows, clock, UNITS)
    org = await organisation(uows)
    by_path = org.unit_by_path()
    first = {m.home_unit_id: m.id for m in reversed(org.members)}
    async with uows() as uow:
        await uow.organisation.replace_grants(
            org.tenant.id,
            [
                RoleGrant(first[by_path["Acme"].id], Role.LEADER, by_path["Acme"].id),
                RoleGrant(first[by_path["Acme/Ops"].id], Role.LEADER, by_path["Acme/Ops"].id),
            ],
        )
        await uow.commit()
    keys = key_store(tmp_path)
    found = await release_one(uows, clock, keys, "2026-W40")
    return Released(uows, clock, keys, await organisation(uows), found)
