"""Where a unit's results go: its managers' channel and its team channel (per unit, set by
the operator or HR), and who reads them there.

A digest goes to the unit's configured managers' channel, else as a DM to the unit's leaders
(else the nearest ancestor's, so no unit is left without a reader). The employee summary goes
only to a configured team channel: it is never sent to people one by one. The member-view rule
(privacy rule 9) is applied to the readers: every member of the channel, or the leader of a DM.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from core.clock import Clock
from core.errors import TempcheckError
from core.messenger import Platform
from core.organisation import Member, Organisation, Role, Unit
from core.question_sets import require_tenant, require_unit

if TYPE_CHECKING:
    from core.ports import UnitOfWorkFactory


class Purpose(StrEnum):
    MANAGERS = "managers"  # the weekly digest
    TEAM = "team"  # the employee summary after a release


@dataclass(frozen=True)
class ChannelRef:
    """A channel on a platform: Slack channel id, or a Teams conversation id."""

    platform: Platform
    channel: str


@dataclass(frozen=True)
class Destination:
    unit_id: int
    purpose: Purpose
    channel: ChannelRef | None  # a configured channel, or None: DMs to ``leaders``
    leaders: tuple[Member, ...] = ()
    inherited_from: int | None = None  # the ancestor whose leaders read it (no own leader)

    @property
    def reachable(self) -> bool:
        return self.channel is not None or bool(self.leaders)


def leaders_of(org: Organisation, unit_id: int) -> tuple[Member, ...]:
    active = {m.id: m for m in org.active_members()}
    ids = sorted(
        {g.member_id for g in org.grants if g.role is Role.LEADER and g.unit_id == unit_id}
    )
    return tuple(active[i] for i in ids if i in active)


def destination(
    org: Organisation,
    channels: Mapping[tuple[int, Purpose], ChannelRef],
    unit_id: int,
    purpose: Purpose,
) -> Destination:
    configured = channels.get((unit_id, purpose))
    if configured is not None or purpose is Purpose.TEAM:
        return Destination(unit_id, purpose, configured)
    parents = {u.id: u.parent_id for u in org.units}
    current: int | None = unit_id
    while current is not None:
        leaders = leaders_of(org, current)
        if leaders:
            inherited = None if current == unit_id else current
            return Destination(unit_id, purpose, None, leaders, inherited)
        current = parents.get(current)
    return Destination(unit_id, purpose, None)


def reader_home_units(answer_units: Mapping[int, int], readers: Iterable[Member]) -> frozenset[str]:
    """The units, as the release names them, of the people who will read a message.

    ``answer_units`` is the round's membership snapshot (member id -> the unit their answers
    are counted in): the member view hides a cell from a channel with any of its own members
    in it. Readers who were not in the round have nothing to protect there."""
    return frozenset(str(answer_units[m.id]) for m in readers if m.id in answer_units)


def members_by_platform_id(
    org: Organisation, platform: Platform, ids: Iterable[str]
) -> list[Member]:
    """Roster members among a channel's platform user ids (unknown ids are not employees)."""
    wanted = set(ids)
    if platform is Platform.SLACK:
        return [m for m in org.members if m.slack_user_id in wanted]
    return [m for m in org.members if m.teams_aad_id in wanted]


SLACK_CHANNEL = re.compile(r"^[CGD][A-Z0-9]{6,}$")


def parse_channel(platform: str, channel: str) -> ChannelRef:
    """A channel as the operator typed it: a Slack channel id (C…, G…; names change, ids do
    not, and files_upload_v2 needs the id) or a Teams conversation id (19:…@thread…)."""
    name = platform.strip().lower()
    if name not in {p.value for p in Platform}:
        raise TempcheckError("destination.unknown_platform", platform=platform)
    value = channel.strip()
    if name == Platform.SLACK and not SLACK_CHANNEL.match(value):
        raise TempcheckError("destination.bad_slack_channel", channel=channel)
    if name == Platform.TEAMS and not (value.startswith(("19:", "a:")) and len(value) > 4):
        raise TempcheckError("destination.bad_teams_channel", channel=channel)
    return ChannelRef(Platform(name), value)


async def set_unit_channel(
    uows: UnitOfWorkFactory,
    clock: Clock,
    *,
    tenant_slug: str,
    unit_path: str,
    purpose: Purpose,
    channel: ChannelRef | None,
    actor: str,
) -> None:
    """Set (or, with None, clear) where a unit's digest or team summary goes; audit-logged."""
    async with uows() as uow:
        tenant = await require_tenant(uow, tenant_slug)
        unit = require_unit(await uow.organisation.load(tenant.id), unit_path)
        await uow.organisation.set_channel(tenant.id, unit.id, purpose, channel)
        await uow.audit.record(
            tenant.id,
            clock.now(),
            actor,
            "channel.set" if channel else "channel.clear",
            {
                "unit": unit.path,
                "purpose": purpose.value,
                "platform": channel.platform.value if channel else None,
                "channel": channel.channel if channel else None,
            },
        )
        await uow.commit()


async def destinations(
    uows: UnitOfWorkFactory, *, tenant_slug: str
) -> list[tuple[Unit, Destination, Destination]]:
    """Every unit with where its digest and its team summary go."""
    async with uows() as uow:
        tenant = await require_tenant(uow, tenant_slug)
        org = await uow.organisation.load(tenant.id)
        channels = await uow.organisation.channels(tenant.id)
    return [
        (
            unit,
            destination(org, channels, unit.id, Purpose.MANAGERS),
            destination(org, channels, unit.id, Purpose.TEAM),
        )
        for unit in sorted(org.units, key=lambda u: u.path)
    ]
