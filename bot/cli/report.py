"""tempcheck report …: exports of released rounds (CSV, XLSX, JSON), audit-logged.

The rows come from core/export.py; this adapter only turns them into a file. A file appears
at ``--out`` only once its export is in the audit log: it is written next to the target
first, the export is recorded, and then it is moved into place.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import tempfile
from pathlib import Path

import typer
from openpyxl import Workbook  # type: ignore[import-untyped]

from bot.app import Container
from bot.cli.common import actor, reported, run_with_container, state_of
from core.errors import TempcheckError
from core.export import (
    PARTS,
    Audience,
    ExportDocument,
    ExportFormat,
    Selection,
    collect_export,
    header,
    parse_choice,
    parse_period_range,
    part_rows,
    part_title,
    parts_for,
    record_export,
    to_csv,
    to_json,
)

app = typer.Typer(help="Reports of released rounds: exports (more to come).")


def to_xlsx(document: ExportDocument, locale: str) -> bytes:
    """One sheet per part, translated headers, every value stored as text (never a formula:
    a comment that starts with "=" stays the words its writer typed)."""
    book = Workbook()
    default = book.active
    if default is not None:
        book.remove(default)
    for part in parts_for(document.audience):
        sheet = book.create_sheet(part_title(part, locale))
        columns = PARTS[part]
        for col, name in enumerate(columns, start=1):
            sheet.cell(row=1, column=col, value=header(name, locale))
        for row_index, row in enumerate(part_rows(document, part), start=2):
            for col, name in enumerate(columns, start=1):
                value = row.get(name)
                if value is None:
                    continue
                cell = sheet.cell(row=row_index, column=col, value=value)
                cell.data_type = "s"
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def render(document: ExportDocument, fmt: ExportFormat, locale: str) -> bytes:
    if fmt is ExportFormat.CSV:
        return to_csv(document, locale).encode("utf-8")
    if fmt is ExportFormat.JSON:
        return to_json(document).encode("utf-8")
    return to_xlsx(document, locale)


def default_path(tenant: str, selection: Selection, fmt: ExportFormat) -> Path:
    what = (
        f"round-{selection.round_id}"
        if selection.round_id is not None
        else f"{selection.start}..{selection.end}"
    )
    return Path(f"tempcheck-{tenant}-{what}.{fmt.value}")


def _unwritable(path: Path, error: OSError) -> TempcheckError:
    return TempcheckError("report.unwritable", path=str(path), reason=error.strerror or str(error))


def check_target(path: Path, *, force: bool) -> None:
    """Refuse before reading anything: an existing file (unless forced), a missing or
    unwritable folder, a folder in place of the file."""
    if path.is_dir():
        raise _unwritable(path, IsADirectoryError(21, os.strerror(21)))
    if path.exists() and not force:
        raise TempcheckError("report.exists", path=str(path))
    folder = path.parent
    if not folder.is_dir():
        raise _unwritable(path, FileNotFoundError(2, os.strerror(2)))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _unwritable(path, PermissionError(13, os.strerror(13)))


def write_beside(path: Path, data: bytes) -> Path:
    """Write ``data`` to a temporary file in the target's folder (same file system)."""
    try:
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
    except OSError as error:
        raise _unwritable(path, error) from None
    return Path(name)


async def export_to(
    c: Container,
    slug: str,
    selection: Selection,
    audience: Audience,
    fmt: ExportFormat,
    target: Path,
    locale: str,
    who: str,
) -> ExportDocument:
    """Collect, write (atomically, after the audit entry is committed) and return an export.
    ``target`` is an absolute path (it is recorded in the audit log)."""
    document = await collect_export(
        c.uows, c.clock, tenant_slug=slug, selection=selection, audience=audience, viewer=who
    )
    data = render(document, fmt, locale)
    temporary = write_beside(target, data)
    try:
        await record_export(
            c.uows,
            c.clock,
            document,
            actor=who,
            fmt=fmt,
            file=str(target),
            sha256=hashlib.sha256(data).hexdigest(),
        )
        os.replace(temporary, target)
    except OSError as error:
        raise _unwritable(target, error) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    return document


@app.command("export")
def export(
    ctx: typer.Context,
    round_id: int | None = typer.Option(None, "--round", help="A released round."),
    period: str | None = typer.Option(
        None, "--period", help="FROM..TO: every released round whose period lies in it."
    ),
    fmt: str = typer.Option("csv", "--format", help="csv, xlsx or json."),
    out: Path | None = typer.Option(
        None, "--out", help="File to write (default: tempcheck-TENANT-ROUND.FORMAT here)."
    ),
    audience: str = typer.Option(
        "org",
        "--audience",
        help="org (HR, verneombud, AMU: everything released) or leader (no sensitive "
        "items, no segments, only comments written to the leader).",
    ),
    force: bool = typer.Option(False, "--force", help="Replace an existing file."),
    tenant: str | None = typer.Option(None, "--tenant", help="Tenant slug."),
) -> None:
    """Export exactly the released cells of rounds; the export is audit-logged."""
    state = state_of(ctx)
    slug = tenant or state.tenant
    with reported(state):
        if round_id is not None and period is not None:
            raise TempcheckError("report.both_selections")
        if round_id is not None:
            selection = Selection(round_id=round_id)
        elif period is not None:
            start, end = parse_period_range(period)
            selection = Selection(start=start, end=end)
        else:
            raise TempcheckError("report.no_selection")
        chosen_format = parse_choice(ExportFormat, fmt, "report.bad_format")
        chosen_audience = parse_choice(Audience, audience, "report.bad_audience")
        target = out if out is not None else default_path(slug, selection, chosen_format)
        check_target(target, force=force)
    who = actor()
    resolved = target.resolve()

    async def work(c: Container) -> ExportDocument:
        return await export_to(
            c, slug, selection, chosen_audience, chosen_format, resolved, state.locale, who
        )

    document = run_with_container(state, work)
    state.say(
        "cli.report.written",
        rounds=len(document.rounds),
        format=chosen_format.value,
        audience=chosen_audience.value,
        path=str(target),
    )
    if document.not_released:
        state.say(
            "cli.report.not_released", rounds=", ".join(str(r) for r in document.not_released)
        )
