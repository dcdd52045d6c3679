"""The audit trail as a person reads it (``tempcheck audit show``)."""

from __future__ import annotations

import json
from datetime import date

from core.access import Action, require
from core.clock import Clock
from core.followup_service import member_by_email
from core.organisation import Organisation
from core.ports import AuditEntry, UnitOfWorkFactory
from core.question_sets import require_tenant


def actor_label(org: Organisation, actor: str) -> str:
    """``member:12`` → ``member:12 (Kari Nordmann)``; other actors (cli:…, system) as they are."""
    kind, _, rest = actor.partition(":")
    if kind == "member" and rest.isdigit():
        name = next((m.name for m in org.members if m.id == int(rest)), None)
        if name:
            return f"{actor} ({name})"
    return actor


def format_entry(org: Organisation, entry: AuditEntry) -> str:
    detail = json.dumps(entry.detail, ensure_ascii=False, sort_keys=True, default=str)
    when = entry.at.isoformat(timespec="seconds")
    return f"{when}  {actor_label(org, entry.actor)}  {entry.action}  {detail}"


async def audit_entries(
    uows: UnitOfWorkFactory,
    clock: Clock,
    *,
    tenant_slug: str,
    since: date | None = None,
    prefix: str | None = None,
    as_email: str | None = None,
) -> list[str]:
    """The tenant's audit trail, oldest first, from ``since`` and for actions starting with
    ``prefix``. With ``as_email`` the member must be allowed to see it (HR, hovedverneombud);
    showing it is itself audit-logged."""
    async with uows() as uow:
        tenant = await require_tenant(uow, tenant_slug)
        org = await uow.organisation.load(tenant.id)
        viewer = "cli"
        if as_email is not None:
            member = member_by_email(org, as_email)
            require(org, member.id, Action.VIEW_AUDIT, None, clock.now())
            viewer = f"member:{member.id}"
        entries = [
            e
            for e in await uow.audit.entries(tenant.id)
            if (since is None or e.at.date() >= since)
            and (prefix is None or e.action.startswith(prefix))
        ]
        await uow.audit.record(
            tenant.id,
            clock.now(),
            viewer,
            "audit.read",
            {
                "since": since.isoformat() if since else None,
                "action": prefix,
                "entries": len(entries),
            },
        )
        await uow.commit()
    return [format_entry(org, e) for e in entries]
