"""tempcheck slack …: the app manifest; and ``tempcheck org sync-slack`` (registered on org)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer
import yaml

from bot.app import Container
from bot.cli.common import (
    EXIT_CONFIG,
    EXIT_INVALID_INPUT,
    CliState,
    actor,
    run_with_container,
    state_of,
)
from bot.slack.directory import SyncResult, sync_slack_users
from bot.slack.messenger import slack_client
from core.question_sets import require_tenant

app = typer.Typer(help="Slack: the app manifest to create the Slack app from.")

MANIFEST = Path(__file__).resolve().parents[2] / "manifest" / "slack" / "manifest.yaml"
PLACEHOLDER = "://HOST/"
#: Slack's limit for display_information.name.
MAX_NAME = 35
_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?$")


def _fail(state: CliState, key: str, **params: object) -> typer.Exit:
    state.warn(key, **params)
    return typer.Exit(EXIT_INVALID_INPUT)


def _fill(node: Any, host: str) -> Any:
    if isinstance(node, str):
        return node.replace(PLACEHOLDER, f"://{host}/")
    if isinstance(node, list):
        return [_fill(item, host) for item in node]
    if isinstance(node, dict):
        return {key: _fill(value, host) for key, value in node.items()}
    return node


def _bot_name(name: str) -> str:
    # Slack allows only lowercase letters, digits, '.', '-' and '_' in a bot's display name.
    slug = re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-")
    return slug or "tempcheck"


def render_manifest(template: str, *, host: str, name: str | None = None) -> str:
    """The manifest with ``https://HOST/…`` pointing at ``host`` (and the app renamed)."""
    manifest = _fill(yaml.safe_load(template), host)
    if name is not None:
        manifest["display_information"]["name"] = name
        manifest["features"]["bot_user"]["display_name"] = _bot_name(name)
    return yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, width=100)


@app.command("manifest")
def manifest(
    ctx: typer.Context,
    host: str = typer.Option(..., help="Public host of tempcheck, e.g. tempcheck.example.org"),
    name: str | None = typer.Option(None, help="App name shown in Slack (default: tempcheck)."),
) -> None:
    """Print the Slack app manifest (YAML) for your host; paste it into api.slack.com/apps."""
    state = state_of(ctx)
    bare = host.strip().removeprefix("https://").removeprefix("http://").rstrip("/")
    if not _HOST.match(bare):
        raise _fail(state, "slack.manifest.bad_host", host=host)
    if name is not None and not 1 <= len(name.strip()) <= MAX_NAME:
        raise _fail(state, "slack.manifest.bad_name", max=MAX_NAME)
    try:
        template = MANIFEST.read_text(encoding="utf-8")
    except OSError:
        raise _fail(state, "slack.manifest.missing", path=str(MANIFEST)) from None
    typer.echo(render_manifest(template, host=bare, name=name.strip() if name else None), nl=False)


def print_sync(state: CliState, tenant: str, result: SyncResult) -> None:
    state.say(
        "slack.sync.done",
        tenant=tenant,
        matched=result.matched,
        already=result.already,
        unmatched=len(result.unmatched),
        conflicts=len(result.conflicts),
    )
    if result.unmatched:
        state.say("slack.sync.unmatched")
        for email in result.unmatched:
            typer.echo(f"  {email}")
    if result.conflicts:
        state.say("slack.sync.conflicts")
        for email in result.conflicts:
            typer.echo(f"  {email}")


def sync_slack(
    ctx: typer.Context,
    tenant: str | None = typer.Option(None, help="Tenant slug (default: TEMPCHECK_TENANT)."),
) -> None:
    """Link people without a Slack id to their Slack user, matched by e-mail."""
    state = state_of(ctx)
    token = state.settings.slack_bot_token
    if not token:
        state.warn("slack.sync.no_token")
        raise typer.Exit(EXIT_CONFIG)
    slug = tenant or state.tenant

    async def work(c: Container) -> SyncResult:
        client = slack_client(token, base_url=state.settings.slack_api_url)
        return await sync_slack_users(
            c.uows, client, tenant_slug=slug, clock=c.clock, actor=actor()
        )

    print_sync(state, slug, run_with_container(state, work))


@app.command("link")
def link(
    ctx: typer.Context,
    team_id: str = typer.Argument(..., help="The Slack workspace's team id (T…)."),
    tenant: str | None = typer.Option(None, help="Tenant slug (default: TEMPCHECK_TENANT)."),
) -> None:
    """Tie a Slack workspace to an organisation (several workspaces, OAuth mode)."""
    state = state_of(ctx)
    slug = tenant or state.tenant
    if not team_id.startswith(("T", "E")) or not team_id.isalnum():
        state.warn("slack.link.bad_team", team=team_id)
        raise typer.Exit(EXIT_CONFIG)

    async def work(c: Container) -> None:
        async with c.uows() as uow:
            found = await require_tenant(uow, slug)
            await uow.organisation.link_slack_team(found.id, team_id)
            await uow.audit.record(
                found.id, c.clock.now(), actor(), "slack.link", {"team": team_id}
            )
            await uow.commit()

    run_with_container(state, work)
    state.say("slack.link.done", team=team_id, tenant=slug)
