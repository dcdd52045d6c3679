"""T28: exports vs release — identical cells, no exact n. T17: nothing per person.

Releases are built through the real services (roster import, open, submit, close, release) on
SQLite and PostgreSQL; the export is read back from the CSV, XLSX (openpyxl) and JSON bytes
the CLI writes, and compared field by field with the stored release.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from bot.cli.report import render
from core.anonymity.record import (
    CellRelease,
    ParticipationRelease,
    Release,
    SegmentRelease,
    _cell_dict,
)
from core.clock import FixedClock
from core.export import (
    CSV_COLUMNS,
    PARTS,
    Audience,
    ExportDocument,
    ExportFormat,
    Selection,
    collect_export,
    decode_distribution,
    header,
    part_title,
    record_export,
)
from core.keys import KeyStore
from core.ports import UnitOfWorkFactory
from core.round_service import close_round, release_round
from core.submission import Submission, submit
from storage.engine import create_engine, session_factory
from storage.uow import SqlUnitOfWorkFactory
from tests.flow import TENANT, advance, key_store, open_for, organisation, raises_key, setup_org

UNITS = {"Acme": 0, "Acme/Ops": 7, "Acme/Sales": 11, "Acme/Support": 6}
#: Every exact n of the first round: each unit and the whole organisation answer in full.
EXACT_NS = frozenset({7, 11, 6, 24})
COMMENTS = (
    ("leader", "More time for planning, please"),
    ("hr_verneombud", "Something the verneombud should hear"),
    ("themes", "Theme only: never shown verbatim"),
    ("leader", '=HYPERLINK("http://127.0.0.1")'),
)
#: Columns that name things rather than measure them; every other value is checked for n.
IDENTIFIERS = frozenset(
    {"part", "round", "period", "unit_id", "unit", "segment", "metric", "reason", "audience"}
    | {"text", "hidden_for_home_units", "sensitive", "published"}
)


@dataclass
class Built:
    uows: UnitOfWorkFactory
    clock: FixedClock
    keys: KeyStore
    rounds: list[int]


@pytest.fixture
async def built(db_url: str, clock: FixedClock, tmp_path: Path) -> AsyncIterator[Built]:
    engine = create_engine(db_url)
    uows = SqlUnitOfWorkFactory(session_factory(engine))
    keys = key_store(tmp_path)
    await setup_org(uows, clock, UNITS)
    org = await organisation(uows)
    members = sorted(org.active_members(), key=lambda m: m.id)
    rounds = []
    for week, answering in (("2026-W48", len(members)), ("2026-W49", 12), ("2026-W50", 9)):
        found = (await open_for(uows, keys, clock, week)).round
        for i, member in enumerate(members[:answering]):
            values = {
                item.item_key: (2 if i == 0 else 1) if item.sensitive else 1 + (i * 3 + 1) % 5
                for item in found.items
            }
            audience, text = COMMENTS[i] if i < len(COMMENTS) and week == "2026-W48" else (None, "")
            await submit(
                uows,
                keys,
                clock,
                Submission(found.id, member.id, values, comment=text or None, audience=audience),
            )
        advance(clock, days=6)
        await close_round(uows, clock, found.id, actor="t")
        if week != "2026-W50":  # the last round is closed but not yet released
            advance(clock, days=2)
            await release_round(uows, clock, found.id, actor="t")
        rounds.append(found.id)
    try:
        yield Built(uows, clock, keys, rounds)
    finally:
        await engine.dispose()


async def stored(uows: UnitOfWorkFactory, round_id: int) -> Release:
    async with uows() as uow:
        found = await uow.rounds.release(round_id)
    assert found is not None
    return Release.from_json(found.document)


def expected_cells(release: Release, audience: Audience) -> tuple[CellRelease, ...]:
    if audience is Audience.ORG:
        return release.cells
    return tuple(c for c in release.cells if not c.sensitive)


def _opt(value: str | None) -> str | None:
    return value if value not in (None, "") else None


def _flag(value: str | None) -> bool:
    assert value in ("true", "false"), value
    return value == "true"


def _band(row: Mapping[str, str | None]) -> tuple[str, str] | None:
    low, high = _opt(row["band_low"]), _opt(row["band_high"])
    return None if low is None or high is None else (low, high)


def _hidden(row: Mapping[str, str | None]) -> tuple[str, ...]:
    hidden = _opt(row["hidden_for_home_units"])
    return tuple(hidden.split(";")) if hidden else ()


def _measure(row: Mapping[str, str | None]) -> dict[str, Any]:
    """The fields a cell and a segment share, read back from a row."""
    return {
        "metric": str(row["metric"]),
        "sensitive": _flag(row["sensitive"]),
        "published": _flag(row["published"]),
        "reason": _opt(row["reason"]),
        "n_band": _opt(row["n_band"]),
        "score": _opt(row["score"]),
        "band": _band(row),
        "distribution": decode_distribution(_opt(row["distribution"])),
        "prevalence": _opt(row["prevalence"]),
    }


def cell_of(row: Mapping[str, str | None]) -> CellRelease:
    return CellRelease(
        unit=str(row["unit_id"]), hidden_for_home_units=_hidden(row), **_measure(row)
    )


def participation_of(row: Mapping[str, str | None]) -> ParticipationRelease:
    return ParticipationRelease(
        unit=str(row["unit_id"]),
        published=_flag(row["published"]),
        reason=_opt(row["reason"]),
        n_band=_opt(row["n_band"]),
        rate=_opt(row["rate"]),
        hidden_for_home_units=_hidden(row),
    )


def segment_of(row: Mapping[str, str | None]) -> SegmentRelease:
    return SegmentRelease(segment=str(row["segment"]), **_measure(row))


Parts = dict[str, list[dict[str, str | None]]]


def read_csv(data: bytes, locale: str) -> Parts:
    reader = csv.reader(io.StringIO(data.decode("utf-8")))
    headers = next(reader)
    assert headers == [header(c, locale) for c in CSV_COLUMNS]
    parts: Parts = {}
    for values in reader:
        row: dict[str, str | None] = dict(zip(CSV_COLUMNS, values, strict=True))
        parts.setdefault(str(row["part"]), []).append(row)
    return parts


def read_xlsx(data: bytes, locale: str) -> Parts:
    book = load_workbook(io.BytesIO(data))
    titles = {part_title(p, locale): p for p in PARTS}
    parts: Parts = {}
    for sheet in book.worksheets:
        part = titles[sheet.title]
        # Text cells only: a comment starting with "=" must not become a formula.
        assert all(c.data_type == "s" for r in sheet.iter_rows() for c in r if c.value is not None)
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0]) == [header(c, locale) for c in PARTS[part]]
        for values in rows[1:]:
            assert all(v is None or isinstance(v, str) for v in values), values
            row = {
                c: (None if v is None else str(v)) for c, v in zip(PARTS[part], values, strict=True)
            }
            parts.setdefault(part, []).append({**row, "part": part})
        parts.setdefault(part, [])
    return parts


def numbers_in(rows: list[dict[str, str | None]]) -> set[int]:
    found: set[int] = set()
    for row in rows:
        for column, value in row.items():
            if column not in IDENTIFIERS and value:
                found |= {int(x) for x in re.findall(r"\d+", value)}
    return found


async def export(built: Built, selection: Selection, audience: Audience) -> ExportDocument:
    return await collect_export(
        built.uows,
        built.clock,
        tenant_slug=TENANT,
        selection=selection,
        audience=audience,
        viewer="cli:hr",
    )


@pytest.mark.parametrize("audience", list(Audience))
async def test_T28_csv_xlsx_json_equal_the_released_cells_without_exact_n(
    built: Built, audience: Audience
) -> None:
    document = await export(built, Selection(start="2026-W48", end="2026-W50"), audience)
    releases = [await stored(built.uows, r) for r in built.rounds[:2]]
    assert [r.round_id for r in document.rounds] == built.rounds[:2]
    assert document.not_released == (built.rounds[2],)
    org = await organisation(built.uows)
    personal = {m.email for m in org.members} | {m.name for m in org.members}

    for fmt, locale in ((ExportFormat.CSV, "nb"), (ExportFormat.XLSX, "en")):
        data = render(document, fmt, locale)
        parts = (read_csv if fmt is ExportFormat.CSV else read_xlsx)(data, locale)
        by_round = {
            r.round_id: [row for row in parts.get("cell", []) if row["round"] == r.round_id]
            for r in releases
        }
        for release in releases:
            cells = tuple(cell_of(row) for row in by_round[release.round_id])
            assert cells == expected_cells(release, audience), fmt
            participation = tuple(
                participation_of(row)
                for row in parts["participation"]
                if row["round"] == release.round_id
            )
            assert participation == release.participation
            segments = tuple(
                segment_of(row)
                for row in parts.get("segment", [])
                if row["round"] == release.round_id
            )
            assert segments == (release.segments if audience is Audience.ORG else ())
        if fmt is ExportFormat.XLSX:  # one sheet per part the audience may see
            assert ("segment" in parts) is (audience is Audience.ORG)
        all_rows = [row for rows in parts.values() for row in rows]
        assert not numbers_in(all_rows) & EXACT_NS, fmt
        # T17: no person anywhere, not even as a column.
        text = json.dumps(all_rows, ensure_ascii=False)
        assert not any(p in text for p in personal)
        comments = [(row["audience"], row["text"]) for row in parts["comment"]]
        allowed = {"leader"} if audience is Audience.LEADER else {"leader", "hr_verneombud"}
        assert sorted(comments) == sorted((a, t) for a, t in COMMENTS if a in allowed)

    payload = json.loads(render(document, ExportFormat.JSON, "en"))
    assert payload["audience"] == audience.value
    for exported, release in zip(payload["rounds"], releases, strict=True):
        assert exported["release"]["cells"] == [
            _cell_dict(c) for c in expected_cells(release, audience)
        ]
        assert exported["release"]["participation"] == release.to_dict()["participation"]
        assert ("release_hash" in exported) is (audience is Audience.ORG)
        if audience is Audience.ORG:
            assert exported["release_hash"] == release.hash
    json_rows: list[dict[str, str | None]] = [
        {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in cell.items()}
        for r in payload["rounds"]
        for part in ("cells", "participation", "segments", "theme_counts")
        for cell in r["release"][part]
    ]
    assert not numbers_in(json_rows) & EXACT_NS


async def test_T28_the_first_round_shows_what_the_numbers_are(built: Built) -> None:
    """Guards the test itself: the exact n's really are those of the published cells."""
    release = await stored(built.uows, built.rounds[0])
    published = {c.unit: c.n_band for c in release.cells if c.published and not c.sensitive}
    org = await organisation(built.uows)
    by_path = {str(u.id): u.path for u in org.units}
    assert {by_path[u]: band for u, band in published.items()} == {
        "Acme": "20-49",
        "Acme/Ops": "5-9",
        "Acme/Sales": "10-19",
        "Acme/Support": "5-9",
    }
    assert any(c.sensitive and c.published for c in release.cells)
    assert {c.audience for c in release.comments} == {"leader", "hr_verneombud"}


async def test_T28_exports_are_read_through_the_audit_log_and_logged(built: Built) -> None:
    document = await export(built, Selection(round_id=built.rounds[0]), Audience.LEADER)
    await record_export(
        built.uows,
        built.clock,
        document,
        actor="cli:hr",
        fmt=ExportFormat.CSV,
        file="/tmp/x.csv",
        sha256="0" * 64,
    )
    async with built.uows() as uow:
        entries = await uow.audit.entries((await organisation(built.uows)).tenant.id)
    reads = [e for e in entries if e.action == "release.read"]
    exports = [e for e in entries if e.action == "report.export"]
    assert [(e.actor, e.detail) for e in reads] == [
        ("cli:hr", {"round": built.rounds[0], "purpose": "export:leader"})
    ]
    assert [(e.actor, e.at, e.detail) for e in exports] == [
        (
            "cli:hr",
            built.clock.now(),
            {
                "rounds": [built.rounds[0]],
                "audience": "leader",
                "format": "csv",
                "file": "/tmp/x.csv",
                "sha256": "0" * 64,
            },
        )
    ]


async def test_unknown_round_empty_period_and_unreleased_rounds_are_refused(built: Built) -> None:
    with raises_key("round.not_found"):
        await export(built, Selection(round_id=999), Audience.ORG)
    with raises_key("round.not_released"):
        await export(built, Selection(round_id=built.rounds[2]), Audience.ORG)
    with raises_key("report.empty_period"):
        await export(built, Selection(start="2025-W01", end="2025-W52"), Audience.ORG)
    with raises_key("report.none_released"):
        await export(built, Selection(start="2026-W50", end="2026-W52"), Audience.ORG)
    async with built.uows() as uow:
        entries = await uow.audit.entries((await organisation(built.uows)).tenant.id)
    assert not [e for e in entries if e.action in ("release.read", "report.export")]
