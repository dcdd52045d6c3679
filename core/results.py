"""What a person may see of the latest release, by role scope (privacy rule 14).

Everything here reads a frozen release through the audit-logged read; nothing is computed
from answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.anonymity.release import CellRelease
from core.anonymity.view import view_for
from core.clock import Clock
from core.organisation import Organisation, Role
from core.ports import UnitOfWorkFactory
from core.round_service import read_release
from core.rounds import Round, RoundStatus

#: Roles that see the whole organisation, including sensitive prevalence.
ORG_ROLES = frozenset({Role.HR_ADMIN, Role.HOVEDVERNEOMBUD, Role.AMU, Role.ADVISER})


@dataclass(frozen=True)
class ScopedResults:
    round: Round
    cells: tuple[CellRelease, ...]
    unit_paths: dict[str, str]  # unit id (as in the release) -> path


def scope_of(org: Organisation, member_id: int) -> tuple[frozenset[str] | None, bool] | None:
    """(units the member may see or None for all, sensitive allowed) or None: no scope."""
    grants = org.grants_of(member_id)
    if any(g.role in ORG_ROLES for g in grants):
        return None, True
    units: set[int] = set()
    sensitive = False
    for grant in grants:
        if grant.unit_id is not None and grant.role in (Role.LEADER, Role.VERNEOMBUD):
            units |= org.subtree_ids(grant.unit_id)
            sensitive = sensitive or grant.role is Role.VERNEOMBUD
    if not units:
        return None
    return frozenset(str(u) for u in units), sensitive


async def latest_results_for(
    uows: UnitOfWorkFactory, clock: Clock, tenant_id: int, member_id: int, *, purpose: str
) -> ScopedResults | None:
    async with uows() as uow:
        org = await uow.organisation.load(tenant_id)
        released = [r for r in await uow.rounds.list(tenant_id) if r.status is RoundStatus.RELEASED]
        snapshot = await uow.rounds.members(released[-1].id) if released else []
    scope = scope_of(org, member_id)
    if scope is None or not released:
        return None
    latest = released[-1]
    units, sensitive = scope
    release = await read_release(
        uows, clock, latest.id, viewer=f"member:{member_id}", purpose=purpose
    )
    own = frozenset(str(m.answer_unit_id) for m in snapshot if m.member_id == member_id)
    cells = view_for(release, own, units, sensitive_allowed=sensitive)
    return ScopedResults(latest, cells, {str(u.id): u.path for u in org.units})


async def open_round_for_member(
    uows: UnitOfWorkFactory, clock: Clock, tenant_id: int, member_id: int
) -> Round | None:
    async with uows() as uow:
        for found in await uow.rounds.list(tenant_id):
            if not found.accepts_answers(clock.now()):
                continue
            if any(m.member_id == member_id for m in await uow.rounds.members(found.id)):
                return found
    return None
