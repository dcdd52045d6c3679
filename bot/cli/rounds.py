"""tempcheck round …: open, close, release, list, show and key status of rounds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import typer

from bot.app import Container
from bot.cli.common import EXIT_CONFIG, CliState, actor, run_with_container, state_of
from bot.slack.notify import NotifyReport, notify_round
from bot.teams.app import build_teams
from bot.teams.notify import notify_round_on_teams
from core.anonymity.release import Release
from core.i18n import t
from core.keys import KeyStatus
from core.round_service import (
    OpenedRound,
    close_round,
    key_statuses,
    list_rounds,
    open_round,
    read_release,
    release_round,
    shred_due_keys,
)
from core.rounds import Round, StoredRelease

Report = NotifyReport

app = typer.Typer(help="Rounds: open, close, release, list, show results, key status.")

TenantOption = typer.Option(None, "--tenant", help="Tenant slug (default: TEMPCHECK_TENANT).")


@app.command("open")
def open_(
    ctx: typer.Context,
    unit: str | None = typer.Option(None, help="Unit path (default: the whole organisation)."),
    exclude: list[str] = typer.Option(
        [],
        "--exclude",
        help="A unit below --unit whose subtree is left out (it gets rounds of its own); "
        "repeatable.",
    ),
    period: str | None = typer.Option(None, help="Period label (default: this ISO week)."),
    set_key: str = typer.Option("default", "--set", help="Question set key."),
    days: int = typer.Option(7, min=1, max=31, help="Days the round stays open."),
    release_delay_hours: int = typer.Option(24, min=0, help="Hours from close to release."),
    notify: bool = typer.Option(
        False, "--notify", help="Send the invitations now via Slack/Teams (until the scheduler)."
    ),
    tenant: str | None = TenantOption,
) -> None:
    """Open a round: snapshot who is asked, freeze thresholds and items, create its key."""
    state = state_of(ctx)
    settings = state.settings
    teams_on = bool(settings.teams_app_id or settings.teams_allow_anonymous)
    if notify and settings.slack_mode == "off" and not teams_on:
        state.warn("cli.round.no_platform")
        raise typer.Exit(EXIT_CONFIG)

    async def work(c: Container) -> tuple[OpenedRound, list[tuple[str, Report]]]:
        opened = await open_round(
            c.uows,
            c.keys,
            c.clock,
            tenant_slug=tenant or state.tenant,
            actor=actor(),
            unit_path=unit,
            exclude=exclude,
            period=period,
            set_key=set_key,
            duration=timedelta(days=days),
            release_delay_hours=release_delay_hours,
            timezone=settings.default_timezone,
        )
        reports: list[tuple[str, Report]] = []
        if notify and settings.slack_mode != "off":
            reports.append(("Slack", await notify_round(c, opened.round)))
        if notify and teams_on:
            _, _, teams = build_teams(c, settings.host)
            reports.append(("Teams", await notify_round_on_teams(teams, opened.round)))
        return opened, reports

    opened, reports = run_with_container(state, work)
    r = opened.round
    key = "cli.round.opened" if opened.created else "cli.round.exists"
    state.say(
        key,
        round=r.id,
        period=r.period,
        eligible=opened.eligible,
        closes=r.closes_at.isoformat(timespec="minutes"),
        items=len(r.items),
    )
    for platform, report in reports:
        state.say(
            "cli.round.notified",
            platform=platform,
            sent=report.sent,
            unreachable=report.unreachable,
            failed=report.failed,
            no_id=report.no_platform,
        )


@app.command("close")
def close(ctx: typer.Context, round_id: int = typer.Argument(..., metavar="ROUND")) -> None:
    """Close a round now: later answers are rejected; answer rows are reshuffled."""
    state = state_of(ctx)

    async def work(c: Container) -> Round:
        return await close_round(c.uows, c.clock, round_id, actor=actor())

    closed = run_with_container(state, work)
    due = closed.release_due
    state.say(
        "cli.round.closed", round=closed.id, due=due.isoformat(timespec="minutes") if due else "-"
    )


@app.command("release")
def release(ctx: typer.Context, round_id: int = typer.Argument(..., metavar="ROUND")) -> None:
    """Freeze the round's results (after the release delay). Again: checks it reproduces."""
    state = state_of(ctx)

    async def work(c: Container) -> StoredRelease:
        return await release_round(c.uows, c.clock, round_id, actor=actor())

    stored = run_with_container(state, work)
    state.say("cli.round.released", round=round_id, hash=stored.hash[:16])


def _round_line(state: CliState, r: Round) -> str:
    return t(
        "cli.round.row",
        state.locale,
        round=r.id,
        period=r.period,
        status=t("round_status." + r.status.value, state.locale),
        opened=r.opened_at.isoformat(timespec="minutes"),
        closes=r.closes_at.isoformat(timespec="minutes"),
        items=len(r.items),
    )


@app.command("list")
def list_(ctx: typer.Context, tenant: str | None = TenantOption) -> None:
    """List rounds with their status (never who answered)."""
    state = state_of(ctx)

    async def work(c: Container) -> Sequence[Round]:
        return await list_rounds(c.uows, tenant_slug=tenant or state.tenant)

    rounds = run_with_container(state, work)
    if not rounds:
        state.say("cli.round.none")
    for r in rounds:
        typer.echo(_round_line(state, r))


@app.command("keys")
def keys(ctx: typer.Context, tenant: str | None = TenantOption) -> None:
    """Key status per round (present / destroyed / missing); never the keys themselves."""
    state = state_of(ctx)

    async def work(c: Container) -> Sequence[tuple[Round, KeyStatus]]:
        return await key_statuses(c.uows, c.keys, tenant_slug=tenant or state.tenant)

    for r, status in run_with_container(state, work):
        due = r.shred_due()
        state.say(
            "cli.round.key",
            round=r.id,
            period=r.period,
            state=t("key_state." + status.state.value, state.locale),
            due=due.isoformat(timespec="minutes") if due else "-",
        )


@app.command("shred")
def shred(ctx: typer.Context) -> None:
    """Destroy keys and ledgers of rounds past the grace period (the scheduler does this too)."""
    state = state_of(ctx)

    async def work(c: Container) -> list[int]:
        return await shred_due_keys(c.uows, c.keys, c.clock, actor=actor())

    done = run_with_container(state, work)
    state.say("cli.round.shredded", count=len(done), rounds=", ".join(str(i) for i in done) or "-")


def release_lines(release: Release, locale: str, unit_names: dict[str, str]) -> list[str]:
    lines = []
    for cell in release.cells:
        name = unit_names.get(cell.unit, cell.unit)
        if not cell.published:
            lines.append(t("cli.round.cell_hidden", locale, unit=name, metric=cell.metric))
            continue
        value = cell.prevalence if cell.prevalence is not None else cell.score
        band = f" [{cell.band[0]}–{cell.band[1]}]" if cell.band else ""
        lines.append(
            t(
                "cli.round.cell",
                locale,
                unit=name,
                metric=cell.metric,
                value=f"{value}{band}",
                n_band=cell.n_band or "-",
            )
        )
    return lines


@app.command("show")
def show(
    ctx: typer.Context,
    round_id: int = typer.Argument(..., metavar="ROUND"),
    purpose: str = typer.Option("review", help="Why you read it (written to the audit log)."),
) -> None:
    """Print a released round's cells as HR/AMU see them (org scope); audit-logged."""
    state = state_of(ctx)

    async def work(c: Container) -> tuple[Release, dict[str, str]]:
        found = await read_release(c.uows, c.clock, round_id, viewer=actor(), purpose=purpose)
        async with c.uows() as uow:
            rounds = {
                r.id: r
                for t in await uow.organisation.list_tenants()
                for r in await uow.rounds.list(t.id)
            }
            org = await uow.organisation.load(rounds[round_id].tenant_id)
        return found, {str(u.id): u.path for u in org.units}

    found, names = run_with_container(state, work)
    for line in release_lines(found, state.locale, names):
        typer.echo(line)
