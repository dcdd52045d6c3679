"""tempcheck docs export through the real CLI on a SQLite file."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from core.documentation import SECTION_NAMES, canonical_json
from core.i18n import t
from tests.docs.conftest import cli, needs_chromium

PERIOD = ["--from", "2026-01-01", "--to", "2026-12-31"]


def test_json_is_the_machine_readable_twin_of_the_html(workdir: Path) -> None:
    code, out = cli("docs", "export", *PERIOD, "--format", "json", "--out", "doc.json")
    assert code == 0, out
    document = json.loads((workdir / "doc.json").read_text(encoding="utf-8"))
    digest = "sha256:" + hashlib.sha256(canonical_json(document["content"])).hexdigest()
    assert document["content_hash"] == digest
    assert digest in out
    assert tuple(document["content"]["sections"]) == SECTION_NAMES

    code, out = cli(
        "docs", "export", *PERIOD, "--format", "html", "--out", "doc.html", "--locale", "nb"
    )
    assert code == 0, out
    page = (workdir / "doc.html").read_text(encoding="utf-8")
    assert digest in page  # the same content, the same hash, in another format and language
    for name in SECTION_NAMES:
        assert t(f"docs.section.{name}", "nb") in page


def test_a_small_organisation_is_documented_with_too_few_to_report(workdir: Path) -> None:
    roster = "email,name,unit\n" + "".join(f"p{i}@acme.no,Person {i},Acme\n" for i in range(5))
    (workdir / "small.csv").write_text(roster, encoding="utf-8")
    assert cli("org", "import", "small.csv")[0] == 0
    code, out = cli("docs", "export", *PERIOD, "--format", "html", "--out", "small.html")
    assert code == 0, out
    page = (workdir / "small.html").read_text(encoding="utf-8")
    assert "Too few to report" in page
    assert all(f'<section id="{name}">' in page for name in SECTION_NAMES)


@needs_chromium
def test_pdf_is_printed_by_chromium(workdir: Path) -> None:
    code, out = cli("docs", "export", *PERIOD, "--format", "pdf", "--out", "doc.pdf")
    assert code == 0, out
    assert (workdir / "doc.pdf").read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "docx", "--out", "x"], "unknown format 'docx'"),
        (["--format", "json", "--out", "x", "--locale", "sv"], "unknown language 'sv'"),
        (["--format", "pdf", "--out", "x.pdf", "--chromium", "/no/chromium"], "needs Chromium"),
        (["--format", "json", "--out", "no/such/dir/x.json"], "cannot write"),
    ],
)
def test_bad_input_is_a_clear_error(workdir: Path, args: list[str], message: str) -> None:
    code, out = cli("docs", "export", *PERIOD, *args)
    assert code == 1
    assert message in out


def test_bad_dates_are_a_clear_error(workdir: Path) -> None:
    code, out = cli(
        "docs",
        "export",
        "--from",
        "2026-02-30",
        "--to",
        "2026-03-01",
        "--format",
        "json",
        "--out",
        "x",
    )
    assert (code, "2026-02-30" in out) == (1, True)
    code, out = cli(
        "docs",
        "export",
        "--from",
        "2026-03-01",
        "--to",
        "2026-02-01",
        "--format",
        "json",
        "--out",
        "x",
    )
    assert (code, "ends (2026-02-01) before it starts" in out) == (1, True)
