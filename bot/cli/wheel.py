"""tempcheck wheel … : the annual wheel (årshjul) — add and remove manual entries, list the
year, show what is missing, export as ICS or CSV."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import typer

from bot.app import Container
from bot.cli.common import CliState, actor, reported, run_with_container, state_of
from bot.cli.output import write_text
from core.cadence import parse_date
from core.errors import TempcheckError
from core.i18n import t
from core.wheel import (
    StoredWheelEntry,
    Wheel,
    add_wheel_entry,
    annual_wheel,
    parse_kind,
    remove_wheel_entry,
    wheel_csv,
    wheel_ics,
    year_range,
)
from core.wheel.export import owner_label, summary
from core.wheel.model import MANUAL_KINDS

app = typer.Typer(help="Annual wheel (årshjul): planned activities with owner and date.")

TenantOption = typer.Option(None, "--tenant", help="Tenant slug (default: TEMPCHECK_TENANT).")
YearOption = typer.Option(None, "--year", help="Calendar year (default: this year).")
FromOption = typer.Option(None, "--from", help="First day, YYYY-MM-DD (with --to).")
ToOption = typer.Option(None, "--to", help="Last day, YYYY-MM-DD (with --from).")
FORMATS = ("ics", "csv")


def period(year: int | None, start: str | None, end: str | None, today: date) -> tuple[date, date]:
    """``--year`` or ``--from``/``--to`` (not both); neither: this calendar year."""
    if (start is None) != (end is None) or (year is not None and start is not None):
        raise TempcheckError("cli.period_options")
    if start is not None and end is not None:
        return parse_date(start), parse_date(end)
    return year_range(year if year is not None else today.year)


def _today(c: Container, timezone: str) -> date:
    return c.clock.now().astimezone(ZoneInfo(timezone)).date()


async def load_wheel(
    c: Container,
    state: CliState,
    tenant: str | None,
    year: int | None,
    start: str | None,
    end: str | None,
) -> Wheel:
    timezone = state.settings.default_timezone
    first, last = period(year, start, end, _today(c, timezone))
    return await annual_wheel(
        c.uows,
        c.clock,
        tenant_slug=tenant or state.tenant,
        start=first,
        end=last,
        timezone=timezone,
    )


def wheel_lines(wheel: Wheel, locale: str) -> list[str]:
    lines = [t("cli.wheel.header", locale, start=wheel.start, end=wheel.end)]
    if not wheel.entries:
        lines.append(t("cli.wheel.empty", locale))
    for e in wheel.entries:
        lines.append(
            t(
                "cli.wheel.row",
                locale,
                start=e.start,
                until=t("cli.wheel.until", locale, end=e.end) if e.end != e.start else "",
                summary=summary(e, locale),
                owner=owner_label(e.owner, locale),
                status=t(f"wheel.status.{e.status.value}", locale),
                ref=t("cli.wheel.ref", locale, id=e.entry_id) if e.entry_id else "",
            )
        )
    return lines


def gap_lines(wheel: Wheel, locale: str) -> list[str]:
    if not wheel.gaps:
        return [t("cli.wheel.no_gaps", locale, start=wheel.start, end=wheel.end)]
    lines = [t("cli.wheel.gaps", locale, start=wheel.start, end=wheel.end)]
    for gap in wheel.gaps:
        text = t(gap.key, locale, **dict(gap.params))
        lines.append(t("cli.wheel.gap", locale, text=text))
    return lines


def _show(
    ctx: typer.Context,
    render: Callable[[Wheel, str], list[str]],
    tenant: str | None,
    year: int | None,
    start: str | None,
    end: str | None,
) -> None:
    state = state_of(ctx)
    wheel = run_with_container(state, lambda c: load_wheel(c, state, tenant, year, start, end))
    for line in render(wheel, state.locale):
        typer.echo(line)


@app.command("add")
def add(
    ctx: typer.Context,
    kind: str = typer.Option(..., "--kind", help=", ".join(k.value for k in MANUAL_KINDS)),
    day: str = typer.Option(..., "--date", help="Day, YYYY-MM-DD."),
    owner: str = typer.Option(
        ..., "--owner", help="Who is responsible: a role (hr_admin, amu, verneombud, …) or a name."
    ),
    title: str = typer.Option("", "--title", help="What it is, e.g. 'AMU: annual review'."),
    unit: str | None = typer.Option(None, "--unit", help="Unit path it concerns (optional)."),
    tenant: str | None = TenantOption,
) -> None:
    """Add a planned activity to the wheel (audit-logged)."""
    state = state_of(ctx)
    with reported(state):
        chosen = parse_kind(kind)
        when = parse_date(day)

    async def work(c: Container) -> StoredWheelEntry:
        return await add_wheel_entry(
            c.uows,
            c.clock,
            tenant_slug=tenant or state.tenant,
            kind=chosen,
            day=when,
            owner=owner,
            title=title,
            unit_path=unit,
            actor=actor(),
        )

    stored = run_with_container(state, work)
    state.say(
        "cli.wheel.added",
        kind=t(f"wheel.kind.{stored.kind.value}", state.locale),
        day=stored.day,
        owner=owner_label(stored.owner, state.locale),
        id=stored.id,
    )


@app.command("remove")
def remove(
    ctx: typer.Context,
    entry_id: int = typer.Argument(..., help="The entry's number, as wheel list shows it."),
    tenant: str | None = TenantOption,
) -> None:
    """Remove a manual entry (audit-logged)."""
    state = state_of(ctx)

    async def work(c: Container) -> StoredWheelEntry:
        return await remove_wheel_entry(
            c.uows, c.clock, tenant_slug=tenant or state.tenant, entry_id=entry_id, actor=actor()
        )

    removed = run_with_container(state, work)
    state.say(
        "cli.wheel.removed",
        id=entry_id,
        kind=t(f"wheel.kind.{removed.kind.value}", state.locale),
        day=removed.day,
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    year: int | None = YearOption,
    start: str | None = FromOption,
    end: str | None = ToOption,
    tenant: str | None = TenantOption,
) -> None:
    """Every activity of the year: pulses from the cadence, rounds held, manual entries."""
    _show(ctx, wheel_lines, tenant, year, start, end)


@app.command("missing")
def missing(
    ctx: typer.Context,
    year: int | None = YearOption,
    start: str | None = FromOption,
    end: str | None = ToOption,
    tenant: str | None = TenantOption,
) -> None:
    """What the year's wheel lacks (no risk assessment, no safety round, …)."""
    _show(ctx, gap_lines, tenant, year, start, end)


@app.command("export")
def export(
    ctx: typer.Context,
    fmt: str = typer.Option(..., "--format", help="ics or csv."),
    out: Path = typer.Option(..., "--out", help="File to write."),
    year: int | None = YearOption,
    start: str | None = FromOption,
    end: str | None = ToOption,
    tenant: str | None = TenantOption,
) -> None:
    """Write the wheel as an iCalendar file (stable UIDs) or as CSV."""
    state = state_of(ctx)
    chosen = fmt.strip().lower()
    with reported(state):
        if chosen not in FORMATS:
            raise TempcheckError("cli.unknown_format", value=fmt, allowed=", ".join(FORMATS))

    async def work(c: Container) -> tuple[Wheel, str]:
        wheel = await load_wheel(c, state, tenant, year, start, end)
        if chosen == "ics":
            return wheel, wheel_ics(wheel, state.locale, c.clock.now())
        return wheel, wheel_csv(wheel, state.locale)

    wheel, text = run_with_container(state, work)
    with reported(state):
        write_text(out, text)
    state.say("cli.wheel.exported", count=len(wheel.entries), path=out, format=chosen)
