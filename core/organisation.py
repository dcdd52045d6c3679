"""Organisation: tenants, units in a tree, members with one home unit, roles.

Plain values. Persistence maps them; nothing here knows about a database or a chat
platform. Platform ids are opaque strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum

PATH_SEPARATOR = "/"


class Role(StrEnum):
    LEADER = "leader"  # of one unit (scope: that unit's subtree)
    HR_ADMIN = "hr_admin"
    VERNEOMBUD = "verneombud"  # scope: an area, a set of units
    HOVEDVERNEOMBUD = "hovedverneombud"
    AMU = "amu"
    ADVISER = "adviser"  # read-only adviser, e.g. occupational health (BHT)


#: Roles that need a unit scope; the rest apply to the whole organisation.
SCOPED_ROLES = frozenset({Role.LEADER, Role.VERNEOMBUD})


@dataclass(frozen=True)
class Tenant:
    id: int
    slug: str
    name: str
    slack_team_id: str | None = None
    teams_tenant_id: str | None = None


@dataclass(frozen=True)
class Unit:
    id: int
    tenant_id: int
    path: str
    parent_id: int | None

    @property
    def name(self) -> str:
        return self.path.rsplit(PATH_SEPARATOR, 1)[-1]

    @property
    def depth(self) -> int:
        return self.path.count(PATH_SEPARATOR)


@dataclass(frozen=True)
class MemberFields:
    """Everything about a member except identity; used to add or update one."""

    email: str
    name: str
    home_unit_id: int
    locale: str
    timezone: str
    slack_user_id: str | None = None
    teams_aad_id: str | None = None
    active: bool = True


@dataclass(frozen=True)
class Member(MemberFields):
    id: int = field(kw_only=True)
    tenant_id: int = field(kw_only=True)

    def fields(self) -> MemberFields:
        return MemberFields(**{f.name: getattr(self, f.name) for f in fields(MemberFields)})


@dataclass(frozen=True)
class RoleGrant:
    member_id: int
    role: Role
    unit_id: int | None = None  # set for SCOPED_ROLES, None for organisation-wide roles
    expires_at: datetime | None = None  # after this instant the grant gives nothing

    def active(self, now: datetime | None) -> bool:
        return now is None or self.expires_at is None or now < self.expires_at


@dataclass(frozen=True)
class Organisation:
    """A tenant's whole organisation, as loaded for one use case."""

    tenant: Tenant
    units: tuple[Unit, ...]
    members: tuple[Member, ...]
    grants: tuple[RoleGrant, ...] = field(default=())

    def unit_by_path(self) -> Mapping[str, Unit]:
        return {u.path: u for u in self.units}

    def unit_by_id(self) -> Mapping[int, Unit]:
        return {u.id: u for u in self.units}

    def children(self) -> Mapping[int | None, list[Unit]]:
        out: dict[int | None, list[Unit]] = {}
        for unit in sorted(self.units, key=lambda u: u.path):
            out.setdefault(unit.parent_id, []).append(unit)
        return out

    def active_members(self) -> tuple[Member, ...]:
        return tuple(m for m in self.members if m.active)

    def active_member_by_email(self, email: str) -> Member | None:
        """The active member with this e-mail (matched like the roster: case-insensitive)."""
        wanted = email.strip().lower()
        return next((m for m in self.active_members() if m.email.lower() == wanted), None)

    def subtree_ids(self, unit_id: int) -> frozenset[int]:
        kids = self.children()
        seen: set[int] = set()
        stack = [unit_id]
        while stack:
            current = stack.pop()
            seen.add(current)
            stack.extend(u.id for u in kids.get(current, []))
        return frozenset(seen)

    def direct_counts(self) -> Mapping[int, int]:
        """Active members whose home unit is exactly this unit."""
        counts: dict[int, int] = {u.id: 0 for u in self.units}
        for m in self.active_members():
            counts[m.home_unit_id] = counts.get(m.home_unit_id, 0) + 1
        return counts

    def subtree_counts(self) -> Mapping[int, int]:
        direct = self.direct_counts()
        return {u.id: sum(direct[i] for i in self.subtree_ids(u.id)) for u in self.units}

    def grants_of(self, member_id: int, now: datetime | None = None) -> tuple[RoleGrant, ...]:
        """The member's grants; with ``now``, only those not expired at that instant."""
        return tuple(g for g in self.grants if g.member_id == member_id and g.active(now))


def split_path(path: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in path.split(PATH_SEPARATOR))


def join_path(parts: Sequence[str]) -> str:
    return PATH_SEPARATOR.join(parts)


def ancestors(path: str) -> Iterable[str]:
    """``A/B/C`` → ``A``, ``A/B``, ``A/B/C`` (the path itself last)."""
    parts = split_path(path)
    for i in range(1, len(parts) + 1):
        yield join_path(parts[:i])
