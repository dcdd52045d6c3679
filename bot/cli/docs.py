"""tempcheck docs export: the documentation for internal-control audits, as HTML, PDF
(rendered by headless Chromium) or JSON (the machine-readable twin, same content hash)."""

from __future__ import annotations

from pathlib import Path

import typer

from bot.app import Container
from bot.cli.common import actor, reported, run_with_container, state_of
from bot.cli.output import write_text
from bot.pdf import DEFAULT_TIMEOUT, html_to_pdf
from core.cadence import parse_date
from core.documentation import Documentation, build_documentation, documentation_html
from core.errors import TempcheckError
from core.i18n import normalise_locale

app = typer.Typer(help="Documentation for internal-control audits (internkontroll).")
FORMATS = ("html", "pdf", "json")


@app.command("export")
def export(
    ctx: typer.Context,
    start: str = typer.Option(..., "--from", help="First day of the period, YYYY-MM-DD."),
    end: str = typer.Option(..., "--to", help="Last day of the period, YYYY-MM-DD."),
    fmt: str = typer.Option(..., "--format", help="html, pdf or json."),
    out: Path = typer.Option(..., "--out", help="File to write."),
    locale: str | None = typer.Option(
        None, "--locale", help="nb or en (default: the CLI's language)."
    ),
    chromium: str | None = typer.Option(
        None, "--chromium", help="Chromium to print the PDF with (default: found on PATH)."
    ),
    timeout: float = typer.Option(DEFAULT_TIMEOUT, "--timeout", help="Seconds for the PDF."),
    tenant: str | None = typer.Option(None, "--tenant", help="Tenant slug."),
) -> None:
    """One document for the period: routine, annual wheel, mappings (released results only),
    risk assessments, measures, consultation log and audit trail; audit-logged."""
    state = state_of(ctx)
    chosen = fmt.strip().lower()
    with reported(state):
        if chosen not in FORMATS:
            raise TempcheckError("cli.unknown_format", value=fmt, allowed=", ".join(FORMATS))
        language = normalise_locale(locale) if locale else state.locale
        if language is None:
            raise TempcheckError("cli.unknown_locale", locale=locale)
        first, last = parse_date(start), parse_date(end)

    async def work(c: Container) -> Documentation:
        return await build_documentation(
            c.uows,
            c.clock,
            tenant_slug=tenant or state.tenant,
            start=first,
            end=last,
            timezone=state.settings.default_timezone,
            actor=actor(),
            output=chosen,
        )

    doc = run_with_container(state, work)
    with reported(state):
        if chosen == "json":
            write_text(out, doc.to_json())
        elif chosen == "html":
            write_text(out, documentation_html(doc, language))
        else:
            html_to_pdf(documentation_html(doc, language), out, chromium=chromium, timeout=timeout)
    state.say(
        "cli.docs.exported",
        start=first,
        end=last,
        path=out,
        format=chosen,
        locale=language,
        hash=doc.content_hash,
    )
