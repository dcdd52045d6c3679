"""tempcheck org …: import the organisation from CSV, show the tree."""

from __future__ import annotations

from pathlib import Path

import typer

from bot.app import Container
from bot.cli.common import CliState, actor, read_text, reported, run_with_container, state_of
from bot.teams.reach import unreachable_on_teams
from core.i18n import t
from core.org_import import ImportSummary, import_roster
from core.organisation import Organisation, Role, Unit
from core.question_sets import require_tenant
from core.roster import Roster, parse_roster

app = typer.Typer(help="Organisation: import units, people and roles from CSV; show the tree.")

PROGRESS_FROM_ROWS = 200


def parse_roster_file(state: CliState, path: Path) -> Roster:
    return parse_roster(
        read_text(path),
        str(path),
        default_locale=state.settings.default_locale,
        default_timezone=state.settings.default_timezone,
    )


async def import_with_progress(
    state: CliState, c: Container, roster: Roster, *, tenant: str, dry_run: bool
) -> ImportSummary:
    if dry_run or len(roster.rows) < PROGRESS_FROM_ROWS:
        return await import_roster(
            c.uows, c.clock, roster, tenant_slug=tenant, actor=actor(), dry_run=dry_run
        )
    label = t("cli.org.import.progress", state.locale)
    with typer.progressbar(length=len(roster.rows), label=label, file=None) as bar:

        def advance(done: int) -> None:
            bar.update(done - bar.pos)

        return await import_roster(
            c.uows, c.clock, roster, tenant_slug=tenant, actor=actor(), progress=advance
        )


def print_summary(state: CliState, s: ImportSummary) -> None:
    state.say(
        "cli.org.import.dry_run" if s.dry_run else "cli.org.import.done",
        tenant=s.tenant,
        rows=s.rows,
    )
    state.say(
        "cli.org.import.summary",
        units=s.units_created,
        created=s.members_created,
        updated=s.members_updated,
        unchanged=s.members_unchanged,
        deactivated=s.members_deactivated,
        reactivated=s.members_reactivated,
        grants=s.role_grants,
    )
    if s.members_deactivated:
        state.say("cli.org.import.deactivated_note", count=s.members_deactivated)


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="CSV with columns email,name,unit (+ optional)"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check and show changes; write nothing."),
    tenant: str | None = typer.Option(None, help="Tenant slug (default: TEMPCHECK_TENANT)."),
) -> None:
    """Import or update the organisation from a roster CSV (all or nothing)."""
    state = state_of(ctx)
    with reported(state):
        roster = parse_roster_file(state, file)

    async def work(c: Container) -> ImportSummary:
        return await import_with_progress(
            state, c, roster, tenant=tenant or state.tenant, dry_run=dry_run
        )

    print_summary(state, run_with_container(state, work))


def _roles_line(org: Organisation, unit: Unit, locale: str) -> str:
    names = {m.id: m.name for m in org.members}
    parts = []
    for role in (Role.LEADER, Role.VERNEOMBUD):
        holders = sorted(
            names[g.member_id] for g in org.grants if g.role is role and g.unit_id == unit.id
        )
        if holders:
            parts.append(f"{t('role.' + role.value, locale)}: {', '.join(holders)}")
    return "; ".join(parts)


def render_tree(org: Organisation, locale: str) -> list[str]:
    """The unit tree with active member counts (own / whole subtree) and scoped roles."""
    children = org.children()
    direct = org.direct_counts()
    total = org.subtree_counts()
    lines: list[str] = []

    def walk(unit: Unit, prefix: str, connector: str, child_prefix: str) -> None:
        counts = t("cli.org.show.counts", locale, direct=direct[unit.id], total=total[unit.id])
        roles = _roles_line(org, unit, locale)
        lines.append(
            f"{prefix}{connector}{unit.name}  {counts}" + (f"  [{roles}]" if roles else "")
        )
        kids = children.get(unit.id, [])
        for i, kid in enumerate(kids):
            last = i == len(kids) - 1
            walk(kid, prefix + child_prefix, "└── " if last else "├── ", "    " if last else "│   ")

    for root in children.get(None, []):
        walk(root, "", "", "")
    names = {m.id: m.name for m in org.members}
    for role in (Role.HR_ADMIN, Role.HOVEDVERNEOMBUD, Role.AMU, Role.ADVISER):
        holders = sorted(names[g.member_id] for g in org.grants if g.role is role)
        if holders:
            lines.append(f"{t('role.' + role.value, locale)}: {', '.join(holders)}")
    inactive = len(org.members) - len(org.active_members())
    lines.append(
        t("cli.org.show.totals", locale, active=len(org.active_members()), inactive=inactive)
    )
    return lines


@app.command("show")
def show(
    ctx: typer.Context,
    tenant: str | None = typer.Option(None, help="Tenant slug (default: TEMPCHECK_TENANT)."),
) -> None:
    """Print the unit tree with member counts and roles."""
    state = state_of(ctx)

    async def work(c: Container) -> tuple[Organisation, list[int]]:
        async with c.uows() as uow:
            found = await require_tenant(uow, tenant or state.tenant)
            org = await uow.organisation.load(found.id)
        return org, await unreachable_on_teams(c.uows, found.id)

    org, unreachable = run_with_container(state, work)
    for line in render_tree(org, state.locale):
        typer.echo(line)
    if unreachable:
        names = {m.id: m.name for m in org.members}
        state.say(
            "cli.org.show.teams_unreachable",
            count=len(unreachable),
            names=", ".join(names[i] for i in unreachable),
        )
