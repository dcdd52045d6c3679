"""The ``tempcheck`` command line.

Subcommands are imported when they run (or when ``--help`` lists them), not at start: every
command module pulls in its own dependencies (pandas, matplotlib, the Teams SDK, Alembic…),
and ``serve`` should not pay for all of them (docs/operations.md, start-up)."""

from __future__ import annotations

from importlib import import_module

import typer
from typer import _click as click  # typer's own click (it vendors one since 0.2x)
from typer.core import TyperGroup

from bot.cli.common import EXIT_CONFIG, CliState
from bot.logs import configure_logging
from bot.settings import load_settings
from core.errors import ConfigError
from core.i18n import DEFAULT_LOCALE, normalise_locale, t

#: Command name -> (module, attribute): a Typer sub-app or a command function.
COMMANDS: dict[str, tuple[str, str]] = {
    # Single commands first, then groups: the order --help has always shown.
    "demo": ("bot.cli.demo", "demo"),
    "serve": ("bot.cli.serve", "serve"),
    "status": ("bot.cli.status", "status"),
    "db": ("bot.cli.db", "app"),
    "org": ("bot.cli.org", "app"),
    "questions": ("bot.cli.questions", "app"),
    "round": ("bot.cli.rounds", "app"),
    "privacy": ("bot.cli.privacy", "app"),
    "report": ("bot.cli.report", "app"),
    "slack": ("bot.cli.slack", "app"),
    "teams": ("bot.cli.teams", "app"),
    "cadence": ("bot.cli.cadence", "app"),
    "channel": ("bot.cli.channel", "app"),
    "digest": ("bot.cli.digest", "app"),
    "plan": ("bot.cli.cadence", "plan_app"),
    "wheel": ("bot.cli.wheel", "app"),
    "docs": ("bot.cli.docs", "app"),
    "evidence": ("bot.cli.followup", "evidence_app"),
    "assess": ("bot.cli.followup", "assess_app"),
    "consult": ("bot.cli.followup", "consult_app"),
    "measure": ("bot.cli.followup", "measure_app"),
    "audit": ("bot.cli.followup", "audit_app"),
}
#: Commands that live in another command's module: group -> [(name, module, function)].
GUESTS: dict[str, list[tuple[str, str, str]]] = {
    "org": [("sync-slack", "bot.cli.slack", "sync_slack")],
}


def load_command(name: str) -> click.Command:
    """The click command for ``name``, importing its module now."""
    module, attribute = COMMANDS[name]
    target = getattr(import_module(module), attribute)
    if isinstance(target, typer.Typer):
        known = {c.name for c in target.registered_commands}
        for guest, guest_module, function in GUESTS.get(name, []):
            if guest not in known:
                target.command(guest)(getattr(import_module(guest_module), function))
        group = typer.main.get_group(target)
        group.name = name
        return group
    single = typer.Typer()
    single.command(name)(target)
    return typer.main.get_command(single)


class LazyCommands(TyperGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS and cmd_name not in self.commands:
            self.add_command(load_command(cmd_name), cmd_name)
        return super().get_command(ctx, cmd_name)


app = typer.Typer(
    cls=LazyCommands,
    help="tempcheck: anonymous pulse measurements of the working environment in Slack and Teams.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def root(
    ctx: typer.Context,
    locale: str | None = typer.Option(
        None, "--locale", "-l", help="Language of the output: nb or en (default: the setting)."
    ),
) -> None:
    chosen = normalise_locale(locale) if locale else None
    try:
        settings = load_settings()
    except ConfigError as exc:
        typer.echo(exc.render(chosen or DEFAULT_LOCALE), err=True)
        raise typer.Exit(EXIT_CONFIG) from None
    if locale and chosen is None:
        typer.echo(t("cli.unknown_locale", DEFAULT_LOCALE, locale=locale), err=True)
        raise typer.Exit(EXIT_CONFIG)
    # The CLI prints its own summaries; service logs matter only when debugging (serve
    # raises this to TEMPCHECK_LOG_LEVEL).
    configure_logging(settings.log_level if settings.log_level == "DEBUG" else "WARNING")
    ctx.obj = CliState(settings=settings, locale=chosen or settings.default_locale)


def main() -> None:
    app()
