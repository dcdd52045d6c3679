"""tempcheck demo: a simulated organisation on a fresh SQLite file, end to end.

Migrate, import the organisation and the default bank, set the cadences, then step a
FixedClock through the weeks: the same sweep and sender that ``tempcheck serve`` runs open,
remind, close, release and shred, delivering to simulated employees in-process who answer
through the real submission service (``scheduler.simulation``). Prints counts per week and
the released results — never who answered.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import typer
from sqlalchemy import event

from bot.app import Container
from bot.cli.common import CliState, reported, run_with_container, state_of
from bot.cli.demo_out import Written, write_results
from bot.cli.org import import_with_progress, print_summary, render_tree
from bot.cli.questions import coverage_lines
from core.anonymity.release import CellRelease
from core.cadence import format_time, parse_date
from core.cadence_service import EffectiveCadence, set_unit_cadence
from core.clock import FixedClock
from core.demo_answers import SimulatedWorkplace
from core.demo_messenger import SimulatedMessenger
from core.demo_org import COMPANY, simulated_roster_csv
from core.i18n import t
from core.org_import import ImportSummary
from core.organisation import Organisation
from core.pace import TokenBucketPacer
from core.question_sets import QuestionImportResult, import_question_set, require_tenant
from core.questions import QuestionSet, load_default_bank
from core.roster import parse_roster
from core.thresholds import K_ELIGIBLE
from scheduler.simulation import ReleasedRound, SimulationResult, WeekReport, run_weeks
from storage import migrate

DEMO_TENANT = "demo"
DB_FILE = "tempcheck-demo.db"
#: The department with a cadence of its own (its own rounds, every second Wednesday).
OWN_CADENCE_UNIT = f"{COMPANY}/Utvikling"
CADENCES: tuple[tuple[str, dict[str, object]], ...] = (
    (COMPANY, {"frequency": "weekly", "weekday": 0}),
    (OWN_CADENCE_UNIT, {"frequency": "biweekly", "weekday": 2}),
)
PACER_RATE = 20.0  # messages per second and workspace (Slack allows about one per second
PACER_BURST = 10  # per channel; the simulated platform has no limit of its own)


def unsynchronised(c: Container) -> None:
    """The demo's database is thrown away after the run: skip the fsync at every commit
    (PRAGMA synchronous=OFF), which otherwise dominates the simulation's run time."""

    @event.listens_for(c.engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()


async def set_cadences(c: Container, clock: FixedClock) -> list[EffectiveCadence]:
    """The whole company weekly from Monday; one department every second Wednesday."""
    return [
        await set_unit_cadence(
            c.uows, clock, tenant_slug=DEMO_TENANT, unit_path=unit, changes=changes, actor="demo"
        )
        for unit, changes in CADENCES
    ]


async def simulate_weeks(
    c: Container, clock: FixedClock, weeks: int, seed: int, timezone: str
) -> tuple[SimulationResult, Organisation, QuestionSet]:
    """Run the weeks through the scheduler's services; returns what happened, with the
    frozen releases (for a summary now, digests later)."""
    async with c.uows() as uow:
        tenant = await require_tenant(uow, DEMO_TENANT)
        org = await uow.organisation.load(tenant.id)
        stored = await uow.questions.latest(tenant.id, "default")
    assert stored is not None
    bank = stored.question_set
    workplace = SimulatedWorkplace(
        seed,
        {u.id: u.path for u in org.units},
        [(m.id, m.home_unit_id, m.timezone) for m in org.active_members()],
        [f.id for f in bank.factors],
        clock.now(),
    )
    refs = {ref: m.id for m in org.active_members() if (ref := m.slack_user_id or m.teams_aad_id)}
    messenger = SimulatedMessenger(workplace, refs, clock)

    async def sleep(seconds: float) -> None:  # the pacer waits in simulated time
        clock.set(clock.now() + timedelta(seconds=seconds))

    pacer = TokenBucketPacer(PACER_RATE, PACER_BURST, clock, sleep)
    result = await run_weeks(
        c.uows, c.keys, clock, messenger, pacer, weeks=weeks, timezone=timezone
    )
    return result, org, bank


def cadence_lines(cadences: list[EffectiveCadence], locale: str) -> list[str]:
    return [
        t(
            "cli.demo.cadence",
            locale,
            unit=e.unit.path,
            frequency=t(f"frequency.{e.cadence.frequency}", locale),
            weekday=t(f"weekday.{e.cadence.weekday}", locale),
            time=format_time(e.cadence.send_time),
            days=e.cadence.round_days,
            reminders=",".join(str(d) for d in e.cadence.reminder_days),
        )
        for e in cadences
    ]


def week_lines(
    week: WeekReport,
    result: SimulationResult,
    org: Organisation,
    bank: QuestionSet,
    weeks: int,
    timezone: str,
    locale: str,
) -> list[str]:
    last_day = week.starts + timedelta(days=6) if week.index < weeks else result.end
    lines = [
        t(
            "cli.demo.after" if week.index >= weeks else "cli.demo.week",
            locale,
            n=min(week.index + 1, weeks),
            start=_day(week.starts, timezone, locale),
            end=_day(last_day, timezone, locale),
            opened=len(week.opened),
            closed=len(week.closed),
            released=len(week.released),
            invitations=week.messages["invitation"],
            reminders=week.messages["reminder"],
        )
    ]
    by_id = org.unit_by_id()
    for round_id in week.opened:
        found = result.rounds[round_id]
        lines.append(
            t(
                "cli.demo.opened",
                locale,
                round=round_id,
                unit=by_id[found.unit_id].path,
                period=found.period,
                asked=result.asked[round_id],
            )
        )
    for skipped in week.skipped:
        lines.append("  " + skipped.render(locale))
    not_sent = week.sending.unreachable + week.sending.failed
    if not_sent:
        lines.append(t("cli.demo.not_sent", locale, count=not_sent))
    if week.late_answers:
        lines.append(t("cli.demo.late", locale, count=week.late_answers))
    for released in result.releases:
        if released.round.id in week.released:
            lines += release_lines(released, org, bank, locale)
    if week.shredded:
        lines.append(t("cli.demo.shredded", locale, count=len(week.shredded)))
    return lines


def release_lines(
    released: ReleasedRound, org: Organisation, bank: QuestionSet, locale: str
) -> list[str]:
    """A released round: participation and the scores of the round's unit and the units
    directly below it, exactly as released (banded, suppressed cells hidden)."""
    found, release = released.round, released.release
    by_id = org.unit_by_id()
    root = str(found.unit_id)
    children = sorted(
        (p.unit for p in release.participation if by_id[int(p.unit)].parent_id == found.unit_id),
        key=lambda u: by_id[int(u)].path,
    )
    shown = [root, *children]

    def name(unit: str) -> str:
        return by_id[int(unit)].name

    rates = []
    for unit in shown:
        part = next((p for p in release.participation if p.unit == unit), None)
        rate = part.rate if part is not None and part.published else None
        rates.append(f"{name(unit)} {rate or t('cli.demo.hidden', locale)}")
    lines = [
        t(
            "cli.demo.released",
            locale,
            round=found.id,
            unit=by_id[found.unit_id].path,
            period=found.period,
            asked=released.asked,
            participation="; ".join(rates),
        )
    ]
    for item in found.items:
        values = []
        for unit in shown:
            cell = next(
                (x for x in release.cells if x.unit == unit and x.metric == item.factor), None
            )
            if cell is None:
                continue
            values.append(f"{name(unit)} {_cell(cell, unit == root, locale)}")
        factor = bank.factor(item.factor).name[locale]
        lines.append(f"    - {factor}: {'; '.join(values)}")
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


def _cell(cell: CellRelease, with_band: bool, locale: str) -> str:
    if not cell.published:
        return t("cli.demo.hidden", locale)
    if cell.prevalence is not None:
        return t("cli.demo.prevalence", locale, value=cell.prevalence)
    band = f" [{cell.band[0]}–{cell.band[1]}]" if cell.band and with_band else ""
    return f"{cell.score}{band}"


def _day(instant: datetime, timezone: str, locale: str) -> str:
    local = instant.astimezone(ZoneInfo(timezone))
    return f"{t(f'weekday.{local.weekday()}', locale)[:3]} {local:%Y-%m-%d}"


def first_monday_morning(today: date, timezone: str) -> datetime:
    """09:00, when the weekly rounds open, on the first Monday after ``today`` in an even
    ISO week: the biweekly cadence then starts in the first simulated week."""
    day = today + timedelta(days=(7 - today.weekday()) % 7 or 7)
    if day.isocalendar().week % 2:
        day += timedelta(weeks=1)
    return datetime.combine(day, time(9, 0), ZoneInfo(timezone)).astimezone(UTC)


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
    start: str | None = typer.Option(
        None, "--start", help="Start on this Monday, YYYY-MM-DD (or the next in an even ISO week)."
    ),
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
        unsynchronised(c)
        await migrate.upgrade(c.engine)
        summary = await import_with_progress(state, c, roster, tenant=DEMO_TENANT, dry_run=False)
        imported = await import_question_set(
            c.uows, c.clock, bank, tenant_slug=DEMO_TENANT, actor="demo"
        )
        async with c.uows() as uow:
            tenant = await require_tenant(uow, DEMO_TENANT)
            org = await uow.organisation.load(tenant.id)
        return summary, imported, org

    timezone = settings.default_timezone
    with reported(state):
        first = parse_date(start) - timedelta(days=1) if start else date.today()
    clock = FixedClock(first_monday_morning(first, timezone))

    async def simulate(c: Container) -> list[str]:
        unsynchronised(c)
        cadences = await set_cadences(c, clock)
        result, org, bank = await simulate_weeks(c, clock, weeks, seed, timezone)
        lines = [t("cli.demo.cadences", state.locale)]
        lines += cadence_lines(cadences, state.locale)
        for week in result.weeks:
            lines += week_lines(week, result, org, bank, weeks, timezone, state.locale)
        shredded = sum(len(w.shredded) for w in result.weeks)
        lines.append(t("cli.demo.summary", state.locale, shredded=shredded))
        return lines

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

    async def results(c: Container) -> Written:
        return await write_results(c, DEMO_TENANT, out, state.locale)

    written = run_with_container(state, results, clock=clock)
    _section(state, "cli.demo.section.next")
    if written.index is not None:
        state.say(
            "cli.demo.results",
            index=str(written.index),
            digests=len(written.digests),
            summaries=len(written.summaries),
            exports=len(written.exports),
        )
    state.say("cli.demo.next", db=str(db))


def _section(state: CliState, key: str) -> None:
    typer.echo("")
    typer.echo(f"== {t(key, state.locale)} ==")
