"""tempcheck status: the operator's view — rounds, deliveries per workspace, the scheduler.
Counts only: never who answered or who was reminded (privacy rule 7)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import typer

from bot.app import Container
from bot.cli.common import run_with_container, state_of
from core.i18n import t
from core.rounds import Round, RoundStatus
from scheduler.leader import LeaderLock


@dataclass(frozen=True)
class Status:
    rounds: list[Round]
    deliveries: Mapping[tuple[str, str, str], int]
    leader_free: bool | None  # None: SQLite, one process


async def collect(c: Container) -> Status:
    async with c.uows() as uow:
        rounds = [
            r
            for tenant in await uow.organisation.list_tenants()
            for r in await uow.rounds.list(tenant.id)
            if r.status is not RoundStatus.RELEASED or r.keys_shredded_at is None
        ]
        counts = await uow.deliveries.counts()
    lock = LeaderLock(c.engine)
    leader_free: bool | None = None
    if not lock.single_process:
        # Taking the lock for a moment tells whether a scheduler holds it; release at once.
        leader_free = await lock.ensure()
        await lock.release()
    return Status(rounds, counts, leader_free)


def status(ctx: typer.Context) -> None:
    """Rounds open or closing, deliveries pending/sent/failed per workspace, the leader."""
    state = state_of(ctx)
    found = run_with_container(state, collect)
    locale = state.locale
    typer.echo(t("cli.status.rounds", locale, count=len(found.rounds)))
    for r in found.rounds:
        due = r.release_due.isoformat(timespec="minutes") if r.release_due else "-"
        typer.echo(
            t(
                "cli.status.round",
                locale,
                round=r.id,
                period=r.period,
                status=t("round_status." + r.status.value, locale),
                closes=r.closes_at.isoformat(timespec="minutes"),
                release=due,
            )
        )
    typer.echo(t("cli.status.deliveries", locale))
    if not found.deliveries:
        typer.echo(t("cli.status.none", locale))
    for (workspace, kind, outcome), count in sorted(found.deliveries.items()):
        typer.echo(f"  {workspace or '-'}  {kind}  {outcome}: {count}")
    if found.leader_free is None:
        typer.echo(t("cli.status.single", locale))
    elif found.leader_free:
        typer.echo(t("cli.status.no_leader", locale))
    else:
        typer.echo(t("cli.status.leader", locale))
