"""The documentation rendered by a real browser engine (headless Chromium): every section is
in the PDF and nothing withheld appears in it; the small organisation's PDF is complete too.
Built from real releases through the services on a SQLite file."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot.pdf import FLAGS, find_chromium, html_to_pdf
from core.clock import FixedClock
from core.documentation import SECTION_NAMES, Documentation, documentation_html
from core.errors import TempcheckError
from core.i18n import t
from core.ports import UnitOfWorkFactory
from storage.engine import create_engine, session_factory
from storage.uow import SqlUnitOfWorkFactory
from tests.docs.conftest import SUPPRESSED, build_scenario, needs_chromium
from tests.docs.test_docs_export import export
from tests.flow import setup_org


@pytest.fixture
async def sqlite_uows(sqlite_migrated_url: str) -> AsyncIterator[UnitOfWorkFactory]:
    engine = create_engine(sqlite_migrated_url)
    try:
        yield SqlUnitOfWorkFactory(session_factory(engine))
    finally:
        await engine.dispose()


def pdf_text(doc: Documentation, locale: str, folder: Path) -> str:
    """Print the HTML to PDF with Chromium, then read its text back (pdftotext when
    poppler-utils is there, else the DOM as Chromium parsed it)."""
    page = documentation_html(doc, locale)
    pdf = folder / f"doc-{locale}.pdf"
    html_to_pdf(page, pdf, timeout=120)
    assert pdf.read_bytes().startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        done = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, timeout=60
        )
        return done.stdout.decode("utf-8")
    return dom_text(page, folder)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[str] = []
        self._row: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("tr", "p", "li", "h1", "h2", "h3"):
            self._flush()

    def handle_data(self, data: str) -> None:
        self._row.append(data)

    def _flush(self) -> None:
        if self._row:
            self.rows.append(" ".join(x.strip() for x in self._row if x.strip()))
        self._row = []

    def close(self) -> None:
        super().close()
        self._flush()


def dom_text(page: str, folder: Path) -> str:
    """The page as headless Chromium parsed it (--dump-dom), one line per row or paragraph."""
    browser = find_chromium()
    assert browser is not None
    source = folder / "page.html"
    source.write_text(page, encoding="utf-8")
    done = subprocess.run(
        [browser, *FLAGS, f"--user-data-dir={folder / 'profile'}", "--dump-dom", source.as_uri()],
        capture_output=True,
        check=True,
        timeout=120,
    )
    parser = _Text()
    parser.feed(done.stdout.decode("utf-8"))
    parser.close()
    return "\n".join(parser.rows)


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@needs_chromium
async def test_the_pdf_has_every_section_and_no_withheld_value(
    sqlite_uows: UnitOfWorkFactory, clock: FixedClock, tmp_path: Path
) -> None:
    scenario = await build_scenario(sqlite_uows, clock, tmp_path)
    doc = await export(sqlite_uows, clock)
    for locale in ("en", "nb"):
        text = pdf_text(doc, locale, tmp_path)
        flat = _flat(text)
        for name in SECTION_NAMES:
            assert t(f"docs.section.{name}", locale) in flat, name
        assert doc.content_hash.split(":")[1][:40] in flat.replace(" ", "")
        assert t("anonymity.reason.too_few_respondents", locale) in flat
        sales = [line for line in text.splitlines() if SUPPRESSED in line]
        assert len(sales) >= 5  # participation, four factors, the cited evidence
        for line in sales:
            # Only the round's number may stand on a line of the suppressed unit: no score,
            # band, response band or rate.
            rest = line.replace(str(scenario.released.id), "")
            assert not re.search(r"\d", rest), line
        # The values Acme/Sales would have had (its three answers were all the lowest).
        assert "≤ 10" not in flat


@needs_chromium
async def test_a_small_organisation_gets_a_complete_pdf(
    sqlite_uows: UnitOfWorkFactory, clock: FixedClock, tmp_path: Path
) -> None:
    await setup_org(sqlite_uows, clock, {"Liten": 5})
    doc = await export(sqlite_uows, clock)
    text = _flat(pdf_text(doc, "nb", tmp_path))
    for name in SECTION_NAMES:
        assert t(f"docs.section.{name}", "nb") in text
    assert "For få til å rapportere" in text


@needs_chromium
async def test_chromium_parses_the_page_with_every_section(
    sqlite_uows: UnitOfWorkFactory, clock: FixedClock, tmp_path: Path
) -> None:
    await build_scenario(sqlite_uows, clock, tmp_path)
    doc = await export(sqlite_uows, clock)
    text = dom_text(documentation_html(doc, "en"), tmp_path)
    for name in SECTION_NAMES:
        assert t(f"docs.section.{name}", "en") in text
    sales_rows = [row for row in text.splitlines() if row.startswith(("Workload", "Change"))]
    assert any(SUPPRESSED in row and "too few responses" in row for row in sales_rows)


def test_a_missing_or_failing_browser_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TempcheckError) as caught:
        html_to_pdf("<p>x</p>", tmp_path / "x.pdf", chromium=str(tmp_path / "no-chromium"))
    assert caught.value.key == "docs.pdf.no_chromium"
    assert "apt-get install chromium" in caught.value.render("en")
    failing = tmp_path / "failing-browser"
    failing.write_text("#!/bin/sh\necho 'cannot open display' >&2\nexit 3\n", encoding="utf-8")
    failing.chmod(0o755)
    with pytest.raises(TempcheckError) as caught:
        html_to_pdf("<p>x</p>", tmp_path / "x.pdf", chromium=str(failing))
    assert caught.value.key == "docs.pdf.failed"
    assert "exit 3: cannot open display" in caught.value.render("en")
    assert not (tmp_path / "x.pdf").exists()
