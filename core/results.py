"""What a person may see of the latest release, by role scope (privacy rule 14).

Everything here reads a frozen release through the audit-logged read; nothing is computed
from answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.anonymity.release import CellRelease, ParticipationRelease, Release
from core.anonymity.suppression import TOO_FEW_RESPONDENTS
from core.clock import Clock
from core.organisation import Organisation, Role
from core.ports import UnitOfWorkFactory
from core.round_service import read_release
from core.rounds import Round, RoundStatus

#: Roles that see the whole organisation, including sensitive prevalence.
ORG_ROLES = frozenset({Role.HR_ADMIN, Role.HOVEDVERNEOMBUD, Role.AMU, Role.ADVISER})
#: Org-wide roles that also see every unit's leadership factor (rule 14 names HR and the
#: verneombud; AMU sees the organisation by the first sentence of rule 14). The read-only
#: adviser (BHT) is not named by rule 14: it sees the leadership factor of top units only.
LEADERSHIP_ORG_ROLES = frozenset({Role.HR_ADMIN, Role.HOVEDVERNEOMBUD, Role.AMU})
#: The factor whose unit results are about one identifiable person, the unit's leader.
LEADERSHIP_FACTOR = "leadership"


@dataclass(frozen=True)
class Scope:
    """What a viewer may see by role (rule 14); the member-view rule applies on top.

    ``units`` None means the whole organisation. ``leadership_units`` is where the leadership
    factor may be seen: for leaders and verneombud it equals ``units``, because a unit's
    leader one level up (and every leader above) already has the unit in their subtree, and
    a verneombud's area holds its units' cells.
    """

    units: frozenset[str] | None
    sensitive: bool
    leadership_units: frozenset[str] | None

    def allows(self, unit: str, metric: str, *, sensitive: bool) -> bool:
        if sensitive and not self.sensitive:
            return False
        units = self.leadership_units if metric == LEADERSHIP_FACTOR else self.units
        return units is None or unit in units

    def allows_unit(self, unit: str) -> bool:
        return self.units is None or unit in self.units


@dataclass(frozen=True)
class ScopedResults:
    round: Round
    cells: tuple[CellRelease, ...]
    unit_paths: dict[str, str]  # unit id (as in the release) -> path


#: The scope of a process that sees everything (the release engine's own checks, tests).
WHOLE_ORGANISATION = Scope(None, True, None)


def scope_of(org: Organisation, member_id: int, now: datetime | None = None) -> Scope | None:
    """The member's scope, or None: no role that sees results. With ``now``, expired grants
    (a time-limited adviser's) give nothing."""
    grants = org.grants_of(member_id, now)
    roles = {g.role for g in grants}
    if roles & LEADERSHIP_ORG_ROLES:
        return WHOLE_ORGANISATION
    if Role.ADVISER in roles:
        tops = frozenset(str(u.id) for u in org.units if u.parent_id is None)
        return Scope(None, True, tops)
    units: set[int] = set()
    sensitive = False
    for grant in grants:
        if grant.unit_id is not None and grant.role in (Role.LEADER, Role.VERNEOMBUD):
            units |= org.subtree_ids(grant.unit_id)
            sensitive = sensitive or grant.role is Role.VERNEOMBUD
    if not units:
        return None
    shown = frozenset(str(u) for u in units)
    return Scope(shown, sensitive, shown)


def project(release: Release, viewer_home_units: frozenset[str], scope: Scope) -> Release:
    """The release as one viewer (or every member of a channel together) may see it.

    Cells outside the scope are left out. A published cell hidden by the member-view rule
    becomes a gap that reads "too few responses", exactly like a suppressed one: telling the
    viewer that it was published but hidden would tell them its n is just above K. Comments,
    theme counts and segments are not part of this projection (see ``core.anonymity.view``).
    """
    cells = []
    for cell in release.cells:
        if not scope.allows(cell.unit, cell.metric, sensitive=cell.sensitive):
            continue
        if cell.published and not viewer_home_units.isdisjoint(cell.hidden_for_home_units):
            cell = CellRelease.withheld(
                cell.unit, cell.metric, TOO_FEW_RESPONDENTS, sensitive=cell.sensitive
            )
        cells.append(cell)
    participation = []
    for part in release.participation:
        if not scope.allows_unit(part.unit):
            continue
        if part.published and not viewer_home_units.isdisjoint(part.hidden_for_home_units):
            part = ParticipationRelease.withheld(part.unit, TOO_FEW_RESPONDENTS)
        participation.append(part)
    return Release(
        round_id=release.round_id,
        thresholds=release.thresholds,
        cells=tuple(cells),
        participation=tuple(participation),
        comments=(),
    )


async def latest_results_for(
    uows: UnitOfWorkFactory, clock: Clock, tenant_id: int, member_id: int, *, purpose: str
) -> ScopedResults | None:
    async with uows() as uow:
        org = await uow.organisation.load(tenant_id)
        released = [r for r in await uow.rounds.list(tenant_id) if r.status is RoundStatus.RELEASED]
        snapshot = await uow.rounds.members(released[-1].id) if released else []
    scope = scope_of(org, member_id, clock.now())
    if scope is None or not released:
        return None
    latest = released[-1]
    release = await read_release(
        uows, clock, latest.id, viewer=f"member:{member_id}", purpose=purpose
    )
    own = frozenset(str(m.answer_unit_id) for m in snapshot if m.member_id == member_id)
    cells = tuple(c for c in project(release, own, scope).cells if c.published)
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
