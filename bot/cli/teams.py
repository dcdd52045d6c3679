"""tempcheck teams …: the app package to upload to Teams; linking a Teams tenant."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import typer

from bot.app import Container
from bot.cli.common import EXIT_CONFIG, CliState, actor, reported, run_with_container, state_of
from bot.teams.package import build_package
from core.i18n import t
from core.ports import StoredChannel
from core.question_sets import require_tenant

app = typer.Typer(help="Microsoft Teams: the app package; tie a Teams tenant to an organisation.")

_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def _host(state: CliState, host: str | None) -> str:
    if host:
        return host.strip().removeprefix("https://").removeprefix("http://").rstrip("/")
    return urlsplit(state.settings.public_url).netloc


@app.command("package")
def package(
    ctx: typer.Context,
    app_id: str = typer.Option(..., help="The bot's Entra ID app (client) id."),
    out: Path = typer.Option(Path("tempcheck-teams.zip"), help="Where to write the zip."),
    host: str | None = typer.Option(
        None, help="Public host (default: the host of TEMPCHECK_PUBLIC_URL)."
    ),
) -> None:
    """Build the Teams app package (manifest.json and icons) to upload in Teams."""
    state = state_of(ctx)
    with reported(state):
        written = build_package(out, app_id=app_id, host=_host(state, host))
    state.say("teams.package.done", path=str(written))


@app.command("link")
def link(
    ctx: typer.Context,
    teams_tenant_id: str = typer.Argument(..., help="The Microsoft Entra tenant id (a GUID)."),
    tenant: str | None = typer.Option(None, help="Tenant slug (default: TEMPCHECK_TENANT)."),
) -> None:
    """Tie a Microsoft 365 tenant to an organisation (when serving several)."""
    state = state_of(ctx)
    slug = tenant or state.tenant
    if not _GUID.match(teams_tenant_id):
        state.warn("teams.link.bad_tenant", tenant=teams_tenant_id)
        raise typer.Exit(EXIT_CONFIG)

    async def work(c: Container) -> None:
        async with c.uows() as uow:
            found = await require_tenant(uow, slug)
            await uow.organisation.link_teams_tenant(found.id, teams_tenant_id)
            await uow.audit.record(
                found.id, c.clock.now(), actor(), "teams.link", {"teams_tenant": teams_tenant_id}
            )
            await uow.commit()

    run_with_container(state, work)
    state.say("teams.link.done", teams_tenant=teams_tenant_id.lower(), tenant=slug)


@app.command("channels")
def channels(
    ctx: typer.Context,
    tenant: str | None = typer.Option(None, help="Tenant slug (default: TEMPCHECK_TENANT)."),
) -> None:
    """The team channels the app has been added to, with the ids `tempcheck channel set`
    takes (recorded when the app is added to a team or hears from one of its channels)."""
    state = state_of(ctx)
    slug = tenant or state.tenant

    async def work(c: Container) -> list[StoredChannel]:
        async with c.uows() as uow:
            found = await require_tenant(uow, slug)
            return list(await uow.conversations.channels(found.id))

    known = run_with_container(state, work)
    locale = state.locale
    if not known:
        typer.echo(t("teams.channels.none", locale))
        return
    typer.echo(t("teams.channels.header", locale))
    unnamed = t("teams.channels.unnamed", locale)
    for channel in known:
        typer.echo(
            t(
                "teams.channels.row",
                locale,
                team=channel.team_name or unnamed,
                channel=channel.channel_name or unnamed,
                id=channel.channel_id,
            )
        )
