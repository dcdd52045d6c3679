"""tempcheck privacy …: audit a structure against the release engine; thresholds."""

from __future__ import annotations

from pathlib import Path

import typer

from bot.app import Container
from bot.cli.common import actor, read_text, reported, run_with_container, state_of
from core.anonymity.audit_input import run_privacy_audit
from core.anonymity.thresholds import Thresholds
from core.errors import TempcheckError
from core.question_sets import require_tenant
from core.round_service import change_thresholds, tenant_thresholds

app = typer.Typer(help="Privacy: audit a structure before any round; show or raise thresholds.")


@app.command("audit")
def audit(ctx: typer.Context, file: Path = typer.Argument(..., help="Structure as JSON")) -> None:
    """Run the release engine on unit counts: which cells would be published, and why not."""
    state = state_of(ctx)
    with reported(state):
        output = run_privacy_audit(read_text(file), str(file), default_k=Thresholds().k_resp)
    typer.echo(output)


def _parse_changes(values: list[str]) -> dict[str, int]:
    changes: dict[str, int] = {}
    for raw in values:
        name, sep, number = raw.partition("=")
        if not sep or not number.strip().isdigit():
            raise TempcheckError("cli.privacy.bad_change", value=raw)
        changes[name.strip()] = int(number)
    return changes


@app.command("thresholds")
def thresholds(
    ctx: typer.Context,
    raise_: list[str] = typer.Option(
        [], "--raise", help="NAME=VALUE, e.g. k_resp=6 (future rounds only; never lower)."
    ),
    tenant: str | None = typer.Option(None, "--tenant", help="Tenant slug."),
) -> None:
    """Show the thresholds for future rounds, or raise them (audit-logged)."""
    state = state_of(ctx)
    with reported(state):
        changes = _parse_changes(raise_)

    async def work(c: Container) -> Thresholds:
        slug = tenant or state.tenant
        if changes:
            return await change_thresholds(
                c.uows, c.clock, tenant_slug=slug, changes=changes, actor=actor()
            )
        async with c.uows() as uow:
            found = await require_tenant(uow, slug)
            return await tenant_thresholds(uow, found.id)

    current = run_with_container(state, work)
    for name, value in current.effective().items():
        typer.echo(f"{name} = {value}")
