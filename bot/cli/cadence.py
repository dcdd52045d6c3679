"""tempcheck cadence … (set, clear, show a unit's cadence) and tempcheck plan show (the
next rounds of a unit with their dates and items)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import typer

from bot.app import Container
from bot.cli.common import CliState, actor, reported, run_with_container, state_of
from core.cadence import Cadence, format_time, parse_date, parse_time, parse_weekday
from core.cadence_service import (
    EffectiveCadence,
    UnitPlan,
    clear_unit_cadence,
    effective_cadences,
    plan_tenant,
    plan_unit,
    set_unit_cadence,
)
from core.errors import TempcheckError
from core.i18n import t
from core.rotation import DEFAULT_CYCLE_LENGTH

app = typer.Typer(help="Cadence per unit: how often rounds open, when people are messaged.")
plan_app = typer.Typer(help="Plans: the next rounds of a unit, with dates and questions.")

TenantOption = typer.Option(None, "--tenant", help="Tenant slug (default: TEMPCHECK_TENANT).")
UnitOption = typer.Option(..., "--unit", help="Unit path, e.g. Acme/Ops.")


def summary(cadence: Cadence, locale: str) -> str:
    none = t("cli.cadence.none", locale)
    quiet = "-".join(format_time(x) for x in cadence.quiet_hours) if cadence.quiet_hours else none
    holidays = t("cli.cadence.holidays.no", locale) if cadence.holiday_calendar else none
    if cadence.extra_holidays:
        dates = ", ".join(d.isoformat() for d in cadence.extra_holidays)
        holidays = t("cli.cadence.holidays.extra", locale, base=holidays, dates=dates)
    return t(
        "cli.cadence.summary",
        locale,
        frequency=t(f"frequency.{cadence.frequency}", locale),
        weekday=t(f"weekday.{cadence.weekday}", locale),
        time=format_time(cadence.send_time),
        days=cadence.round_days,
        reminders=",".join(str(d) for d in cadence.reminder_days) or none,
        quiet=quiet,
        working=",".join(t(f"weekday.{d}", locale)[:3] for d in cadence.working_days),
        holidays=holidays,
        release=cadence.release_delay_hours,
    )


def source(effective: EffectiveCadence, locale: str) -> str:
    if effective.source is None:
        return t("cli.cadence.source.default", locale)
    if effective.own:
        return t("cli.cadence.source.own", locale)
    return t("cli.cadence.source.inherited", locale, unit=effective.source.path)


def _reminders(raw: str) -> list[int]:
    if raw.strip().lower() in ("", "none", "ingen"):
        return []
    parts = [p.strip() for p in raw.split(",")]
    if not all(p.isdigit() for p in parts):
        raise TempcheckError("cadence.reminders_format", value=raw)
    return [int(p) for p in parts]


def _quiet(raw: str) -> list[str] | None:
    if raw.strip().lower() in ("off", "none", "av"):
        return None
    start, sep, end = raw.partition("-")
    if not sep:
        raise TempcheckError("cadence.quiet_format", value=raw)
    return [format_time(parse_time(start)), format_time(parse_time(end))]


def _changes(
    frequency: str | None,
    weekday: str | None,
    send_time: str | None,
    days: int | None,
    reminders: str | None,
    quiet: str | None,
    working_days: str | None,
    release_delay_hours: int | None,
) -> dict[str, object]:
    changes: dict[str, object] = {}
    if frequency is not None:
        changes["frequency"] = frequency.strip().lower()
    if weekday is not None:
        changes["weekday"] = parse_weekday(weekday)
    if send_time is not None:
        changes["send_time"] = format_time(parse_time(send_time))
    if days is not None:
        changes["round_days"] = days
    if reminders is not None:
        changes["reminder_days"] = _reminders(reminders)
    if quiet is not None:
        changes["quiet_hours"] = _quiet(quiet)
    if working_days is not None:
        changes["working_days"] = [parse_weekday(d) for d in working_days.split(",")]
    if release_delay_hours is not None:
        changes["release_delay_hours"] = release_delay_hours
    return changes


@app.command("set")
def set_(
    ctx: typer.Context,
    unit: str = UnitOption,
    frequency: str | None = typer.Option(None, help="weekly, biweekly or monthly."),
    weekday: str | None = typer.Option(None, help="Day a period starts: mon … sun."),
    send_time: str | None = typer.Option(None, "--time", help="Member-local send time, HH:MM."),
    days: int | None = typer.Option(None, "--days", help="Days a round stays open."),
    reminders: str | None = typer.Option(
        None, help="Reminder days after opening, e.g. 2,4 (or none)."
    ),
    quiet: str | None = typer.Option(
        None, help="Member-local quiet hours, e.g. 20:00-07:00 (or off)."
    ),
    working_days: str | None = typer.Option(
        None, "--working-days", help="Working days, e.g. mon,tue,wed,thu,fri."
    ),
    release_delay_hours: int | None = typer.Option(
        None, "--release-delay-hours", help="Hours from close to release."
    ),
    holiday: list[str] = typer.Option([], "--holiday", help="Extra day off, YYYY-MM-DD."),
    remove_holiday: list[str] = typer.Option(
        [], "--remove-holiday", help="Remove an extra day off, YYYY-MM-DD."
    ),
    tenant: str | None = TenantOption,
) -> None:
    """Give a unit its own cadence: what it follows now, with these changes (audit-logged)."""
    state = state_of(ctx)
    with reported(state):
        changes = _changes(
            frequency,
            weekday,
            send_time,
            days,
            reminders,
            quiet,
            working_days,
            release_delay_hours,
        )
        added = [parse_date(d) for d in holiday]
        removed = [parse_date(d) for d in remove_holiday]

    async def work(c: Container) -> EffectiveCadence:
        return await set_unit_cadence(
            c.uows,
            c.clock,
            tenant_slug=tenant or state.tenant,
            unit_path=unit,
            changes=changes,
            actor=actor(),
            add_holidays=added,
            remove_holidays=removed,
        )

    result = run_with_container(state, work)
    state.say("cli.cadence.set", unit=unit, summary=summary(result.cadence, state.locale))


@app.command("clear")
def clear(ctx: typer.Context, unit: str = UnitOption, tenant: str | None = TenantOption) -> None:
    """Remove a unit's own cadence: it inherits from the unit above again (audit-logged)."""
    state = state_of(ctx)

    async def work(c: Container) -> tuple[bool, EffectiveCadence]:
        return await clear_unit_cadence(
            c.uows, c.clock, tenant_slug=tenant or state.tenant, unit_path=unit, actor=actor()
        )

    had, now = run_with_container(state, work)
    state.say(
        "cli.cadence.cleared" if had else "cli.cadence.not_set",
        unit=unit,
        summary=summary(now.cadence, state.locale),
        source=source(now, state.locale),
    )


@app.command("show")
def show(
    ctx: typer.Context,
    unit: str | None = typer.Option(None, "--unit", help="One unit (default: every unit)."),
    tenant: str | None = TenantOption,
) -> None:
    """The cadence every unit follows, and where it is inherited from."""
    state = state_of(ctx)

    async def work(c: Container) -> list[EffectiveCadence]:
        return await effective_cadences(c.uows, tenant_slug=tenant or state.tenant, unit_path=unit)

    for effective in run_with_container(state, work):
        state.say(
            "cli.cadence.row",
            unit=effective.unit.path,
            summary=summary(effective.cadence, state.locale),
            source=source(effective, state.locale),
        )


def _when(instant: datetime, zone: ZoneInfo, locale: str) -> str:
    local = instant.astimezone(zone)
    day = t(f"weekday.{local.weekday()}", locale)[:3]
    return f"{day} {local:%Y-%m-%d %H:%M}"


def plan_lines(plan: UnitPlan, state: CliState, weeks: int, timezone: str) -> list[str]:
    locale, zone = state.locale, ZoneInfo(timezone)
    qs = plan.question_set.question_set
    effective = plan.effective
    lines = [
        t(
            "cli.plan.header",
            locale,
            unit=effective.unit.path,
            summary=summary(effective.cadence, locale),
            source=source(effective, locale),
            key=plan.question_set.key,
            version=plan.question_set.version,
            timezone=timezone,
        )
    ]
    root = plan.root
    if root.unit.id != effective.unit.id:
        lines.append(
            t("cli.plan.covered_by", locale, unit=effective.unit.path, root=root.unit.path)
        )
    if root.carved_out:
        carved = ", ".join(u.path for u in root.carved_out)
        lines.append(t("cli.plan.carved_out", locale, root=root.unit.path, units=carved))
    if root.skip is not None:
        lines.append("  " + t(root.skip, locale, **plan.skip_params))
        return lines
    lines.append(t("cli.plan.asks", locale, eligible=root.eligible))
    if not plan.pulses:
        lines.append(t("cli.plan.none", locale, unit=effective.unit.path, weeks=weeks))
    for pulse in plan.pulses:
        lines.append(
            t(
                "cli.plan.row",
                locale,
                period=pulse.period,
                opens=_when(pulse.times.opens_at, zone, locale),
                closes=_when(pulse.times.closes_at, zone, locale),
                release=_when(pulse.times.release_at, zone, locale),
            )
        )
        if pulse.plan is None:
            lines.append(t("cli.plan.exists", locale, round=pulse.existing_round))
            continue
        lines.append(
            t(
                "cli.plan.rotation",
                locale,
                position=pulse.plan.position + 1,
                cycle=DEFAULT_CYCLE_LENGTH,
            )
        )
        for item_id in pulse.plan.items:
            item = qs.item(item_id)
            factor = qs.factor(item.factor)
            mark = (
                "follow_up"
                if item.factor in pulse.follow_up
                else "anchor"
                if item.anchor
                else "screening"
                if item.sensitive
                else None
            )
            lines.append(
                t(
                    "cli.plan.item",
                    locale,
                    factor=factor.name.get(locale, factor.id),
                    text=item.text.get(locale, item.id),
                    mark=t(f"cli.plan.mark.{mark}", locale) if mark else "",
                )
            )
    return lines


@plan_app.command("show")
def plan_show(
    ctx: typer.Context,
    unit: str | None = typer.Option(
        None, "--unit", help="Unit path, e.g. Acme/Ops (default: every unit with rounds)."
    ),
    weeks: int = typer.Option(8, "--weeks", min=1, max=104, help="How many weeks ahead."),
    set_key: str = typer.Option("default", "--set", help="Question set key."),
    from_day: str | None = typer.Option(
        None, "--from", help="Plan from this date, YYYY-MM-DD (default: today)."
    ),
    tenant: str | None = TenantOption,
) -> None:
    """The next rounds, as the scheduler will open them: period, open, close, release and
    the questions of each. Without --unit: every unit that gets rounds of its own."""
    state = state_of(ctx)
    timezone = state.settings.default_timezone
    with reported(state):
        start = parse_date(from_day) if from_day else None

    async def work(c: Container) -> list[UnitPlan]:
        today: date = start or c.clock.now().astimezone(ZoneInfo(timezone)).date()
        if unit is None:
            return await plan_tenant(
                c.uows,
                tenant_slug=tenant or state.tenant,
                from_day=today,
                weeks=weeks,
                timezone=timezone,
                set_key=set_key,
            )
        one = await plan_unit(
            c.uows,
            tenant_slug=tenant or state.tenant,
            unit_path=unit,
            from_day=today,
            weeks=weeks,
            timezone=timezone,
            set_key=set_key,
        )
        return [one]

    for index, plan in enumerate(run_with_container(state, work)):
        if index:
            typer.echo("")
        for line in plan_lines(plan, state, weeks, timezone):
            typer.echo(line)
