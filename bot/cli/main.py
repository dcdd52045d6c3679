"""The ``tempcheck`` command line."""

from __future__ import annotations

import typer

from bot.cli import (
    cadence,
    channel,
    db,
    demo,
    digest,
    docs,
    followup,
    org,
    privacy,
    questions,
    report,
    rounds,
    serve,
    slack,
    status,
    teams,
    wheel,
)
from bot.cli.common import EXIT_CONFIG, CliState
from bot.logs import configure_logging
from bot.settings import load_settings
from core.errors import ConfigError
from core.i18n import DEFAULT_LOCALE, normalise_locale, t

app = typer.Typer(
    help="tempcheck: anonymous pulse measurements of the working environment in Slack and Teams.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(db.app, name="db")
app.add_typer(org.app, name="org")
app.add_typer(questions.app, name="questions")
app.add_typer(rounds.app, name="round")
app.add_typer(privacy.app, name="privacy")
app.add_typer(report.app, name="report")
app.command("demo")(demo.demo)
app.command("serve")(serve.serve)
app.add_typer(slack.app, name="slack")
app.add_typer(teams.app, name="teams")
app.add_typer(cadence.app, name="cadence")
app.add_typer(channel.app, name="channel")
app.add_typer(digest.app, name="digest")
app.add_typer(cadence.plan_app, name="plan")
app.command("status")(status.status)
app.add_typer(wheel.app, name="wheel")
app.add_typer(docs.app, name="docs")
app.add_typer(followup.evidence_app, name="evidence")
app.add_typer(followup.assess_app, name="assess")
app.add_typer(followup.consult_app, name="consult")
app.add_typer(followup.measure_app, name="measure")
app.add_typer(followup.audit_app, name="audit")
org.app.command("sync-slack")(slack.sync_slack)


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
