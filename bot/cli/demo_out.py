"""What leaders and employees would see after the demo's weeks, written to a folder: each
unit's latest digest (Markdown, HTML, PNG chart) as its leaders get it, each team's summary,
the org overview as HR sees it, and exports of every released round. Everything is built by
the same services as in production, from frozen releases only, and audit-logged."""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.app import Container
from bot.charts import digest_chart, overview_chart
from bot.cli.report import export_to
from core.digest import html, markdown, summary_text
from core.digest_service import overview_for, unit_digest
from core.errors import TempcheckError
from core.export import Audience, ExportFormat, Selection
from core.i18n import t
from core.organisation import Role
from core.overview_render import overview_html, overview_markdown
from core.question_sets import require_tenant
from core.rounds import RoundStatus

RESULTS = "results"


@dataclass
class Written:
    digests: list[tuple[str, Path]] = field(default_factory=list)  # (unit path, html file)
    summaries: list[tuple[str, Path]] = field(default_factory=list)
    overview: Path | None = None
    exports: list[Path] = field(default_factory=list)
    index: Path | None = None


def slug(path: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", path.replace("/", "--")).strip("-").lower()


def _write(path: Path, text: str | bytes) -> Path:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise TempcheckError("digest.cannot_write", path=str(path), reason=exc.strerror) from None
    return path


async def write_results(c: Container, tenant_slug: str, out: Path, locale: str) -> Written:
    folder = (out / RESULTS).resolve()
    written = Written()
    async with c.uows() as uow:
        tenant = await require_tenant(uow, tenant_slug)
        org = await uow.organisation.load(tenant.id)
        released = [r for r in await uow.rounds.list(tenant.id) if r.status is RoundStatus.RELEASED]
        units_of = {r.id: [u.unit_id for u in await uow.rounds.units(r.id)] for r in released}
    latest: dict[int, int] = {}  # unit -> the latest released round that asked it
    for found in sorted(released, key=lambda r: (r.opened_at, r.id)):
        for unit_id in units_of[found.id]:
            latest[unit_id] = found.id
    by_id = org.unit_by_id()
    for unit_id, round_id in sorted(latest.items(), key=lambda x: by_id[x[0]].path):
        path = by_id[unit_id].path
        digest = await unit_digest(
            c.uows, c.clock, tenant_slug=tenant_slug, unit_path=path, round_id=round_id,
            locale=locale,
        )  # fmt: skip
        name = slug(path)
        png = digest_chart(digest)
        base = folder / "digests" / name
        _write(base.with_suffix(".md"), markdown(digest))
        if png is not None:
            _write(base.with_suffix(".png"), png)
        page = _write(base.with_suffix(".html"), html(digest, f"{name}.png" if png else None))
        written.digests.append((path, page))
        # The team channel's members are not known: the strictest view, like in production.
        team = await unit_digest(
            c.uows, c.clock, tenant_slug=tenant_slug, unit_path=path, round_id=round_id,
            locale=locale, reader_email=None, strict=True,
        )  # fmt: skip
        text = summary_text(team)
        if text is not None:
            written.summaries.append(
                (path, _write(folder / "team-summaries" / f"{name}.txt", text + "\n"))
            )
    hr = next((g.member_id for g in org.grants if g.role is Role.HR_ADMIN), None)
    members = {m.id: m for m in org.members}
    if hr is not None and released:
        table = await overview_for(
            c.uows, c.clock, tenant_slug=tenant_slug, viewer_email=members[hr].email,
            locale=locale,
        )  # fmt: skip
        _write(folder / "overview.md", overview_markdown(table, locale))
        _write(folder / "overview.png", overview_chart(table, locale))
        written.overview = _write(
            folder / "overview.html", overview_html(table, locale, "overview.png")
        )
    if released:
        periods = sorted(r.period for r in released)
        selection = Selection(start=periods[0], end=periods[-1])
        for fmt in (ExportFormat.CSV, ExportFormat.XLSX, ExportFormat.JSON):
            target = (folder / "exports" / f"results.{fmt.value}").resolve()
            target.parent.mkdir(parents=True, exist_ok=True)
            await export_to(c, tenant_slug, selection, Audience.ORG, fmt, target, locale, "demo")
            written.exports.append(target)
    written.index = _write(folder / "index.html", _index(written, folder, locale))
    return written


def _index(written: Written, folder: Path, locale: str) -> str:
    esc = html_lib.escape

    def link(path: Path, label: str) -> str:
        return f'<li><a href="{esc(str(path.relative_to(folder)))}">{esc(label)}</a></li>'

    parts = [
        f"<h1>{esc(t('demo.out.title', locale))}</h1>",
        f"<p>{esc(t('demo.out.lead', locale))}</p>",
    ]
    if written.overview:
        parts.append(f"<h2>{esc(t('demo.out.overview', locale))}</h2><ul>")
        parts.append(link(written.overview, t("demo.out.overview_link", locale)) + "</ul>")
    parts.append(f"<h2>{esc(t('demo.out.digests', locale))}</h2><ul>")
    parts += [link(page, unit) for unit, page in written.digests]
    parts.append("</ul>")
    parts.append(f"<h2>{esc(t('demo.out.summaries', locale))}</h2><ul>")
    parts += [link(page, unit) for unit, page in written.summaries]
    parts.append("</ul>")
    parts.append(f"<h2>{esc(t('demo.out.exports', locale))}</h2><ul>")
    parts += [link(path, path.name) for path in written.exports]
    parts.append("</ul>")
    return (
        f'<!doctype html>\n<html lang="{esc(locale)}"><head><meta charset="utf-8">'
        f"<title>{esc(t('demo.out.title', locale))}</title></head>\n<body>\n"
        + "\n".join(parts)
        + "\n</body></html>\n"
    )
