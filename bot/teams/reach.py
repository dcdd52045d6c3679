"""Who cannot be reached on Teams yet (no SDK import: the CLI may use this).

A person is reachable once tempcheck holds a conversation reference for them, captured when
the app is installed for them (by themselves, or for everyone through an admin setup
policy) or when they write to it. ``tempcheck org show`` reports the others; docs/teams.md
says how to fix it.
"""

from __future__ import annotations

from core.ports import UnitOfWorkFactory


async def unreachable_on_teams(uows: UnitOfWorkFactory, tenant_id: int) -> list[int]:
    """Ids of active members with a Teams id (AAD object id) but no stored conversation
    reference, in id order. Members without a Teams id are not on Teams at all."""
    async with uows() as uow:
        org = await uow.organisation.load(tenant_id)
        reachable = await uow.conversations.reachable(tenant_id)
    return sorted(
        m.id for m in org.active_members() if m.teams_aad_id and m.teams_aad_id not in reachable
    )
