"""Use case: import a roster into a tenant's organisation, all or nothing.

Re-importing the same file changes nothing; members missing from the file are deactivated
(never deleted: past rounds keep their snapshots); the file is authoritative for roles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from core.clock import Clock
from core.organisation import Member, MemberFields, Organisation, Role, RoleGrant, split_path
from core.ports import UnitOfWorkFactory
from core.roster import Roster, RosterRow

Progress = Callable[[int], None]


@dataclass(frozen=True)
class ImportSummary:
    tenant: str
    dry_run: bool
    rows: int
    units_created: int
    members_created: int
    members_updated: int
    members_unchanged: int
    members_deactivated: int
    members_reactivated: int
    role_grants: int


@dataclass(frozen=True)
class ImportPlan:
    units_to_create: tuple[str, ...]
    creates: tuple[RosterRow, ...]
    updates: tuple[tuple[Member, RosterRow], ...]
    unchanged: int
    deactivations: tuple[Member, ...]
    reactivations: int


def _fields(row: RosterRow, home_unit_id: int) -> MemberFields:
    return MemberFields(
        email=row.email,
        name=row.name,
        home_unit_id=home_unit_id,
        locale=row.locale,
        timezone=row.timezone,
        slack_user_id=row.slack_user_id,
        teams_aad_id=row.teams_aad_id,
        active=True,
    )


def plan_import(org: Organisation | None, roster: Roster) -> ImportPlan:
    """Compare the roster with what is stored; pure, so a dry run shows exactly this."""
    existing_units = {u.path: u.id for u in org.units} if org else {}
    existing_members = {m.email: m for m in org.members} if org else {}
    creates: list[RosterRow] = []
    updates: list[tuple[Member, RosterRow]] = []
    unchanged = 0
    reactivations = 0
    for row in roster.rows:
        member = existing_members.get(row.email)
        if member is None:
            creates.append(row)
            continue
        unit_id = existing_units.get(row.unit, -1)
        if member.fields() == _fields(row, unit_id):
            unchanged += 1
        else:
            updates.append((member, row))
            reactivations += 0 if member.active else 1
    in_file = {row.email for row in roster.rows}
    deactivations = tuple(
        m for m in existing_members.values() if m.active and m.email not in in_file
    )
    return ImportPlan(
        units_to_create=tuple(p for p in roster.unit_paths() if p not in existing_units),
        creates=tuple(creates),
        updates=tuple(updates),
        unchanged=unchanged,
        deactivations=deactivations,
        reactivations=reactivations,
    )


def _grants(
    roster: Roster, member_ids: dict[str, int], unit_ids: dict[str, int]
) -> list[RoleGrant]:
    grants: list[RoleGrant] = []
    for row in roster.rows:
        member_id = member_ids[row.email]
        grants.extend(RoleGrant(member_id, Role.LEADER, unit_ids[p]) for p in row.leader_of)
        grants.extend(
            RoleGrant(member_id, Role.VERNEOMBUD, unit_ids[p]) for p in row.verneombud_for
        )
        until = row.roles_expire_at()
        grants.extend(RoleGrant(member_id, role, None, until) for role in row.roles)
    return list(dict.fromkeys(grants))


def _grant_text(grant: RoleGrant, emails: dict[int, str], paths: dict[int, str]) -> str:
    """One grant as the audit trail shows it: ``kari@acme.no leader Acme/Ops``."""
    parts = [emails.get(grant.member_id, f"member:{grant.member_id}"), grant.role.value]
    if grant.unit_id is not None:
        parts.append(paths.get(grant.unit_id, f"unit:{grant.unit_id}"))
    if grant.expires_at is not None:
        parts.append(f"until {grant.expires_at.isoformat()}")
    return " ".join(parts)


async def import_roster(
    uows: UnitOfWorkFactory,
    clock: Clock,
    roster: Roster,
    *,
    tenant_slug: str,
    actor: str,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportSummary:
    tick = progress or (lambda _n: None)
    async with uows() as uow:
        tenant = await uow.organisation.get_tenant(tenant_slug)
        org = await uow.organisation.load(tenant.id) if tenant else None
        plan = plan_import(org, roster)
        grant_count = sum(
            len(r.leader_of) + len(r.verneombud_for) + len(r.roles) for r in roster.rows
        )
        summary = ImportSummary(
            tenant=tenant_slug,
            dry_run=dry_run,
            rows=len(roster.rows),
            units_created=len(plan.units_to_create),
            members_created=len(plan.creates),
            members_updated=len(plan.updates),
            members_unchanged=plan.unchanged,
            members_deactivated=len(plan.deactivations),
            members_reactivated=plan.reactivations,
            role_grants=grant_count,
        )
        if dry_run:
            return summary
        if tenant is None:
            root = split_path(roster.rows[0].unit)[0]
            tenant = await uow.organisation.add_tenant(tenant_slug, root)
        unit_ids = {u.path: u.id for u in org.units} if org else {}
        for path in plan.units_to_create:
            parent = path.rsplit("/", 1)[0] if "/" in path else None
            unit = await uow.organisation.add_unit(
                tenant.id, path, unit_ids[parent] if parent else None
            )
            unit_ids[path] = unit.id
        member_ids = {m.email: m.id for m in org.members} if org else {}
        claimed = {i for r in roster.rows for i in (r.slack_user_id, r.teams_aad_id) if i}
        for member in plan.deactivations:
            # Free platform ids a row of the file now claims (an e-mail change looks like a
            # new person); the old record stays, deactivated, for past rounds.
            await uow.organisation.update_member(
                member.id,
                replace(
                    member.fields(),
                    active=False,
                    slack_user_id=None if member.slack_user_id in claimed else member.slack_user_id,
                    teams_aad_id=None if member.teams_aad_id in claimed else member.teams_aad_id,
                ),
            )
        done = plan.unchanged
        tick(done)
        for row in plan.creates:
            created = await uow.organisation.add_member(tenant.id, _fields(row, unit_ids[row.unit]))
            member_ids[row.email] = created.id
            done += 1
            tick(done)
        for member, row in plan.updates:
            await uow.organisation.update_member(member.id, _fields(row, unit_ids[row.unit]))
            done += 1
            tick(done)
        new_grants = _grants(roster, member_ids, unit_ids)
        await uow.organisation.replace_grants(tenant.id, new_grants)
        emails = {i: e for e, i in member_ids.items()}
        paths = {i: p for p, i in unit_ids.items()}
        before = {_grant_text(g, emails, paths) for g in (org.grants if org else ())}
        after = {_grant_text(g, emails, paths) for g in new_grants}
        await uow.audit.record(
            tenant.id,
            clock.now(),
            actor,
            "org.import",
            {
                **{k: v for k, v in summary.__dict__.items() if isinstance(v, int)},
                "grants_added": sorted(after - before),
                "grants_removed": sorted(before - after),
            },
        )
        await uow.commit()
    return summary
