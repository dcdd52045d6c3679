"""tempcheck channel …: where each unit's weekly digest and team summary are posted."""

from __future__ import annotations

import typer

from bot.app import Container
from bot.cli.common import CliState, actor, reported, run_with_container, state_of
from core.destinations import (
    ChannelRef,
    Destination,
    Purpose,
    destinations,
    parse_channel,
    set_unit_channel,
)
from core.errors import TempcheckError
from core.i18n import t
from core.organisation import Unit

app = typer.Typer(help="Result channels per unit: the managers' digest and the team summary.")

TenantOption = typer.Option(None, "--tenant", help="Tenant slug (default: TEMPCHECK_TENANT).")
UnitOption = typer.Option(..., "--unit", help="Unit path, e.g. Acme/Ops.")
PurposeOption = typer.Option(
    "managers", "--purpose", help="managers (the weekly digest) or team (the summary)."
)


def _purpose(raw: str) -> Purpose:
    try:
        return Purpose(raw.strip().lower())
    except ValueError:
        raise TempcheckError("destination.unknown_purpose", purpose=raw) from None


def describe(found: Destination, locale: str) -> str:
    if found.channel is not None:
        return t(
            "digest.dest.channel",
            locale,
            platform=found.channel.platform.value,
            channel=found.channel.channel,
        )
    if found.leaders:
        names = ", ".join(m.name for m in found.leaders)
        key = "digest.dest.leaders_inherited" if found.inherited_from else "digest.dest.leaders"
        return t(key, locale, names=names)
    return t(
        "digest.dest.none" if found.purpose is Purpose.MANAGERS else "digest.dest.no_team", locale
    )


def _store(
    state: CliState, tenant: str | None, unit: str, purpose: Purpose, ref: ChannelRef | None
) -> None:
    async def work(c: Container) -> None:
        await set_unit_channel(
            c.uows,
            c.clock,
            tenant_slug=tenant or state.tenant,
            unit_path=unit,
            purpose=purpose,
            channel=ref,
            actor=actor(),
        )

    run_with_container(state, work)


@app.command("set")
def set_(
    ctx: typer.Context,
    unit: str = UnitOption,
    platform: str = typer.Option(..., "--platform", help="slack or teams."),
    channel: str = typer.Option(
        ..., "--channel", help="Slack channel id (C…) or Teams conversation id (19:…)."
    ),
    purpose: str = PurposeOption,
    tenant: str | None = TenantOption,
) -> None:
    """Post a unit's digest (or team summary) in this channel (audit-logged)."""
    state = state_of(ctx)
    with reported(state):
        chosen = _purpose(purpose)
        ref: ChannelRef = parse_channel(platform, channel)

    _store(state, tenant, unit, chosen, ref)
    state.say("digest.channel_set", unit=unit, purpose=chosen.value, channel=ref.channel)


@app.command("clear")
def clear(
    ctx: typer.Context,
    unit: str = UnitOption,
    purpose: str = PurposeOption,
    tenant: str | None = TenantOption,
) -> None:
    """Forget a unit's channel: the digest goes to its leaders' DMs again (audit-logged)."""
    state = state_of(ctx)
    with reported(state):
        chosen = _purpose(purpose)

    _store(state, tenant, unit, chosen, None)
    state.say("digest.channel_cleared", unit=unit, purpose=chosen.value)


@app.command("show")
def show(ctx: typer.Context, tenant: str | None = TenantOption) -> None:
    """Where every unit's digest and team summary go."""
    state = state_of(ctx)

    async def work(c: Container) -> list[tuple[Unit, Destination, Destination]]:
        return await destinations(c.uows, tenant_slug=tenant or state.tenant)

    for unit, managers, team in run_with_container(state, work):
        state.say(
            "digest.dest.line",
            unit=unit.path,
            managers=describe(managers, state.locale),
            team=describe(team, state.locale),
        )
