"""tempcheck demo: a simulated organisation on a fresh SQLite file, end to end.

Migrate, import the organisation and the default bank, then run weekly rounds in simulated
time through the same services the real commands use: open, simulated answers, close,
release, and finally key shredding. Chat delivery and the scheduler join in later issues.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import typer

from bot.app import Container
from bot.cli.common import CliState, reported, run_with_container, state_of
from bot.cli.org import import_with_progress, print_summary, render_tree
from bot.cli.questions import coverage_lines
from core.anonymity.release import Release
from core.clock import FixedClock
from core.demo_answers import SimulatedWorkplace
from core.demo_org import COMPANY, simulated_roster_csv
from core.i18n import t
from core.org_import import ImportSummary
from core.organisation import Organisation
from core.question_sets import QuestionImportResult, import_question_set, require_tenant
from core.questions import QuestionSet, load_default_bank
from core.roster import parse_roster
from core.round_service import (
    close_round,
    open_round,
    read_release,
    release_round,
    shred_due_keys,
)
from core.rounds import Round
from core.submission import Submission, submit
from core.thresholds import K_ELIGIBLE
from storage import migrate

DEMO_TENANT = "demo"
DB_FILE = "tempcheck-demo.db"


async def simulate_weeks(
    state: CliState, c: Container, clock: FixedClock, weeks: int, seed: int
) -> list[str]:
    """Run the weeks through the real services: open, answer, close, release, shred."""
    lines: list[str] = []
    locale = state.locale
    async with c.uows() as uow:
        tenant = await require_tenant(uow, DEMO_TENANT)
        org = await uow.organisation.load(tenant.id)
        stored = await uow.questions.latest(tenant.id, "default")
    assert stored is not None
    bank = stored.question_set
    workplace = SimulatedWorkplace(seed, [u.id for u in org.units], [f.id for f in bank.factors])
    for _ in range(weeks):
        opened = await open_round(
            c.uows,
            c.keys,
            clock,
            tenant_slug=DEMO_TENANT,
            actor="demo",
            duration=timedelta(days=5),
            release_delay_hours=24,
            timezone=state.settings.default_timezone,
        )
        found = opened.round
        async with c.uows() as uow:
            snapshot = await uow.rounds.members(found.id)
        for member in snapshot:
            answer = workplace.answers(member.home_unit_id, found.items)
            if answer is not None:
                values, comment = answer
                await submit(
                    c.uows,
                    c.keys,
                    clock,
                    Submission(found.id, member.member_id, values, comment, "leader"),
                )
        advance(clock, days=5)
        await close_round(c.uows, clock, found.id, actor="demo")
        advance(clock, days=1)
        await release_round(c.uows, clock, found.id, actor="demo")
        release = await read_release(c.uows, clock, found.id, viewer="demo", purpose="demo summary")
        lines += week_lines(release, found, bank, opened.eligible, locale)
        advance(clock, days=1)  # next Monday
    advance(clock, days=7)
    shredded = await shred_due_keys(c.uows, c.keys, clock, actor="demo")
    lines.append(t("cli.demo.shredded", locale, count=len(shredded)))
    return lines


def week_lines(
    release: Release, found: Round, bank: QuestionSet, asked: int, locale: str
) -> list[str]:
    root = str(found.unit_id)
    participation = next((p for p in release.participation if p.unit == root), None)
    rate = participation.rate if participation and participation.published else None
    lines = [
        t(
            "cli.demo.week",
            locale,
            period=found.period,
            round=found.id,
            asked=asked,
            rate=rate or t("cli.demo.hidden", locale),
        )
    ]
    for item in found.items:
        cell = next((x for x in release.cells if x.unit == root and x.metric == item.factor), None)
        name = bank.factor(item.factor).name[locale]
        if cell is None or not cell.published:
            shown = t("cli.demo.hidden", locale)
        elif cell.prevalence is not None:
            shown = t("cli.demo.prevalence", locale, value=cell.prevalence)
        else:
            band = f" [{cell.band[0]}–{cell.band[1]}]" if cell.band else ""
            shown = f"{cell.score}{band}"
        lines.append(f"    - {name}: {shown}")
    published = sum(1 for x in release.cells if x.published)
    lines.append(
        t(
            "cli.demo.cells",
            locale,
            published=published,
            total=len(release.cells),
            hash=release.hash[:12],
        )
    )
    return lines


def advance(clock: FixedClock, **delta: float) -> None:
    clock.set(clock.now() + timedelta(**delta))


def _first_monday_morning(today: date, timezone: str) -> datetime:
    day = today + timedelta(days=(7 - today.weekday()) % 7 or 7)
    return datetime.combine(day, time(8, 0), ZoneInfo(timezone)).astimezone(UTC)


def rollup_lines(org: Organisation, locale: str) -> list[str]:
    totals = org.subtree_counts()
    small = [u for u in org.units if totals[u.id] < K_ELIGIBLE]
    if not small:
        return []
    names = ", ".join(f"{u.name} ({totals[u.id]})" for u in small)
    return [t("cli.demo.rollup", locale, k=K_ELIGIBLE, units=names)]


def demo(
    ctx: typer.Context,
    weeks: int = typer.Option(4, min=1, max=52, help="Weeks of pulses to simulate."),
    seed: int = typer.Option(2026, help="Seed of the simulated organisation."),
    out: Path = typer.Option(Path("tempcheck-demo"), help="Folder for the database and files."),
) -> None:
    """Run tempcheck on a simulated organisation (fresh SQLite file; no network, no tokens)."""
    base = state_of(ctx)
    out.mkdir(parents=True, exist_ok=True)
    db = out / DB_FILE
    for stale in (db, db.with_name(DB_FILE + "-wal"), db.with_name(DB_FILE + "-shm")):
        stale.unlink(missing_ok=True)
    settings = base.settings.model_copy(
        update={
            "database_url": f"sqlite+aiosqlite:///{db.resolve()}",
            "tenant": DEMO_TENANT,
            "key_store_path": out / "keys",
        }
    )
    state = replace(base, settings=settings)
    roster_file = out / "organisation.csv"
    roster_file.write_text(simulated_roster_csv(seed), encoding="utf-8")
    state.say("cli.demo.start", company=COMPANY, seed=seed, out=str(out), db=str(db))
    with reported(state):
        roster = parse_roster(roster_file.read_text(encoding="utf-8"), str(roster_file))
    bank = load_default_bank()

    async def work(c: Container) -> tuple[ImportSummary, QuestionImportResult, Organisation]:
        await migrate.upgrade(c.engine)
        summary = await import_with_progress(state, c, roster, tenant=DEMO_TENANT, dry_run=False)
        imported = await import_question_set(
            c.uows, c.clock, bank, tenant_slug=DEMO_TENANT, actor="demo"
        )
        async with c.uows() as uow:
            tenant = await require_tenant(uow, DEMO_TENANT)
            org = await uow.organisation.load(tenant.id)
        return summary, imported, org

    clock = FixedClock(_first_monday_morning(date.today(), settings.default_timezone))

    async def simulate(c: Container) -> list[str]:
        return await simulate_weeks(state, c, clock, weeks, seed)

    summary, imported, org = run_with_container(state, work, check_schema=False, clock=clock)
    _section(state, "cli.demo.section.org")
    print_summary(state, summary)
    for line in render_tree(org, state.locale) + rollup_lines(org, state.locale):
        typer.echo(line)
    _section(state, "cli.demo.section.bank")
    state.say(
        "cli.questions.imported",
        key=imported.key,
        version=imported.version,
        hash=imported.content_hash[:12],
    )
    for line in coverage_lines(bank, state.locale):
        typer.echo(line)
    _section(state, "cli.demo.section.rounds")
    for line in run_with_container(state, simulate, clock=clock):
        typer.echo(line)
    _section(state, "cli.demo.section.next")
    state.say("cli.demo.next", db=str(db))


def _section(state: CliState, key: str) -> None:
    typer.echo("")
    typer.echo(f"== {t(key, state.locale)} ==")
