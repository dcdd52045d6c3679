"""tempcheck digest …: preview a unit's digest or the org overview as a given person would
see it (audit-logged, released cells only), and queue a released round's digests."""

from __future__ import annotations

from pathlib import Path

import typer

from bot.app import Container
from bot.charts import digest_chart, overview_chart
from bot.cli.common import reported, run_with_container, state_of
from core.digest import Digest, chat_text, html, markdown
from core.digest_service import overview_for, unit_digest
from core.errors import TempcheckError
from core.overview_render import OverviewTable, overview_html, overview_markdown
from core.posts import materialise_posts

app = typer.Typer(help="Digests and the org overview: preview, and queue for posting.")

TenantOption = typer.Option(None, "--tenant", help="Tenant slug (default: TEMPCHECK_TENANT).")
RoundOption = typer.Option(None, "--round", help="Round id (default: the latest released).")
FormatOption = typer.Option("md", "--format", help="md, html or txt (chat text).")
OutOption = typer.Option(None, "--out", help="Write to this file (html: the chart beside it).")


def write(out: Path, text: str, png: bytes | None) -> list[Path]:
    """Write a rendered document, and its chart as ``<name>.png`` beside it."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        written = [out]
        if png is not None:
            chart = out.with_suffix(".png")
            chart.write_bytes(png)
            written.append(chart)
    except OSError as exc:
        raise TempcheckError("digest.cannot_write", path=str(out), reason=exc.strerror) from None
    return written


def render_digest(digest: Digest, fmt: str, out: Path | None) -> tuple[str, bytes | None]:
    if fmt == "md":
        return markdown(digest), None
    if fmt == "txt":
        return chat_text(digest), None
    if fmt == "html":
        png = digest_chart(digest)
        name = out.with_suffix(".png").name if out and png else None
        return html(digest, name), png
    raise TempcheckError("digest.bad_format", format=fmt, allowed="md, html, txt")


def render_overview(
    table: OverviewTable, fmt: str, out: Path | None, locale: str
) -> tuple[str, bytes | None]:
    if fmt == "md":
        return overview_markdown(table, locale), None
    if fmt == "html":
        png = overview_chart(table, locale)
        name = out.with_suffix(".png").name if out else None
        return overview_html(table, locale, name), png
    raise TempcheckError("digest.bad_format", format=fmt, allowed="md, html")


def _emit(ctx: typer.Context, text: str, png: bytes | None, out: Path | None) -> None:
    state = state_of(ctx)
    if out is None:
        typer.echo(text, nl=False)
        return
    with reported(state):
        written = write(out, text, png)
    for path in written:
        state.say("digest.written", path=str(path))


@app.command("preview")
def preview(
    ctx: typer.Context,
    unit: str = typer.Option(..., "--unit", help="Unit path, e.g. Acme/Ops."),
    reader: str | None = typer.Option(
        None, "--as", help="Reader's e-mail (default: the unit's leaders)."
    ),
    round_id: int | None = RoundOption,
    fmt: str = FormatOption,
    out: Path | None = OutOption,
    tenant: str | None = TenantOption,
) -> None:
    """A unit's digest as its reader gets it (the member view of that reader applies)."""
    state = state_of(ctx)

    async def work(c: Container) -> Digest:
        return await unit_digest(
            c.uows,
            c.clock,
            tenant_slug=tenant or state.tenant,
            unit_path=unit,
            round_id=round_id,
            reader_email=reader,
            locale=state.locale,
        )

    digest = run_with_container(state, work)
    with reported(state):
        text, png = render_digest(digest, fmt, out)
    _emit(ctx, text, png, out)


@app.command("overview")
def overview(
    ctx: typer.Context,
    viewer: str = typer.Option(..., "--as", help="Viewer's e-mail: their role decides the scope."),
    round_id: int | None = RoundOption,
    fmt: str = typer.Option("md", "--format", help="md or html."),
    out: Path | None = OutOption,
    tenant: str | None = TenantOption,
) -> None:
    """The factor × unit overview of a round, as this person may see it."""
    state = state_of(ctx)

    async def work(c: Container) -> OverviewTable:
        return await overview_for(
            c.uows,
            c.clock,
            tenant_slug=tenant or state.tenant,
            viewer_email=viewer,
            round_id=round_id,
            locale=state.locale,
        )

    table = run_with_container(state, work)
    with reported(state):
        text, png = render_overview(table, fmt, out, state.locale)
    _emit(ctx, text, png, out)


@app.command("queue")
def queue(ctx: typer.Context, round_id: int = typer.Option(..., "--round")) -> None:
    """Queue a released round's digests and team summaries again (normally automatic after
    release); `tempcheck serve` posts them. Already queued ones are not added twice."""
    state = state_of(ctx)

    async def work(c: Container) -> int:
        async with c.uows() as uow:
            found = await uow.rounds.get(round_id)
        if found is None or found.released_at is None:
            raise TempcheckError("round.not_released", round=round_id)
        return await materialise_posts(c.uows, round_id, c.clock.now())

    state.say("digest.queued", count=run_with_container(state, work), round=round_id)
