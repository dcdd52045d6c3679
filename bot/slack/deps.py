"""What the Slack listeners share: the container, the blocks, the messenger, and looking up
who is talking (tenant by Slack team, member by Slack user id)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.app import Container
from bot.slack.blocks import SlackBlocks
from bot.slack.messenger import SlackMessenger
from core.i18n import DEFAULT_LOCALE
from core.organisation import Member, Tenant
from core.ports import UnitOfWork

#: How long a tenant found for a Slack team is reused without asking the database. Linking
#: a workspace to another tenant takes effect within this time in a running server.
TENANT_TTL_S = 60.0
TENANT_CACHE_MAX = 1024
#: A tenant whose members are looked up this often within ``TENANT_TTL_S`` (a burst of
#: answers after a fan-out) gets its Slack directory, every linked member in one query,
#: cached for the rest of that time; below it, one lookup per request. A member linked
#: since the directory was read is looked up on its own; a member deactivated since is
#: still found for at most ``TENANT_TTL_S`` (the round's snapshot still decides who may
#: answer it).
DIRECTORY_AFTER_LOOKUPS = 20
#: Tenants larger than this are never cached whole (memory).
DIRECTORY_MAX_MEMBERS = 50_000


@dataclass
class _Directory:
    since: float
    lookups: int = 0
    members: Mapping[str, Member] | None = None


@dataclass
class SlackDeps:
    container: Container
    blocks: SlackBlocks
    messenger: SlackMessenger
    default_tenant: str
    #: The cache's clock (monotonic seconds); tests pass their own.
    monotonic: Callable[[], float] = time.monotonic
    _tenants: dict[str | None, tuple[float, Tenant]] = field(default_factory=dict, repr=False)
    _directories: dict[int, _Directory] = field(default_factory=dict, repr=False)

    async def who(self, body: dict[str, Any]) -> tuple[Tenant, Member] | None:
        user = body.get("user") or {}
        user_id = user.get("id") or body.get("user_id") or (body.get("event") or {}).get("user")
        team_id = (body.get("team") or {}).get("id") or user.get("team_id") or body.get("team_id")
        if not isinstance(user_id, str):
            return None
        team = team_id if isinstance(team_id, str) else None
        # Lookups only: a read-only unit of work takes no write lock (SQLite) and opens no
        # transaction, so it never queues behind submissions being stored.
        async with self.container.uows.read_only() as uow:
            tenant = self._cached_tenant(team)
            if tenant is None:
                if team is not None:
                    tenant = await uow.organisation.tenant_for_slack_team(team)
                if tenant is None:
                    tenant = await uow.organisation.get_tenant(self.default_tenant)
                if tenant is None:
                    return None  # not cached: the tenant may be created any moment
                self._remember_tenant(team, tenant)
            member = await self._member(uow, tenant.id, user_id)
        if member is None or not member.active:
            return None
        return tenant, member

    async def _member(self, uow: UnitOfWork, tenant_id: int, user_id: str) -> Member | None:
        now = self.monotonic()
        directory = self._directories.get(tenant_id)
        if directory is None or now - directory.since >= TENANT_TTL_S:
            if len(self._directories) >= TENANT_CACHE_MAX:
                self._directories.clear()
            directory = self._directories[tenant_id] = _Directory(now)
        if directory.members is None:
            directory.lookups += 1
            if directory.lookups == DIRECTORY_AFTER_LOOKUPS:  # one request reads it
                members = await uow.organisation.members_by_slack_id(tenant_id)
                if len(members) <= DIRECTORY_MAX_MEMBERS:
                    directory.members = members
        if directory.members is not None and user_id in directory.members:
            return directory.members[user_id]
        return await uow.organisation.member_by_slack_id(tenant_id, user_id)

    def _cached_tenant(self, team: str | None) -> Tenant | None:
        cached = self._tenants.get(team)
        if cached is None or self.monotonic() - cached[0] >= TENANT_TTL_S:
            return None
        return cached[1]

    def _remember_tenant(self, team: str | None, tenant: Tenant) -> None:
        if len(self._tenants) >= TENANT_CACHE_MAX:
            self._tenants.clear()
        self._tenants[team] = (self.monotonic(), tenant)


def locale_of(found: tuple[Tenant, Member] | None, fallback: str = DEFAULT_LOCALE) -> str:
    return found[1].locale if found else fallback
