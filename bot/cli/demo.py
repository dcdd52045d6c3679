"""tempcheck demo: a simulated organisation on a fresh SQLite file, end to end.

For now: migrate, import the organisation and the default bank through the same services
the real commands use, then show the tree, the bank's coverage and the planned pulses.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import typer

from bot.app import Container
from bot.cli.common import CliState, reported, run_with_container, state_of
from bot.cli.org import import_with_progress, print_summary, render_tree
from bot.cli.questions import coverage_lines
from core.demo_org import COMPANY, simulated_roster_csv
from core.i18n import t
from core.org_import import ImportSummary
from core.organisation import Organisation
from core.question_sets import QuestionImportResult, import_question_set, require_tenant
from core.questions import QuestionSet, load_default_bank
from core.roster import parse_roster
from core.rotation import plan_rounds
from core.thresholds import K_ELIGIBLE
from storage import migrate

DEMO_TENANT = "demo"
DB_FILE = "tempcheck-demo.db"


def _next_monday(today: date) -> date:
    return today + timedelta(days=(7 - today.weekday()) % 7 or 7)


def plan_lines(qs: QuestionSet, weeks: int, start: date, locale: str) -> list[str]:
    lines = [t("cli.demo.plan.header", locale, weeks=weeks)]
    for planned in plan_rounds(qs, weeks):
        day = start + timedelta(weeks=planned.index)
        lines.append(
            t(
                "cli.demo.plan.week",
                locale,
                week=day.isocalendar().week,
                date=day.isoformat(),
                position=planned.position + 1,
            )
        )
        for item_id in planned.items:
            item = qs.item(item_id)
            factor = qs.factor(item.factor)
            marker = t("cli.demo.plan.anchor", locale) if item.anchor else ""
            lines.append(f"    - {factor.name[locale]}{marker}: {item.text[locale]}")
    return lines


def rollup_lines(org: Organisation, locale: str) -> list[str]:
    totals = org.subtree_counts()
    small = [u for u in org.units if totals[u.id] < K_ELIGIBLE]
    if not small:
        return []
    names = ", ".join(f"{u.name} ({totals[u.id]})" for u in small)
    return [t("cli.demo.rollup", locale, k=K_ELIGIBLE, units=names)]


def demo(
    ctx: typer.Context,
    weeks: int = typer.Option(4, min=1, max=52, help="Weeks of pulses to plan."),
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

    summary, imported, org = run_with_container(state, work, check_schema=False)
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
    _section(state, "cli.demo.section.plan")
    for line in plan_lines(bank, weeks, _next_monday(date.today()), state.locale):
        typer.echo(line)
    _section(state, "cli.demo.section.next")
    state.say("cli.demo.next", db=str(db))


def _section(state: CliState, key: str) -> None:
    typer.echo("")
    typer.echo(f"== {t(key, state.locale)} ==")
