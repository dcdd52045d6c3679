"""tempcheck db …: schema migrations."""

from __future__ import annotations

import typer

from bot.app import Container
from bot.cli.common import run_with_container, state_of
from storage import migrate

app = typer.Typer(help="Database schema: migrate up or down, show the revision.")


@app.command("upgrade")
def upgrade(ctx: typer.Context, revision: str = typer.Argument("head")) -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    state = state_of(ctx)

    async def work(c: Container) -> str | None:
        await migrate.upgrade(c.engine, revision)
        return await migrate.current_revision(c.engine)

    current = run_with_container(state, work, check_schema=False)
    state.say("cli.db.upgraded", revision=current or "-")


@app.command("downgrade")
def downgrade(
    ctx: typer.Context, revision: str = typer.Argument(..., help="e.g. base or -1")
) -> None:
    """Undo migrations down to REVISION (``base`` removes every table)."""
    state = state_of(ctx)

    async def work(c: Container) -> str | None:
        await migrate.downgrade(c.engine, revision)
        return await migrate.current_revision(c.engine)

    current = run_with_container(state, work, check_schema=False)
    state.say("cli.db.downgraded", revision=current or "base")


@app.command("current")
def current(ctx: typer.Context) -> None:
    """Show the database's revision and the latest one."""
    state = state_of(ctx)

    async def work(c: Container) -> str | None:
        return await migrate.current_revision(c.engine)

    revision = run_with_container(state, work, check_schema=False)
    state.say("cli.db.current", revision=revision or "-", head=migrate.head_revision())
