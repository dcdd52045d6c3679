"""`tempcheck report export` as an operator runs it, on a real SQLite file."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from core.clock import FixedClock
from core.round_service import close_round, release_round
from storage.engine import create_engine, session_factory
from storage.keys import FileKeyStore
from storage.uow import SqlUnitOfWorkFactory
from tests.flow import advance, answer_all, open_for, organisation, setup_org

runner = CliRunner()


async def _build(url: str, keys: Path) -> None:
    """Two released weeks and one closed but unreleased, through the real services."""
    engine = create_engine(url)
    uows = SqlUnitOfWorkFactory(session_factory(engine))
    clock = FixedClock(datetime(2026, 10, 5, 8, 0, tzinfo=UTC))
    store = FileKeyStore(keys)
    try:
        await setup_org(uows, clock, {"Acme/Ops": 8, "Acme/Sales": 9})
        members = (await organisation(uows)).active_members()
        for week in ("2026-W41", "2026-W42", "2026-W43"):
            found = (await open_for(uows, store, clock, week)).round
            await answer_all(uows, store, clock, found, members)
            advance(clock, days=6)
            await close_round(uows, clock, found.id, actor="t")
            advance(clock, days=1, hours=1)
            if week != "2026-W43":
                await release_round(uows, clock, found.id, actor="t")
    finally:
        await engine.dispose()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    url = f"sqlite+aiosqlite:///{tmp_path / 't.db'}"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TEMPCHECK_DATABASE_URL", url)
    monkeypatch.setenv("TEMPCHECK_TENANT", "acme")
    monkeypatch.setenv("TEMPCHECK_KEY_STORE_PATH", str(tmp_path / "keys"))
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    asyncio.run(_build(url, tmp_path / "keys"))
    return tmp_path


def cli(*args: str, locale: str = "en") -> tuple[int, str]:
    result = runner.invoke(app, ["--locale", locale, "report", "export", *args])
    return result.exit_code, result.output


def audit_actions(workdir: Path) -> list[tuple[str, str, dict[str, object]]]:
    async def read() -> list[tuple[str, str, dict[str, object]]]:
        engine = create_engine(f"sqlite+aiosqlite:///{workdir / 't.db'}")
        try:
            uows = SqlUnitOfWorkFactory(session_factory(engine))
            tenant_id = (await organisation(uows)).tenant.id
            async with uows() as uow:
                entries = await uow.audit.entries(tenant_id)
        finally:
            await engine.dispose()
        return [(e.actor, e.action, dict(e.detail)) for e in entries]

    return asyncio.run(read())


def test_export_writes_the_file_and_logs_it(workdir: Path) -> None:
    code, out = cli("--round", "1", "--format", "json")
    assert code == 0, out
    written = workdir / "tempcheck-acme-round-1.json"
    assert f"to {written.name}" in out and "audit log" in out
    payload = json.loads(written.read_text(encoding="utf-8"))
    assert [r["round_id"] for r in payload["rounds"]] == [1]
    assert payload["rounds"][0]["period"] == "2026-W41"
    exports = [(a, d) for a, action, d in audit_actions(workdir) if action == "report.export"]
    assert len(exports) == 1
    who, detail = exports[0]
    assert who.startswith("cli:")
    assert detail["rounds"] == [1] and detail["format"] == "json"
    assert detail["file"] == str(written.resolve())
    assert not list(workdir.glob(".tempcheck-*"))  # no temporary file left behind


def test_a_period_exports_released_rounds_and_names_the_others(workdir: Path) -> None:
    code, out = cli("--period", "2026-W40..2026-W52", "--format", "csv", "--out", "all.csv")
    assert code == 0, out
    assert "Wrote 2 round(s)" in out and "round(s) 3" in out
    lines = (workdir / "all.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("part,round,period,unit id,unit,")
    assert {line.split(",")[2] for line in lines[1:]} == {"2026-W41", "2026-W42"}
    code, out = cli(
        "--period", "2026-W40..2026-W52", "--format", "xlsx", "--out", "all.xlsx", locale="nb"
    )
    assert code == 0 and "Skrev 2 runde(r)" in out
    assert (workdir / "all.xlsx").read_bytes()[:2] == b"PK"


@pytest.mark.parametrize(
    ("args", "english", "bokmal"),
    [
        (("--round", "99"), "no round 99", "ingen runde 99"),
        (("--round", "3"), "round 3 has no released results yet", "runde 3 har ingen frigitte"),
        (("--period", "2026-W50..2026-W40"), "expected FROM..TO", "forventet FRA..TIL"),
        (("--period", "2026-W01"), "expected FROM..TO", "forventet FRA..TIL"),
        (("--period", "2025-W01..2025-W52"), "has no round in", "har ingen runde i"),
        (("--period", "2026-W43..2026-W45"), "none of the 1 round(s)", "ingen av de 1 rundene"),
        ((), "choose what to export", "velg hva som skal eksporteres"),
        (("--round", "1", "--period", "a..b"), "not both", "ikke begge"),
        (("--round", "1", "--format", "pdf"), "choose one of csv, xlsx, json", "velg en av"),
        (("--round", "1", "--audience", "team"), "choose one of org, leader", "velg en av"),
        (("--round", "1", "--out", "missing/x.csv"), "cannot write", "kan ikke skrive"),
        (("--round", "1", "--out", "."), "cannot write", "kan ikke skrive"),
    ],
)
def test_bad_requests_get_a_translated_error_and_nothing_is_written(
    workdir: Path, args: tuple[str, ...], english: str, bokmal: str
) -> None:
    before = sorted(p.name for p in workdir.iterdir())
    for locale, expected in (("en", english), ("nb", bokmal)):
        code, out = cli(*args, locale=locale)
        assert code == 1, out
        assert expected in out
    assert sorted(p.name for p in workdir.iterdir()) == before
    assert not [a for a in audit_actions(workdir) if a[1] == "report.export"]


def test_an_existing_file_is_kept_unless_forced(workdir: Path) -> None:
    (workdir / "keep.csv").write_text("mine", encoding="utf-8")
    code, out = cli("--round", "1", "--out", "keep.csv")
    assert code == 1 and "already exists" in out
    assert (workdir / "keep.csv").read_text(encoding="utf-8") == "mine"
    code, out = cli("--round", "1", "--out", "keep.csv", "--force")
    assert code == 0, out
    assert (workdir / "keep.csv").read_text(encoding="utf-8").startswith("part,")


def test_help_lists_the_report_command(workdir: Path) -> None:
    result = runner.invoke(app, ["--locale", "en", "--help"])
    assert "report" in result.output
    result = runner.invoke(app, ["--locale", "en", "report", "export", "--help"])
    for option in ("--round", "--period", "--format", "--out", "--audience", "--tenant"):
        assert option in result.output
