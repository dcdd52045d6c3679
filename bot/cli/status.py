"""tempcheck status: the operator's view — rounds, deliveries per workspace, the scheduler.
Counts only: never who answered or who was reminded (privacy rule 7)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import typer

from bot.app import Container
from bot.cli.common import run_with_container, state_of
from core.cadence import SKIP_EMPTY
from core.cadence_service import load_schedule
from core.i18n import t
from core.rounds import Round, RoundStatus
from scheduler.leader import LeaderLock
from storage.heartbeat import Heartbeat, WorkerBeat

#: A serve process refreshes its row at every send pass; one silent this long is gone.
STALE_SECONDS = 300


@dataclass(frozen=True)
class Status:
    rounds: list[Round]
    deliveries: Mapping[tuple[str, str, str], int]
    leader_free: bool | None  # None: SQLite, one process
    workers: Sequence[WorkerBeat]
    now: datetime
    posts: Mapping[tuple[str, str], int] = field(default_factory=dict)
    #: Units whose own cadence gets no rounds, with the reason (a message; SKIP_EMPTY left out:
    #: nobody is left to ask there, so nobody is missing a pulse).
    skipped: Sequence[tuple[str, Mapping[str, object]]] = ()


async def collect(c: Container) -> Status:
    async with c.uows() as uow:
        rounds = [
            r
            for tenant in await uow.organisation.list_tenants()
            for r in await uow.rounds.list(tenant.id)
            if r.status is not RoundStatus.RELEASED or r.keys_shredded_at is None
        ]
        counts = await uow.deliveries.counts()
        posts = await uow.posts.counts()
        skipped = []
        for tenant in await uow.organisation.list_tenants():
            schedule = await load_schedule(uow, await uow.organisation.load(tenant.id))
            skipped += [
                (root.skip, schedule.skip_params(root))
                for root in schedule.roots
                if root.skip is not None and root.skip != SKIP_EMPTY
            ]
    lock = LeaderLock(c.engine)
    leader_free: bool | None = None
    if not lock.single_process:
        # Taking the lock for a moment tells whether a scheduler holds it; release at once.
        leader_free = await lock.ensure()
        await lock.release()
    workers = await Heartbeat(c.engine).workers()
    return Status(rounds, counts, leader_free, workers, c.clock.now(), posts, skipped)


def _when(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value is not None else "-"


def _worker_lines(found: Status, locale: str) -> list[str]:
    lines = [t("cli.status.replicas", locale)]
    if not found.workers:
        lines.append(t("cli.status.no_replicas", locale))
    for w in found.workers:
        leader = ""
        if w.is_leader:
            leader = t(
                "cli.status.replica_leader",
                locale,
                since=_when(w.leader_since),
                last_sweep=_when(w.last_sweep_at),
                next_sweep=_when(w.next_sweep_at),
            )
        lines.append(
            t(
                "cli.status.replica",
                locale,
                worker=w.worker,
                mode=w.mode,
                leader=leader,
                seen=_when(w.seen_at),
                last_send=_when(w.last_send_at),
                next_send=_when(w.next_send_at),
            )
        )
        silent = int((found.now - w.seen_at).total_seconds())
        if silent > STALE_SECONDS:
            lines.append(t("cli.status.stale", locale, seconds=silent))
    return lines


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
    if found.skipped:
        typer.echo(t("cli.status.skipped", locale, count=len(found.skipped)))
        for key, params in found.skipped:
            typer.echo("  " + t(key, locale, **params))
    typer.echo(t("cli.status.deliveries", locale))
    if not found.deliveries:
        typer.echo(t("cli.status.none", locale))
    for (workspace, kind, outcome), count in sorted(found.deliveries.items()):
        typer.echo(f"  {workspace or '-'}  {kind}  {outcome}: {count}")
    typer.echo(t("cli.status.posts", locale))
    if not found.posts:
        typer.echo(t("cli.status.none", locale))
    for (purpose, outcome), count in sorted(found.posts.items()):
        typer.echo(f"  {purpose}  {outcome}: {count}")
    if found.leader_free is None:
        typer.echo(t("cli.status.single", locale))
    elif found.leader_free:
        typer.echo(t("cli.status.no_leader", locale))
    else:
        typer.echo(t("cli.status.leader", locale))
    for line in _worker_lines(found, locale):
        typer.echo(line)
