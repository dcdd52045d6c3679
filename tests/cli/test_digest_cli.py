"""tempcheck digest preview|overview|queue on a real SQLite file with a released round."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from bot.cli import db, digest
from bot.cli.main import root
from core.clock import FixedClock
from core.organisation import Role, RoleGrant
from storage.engine import create_engine, session_factory
from storage.uow import SqlUnitOfWorkFactory
from tests.digest.conftest import UNITS, release_one
from tests.flow import key_store, organisation, setup_org

runner = CliRunner()
app = typer.Typer()
app.callback()(root)
app.add_typer(db.app, name="db")
app.add_typer(digest.app, name="digest")


def cli(*args: str, locale: str = "en") -> tuple[int, str]:
    result = runner.invoke(app, ["--locale", locale, *args])
    return result.exit_code, result.output


async def _prepare(url: str, tmp_path: Path) -> None:
    engine = create_engine(url)
    uows = SqlUnitOfWorkFactory(session_factory(engine))
    clock = FixedClock(datetime(2026, 10, 5, 8, tzinfo=UTC))
    try:
        await setup_org(uows, clock, UNITS)
        org = await organisation(uows)
        ops = org.unit_by_path()["Acme/Ops"].id
        ops_people = [m.id for m in org.members if m.home_unit_id == ops]
        async with uows() as uow:
            await uow.organisation.replace_grants(
                org.tenant.id,
                [RoleGrant(ops_people[0], Role.LEADER, ops), RoleGrant(1, Role.HR_ADMIN, None)],
            )
            await uow.commit()
        await release_one(uows, clock, key_store(tmp_path), "2026-W41", value=2)
    finally:
        await engine.dispose()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    url = f"sqlite+aiosqlite:///{tmp_path / 't.db'}"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TEMPCHECK_DATABASE_URL", url)
    monkeypatch.setenv("TEMPCHECK_TENANT", "acme")
    assert cli("db", "upgrade")[0] == 0
    asyncio.run(_prepare(url, tmp_path))
    return tmp_path


def test_preview_for_the_leader_in_both_languages(workdir: Path) -> None:
    code, out = cli("digest", "preview", "--unit", "Acme/Ops")
    assert code == 0, out
    assert out.startswith("# Pulse results for Acme/Ops, 2026-W41")
    assert "(probably" in out
    code, out = cli("digest", "preview", "--unit", "Acme/Ops", "--format", "txt", locale="nb")
    assert code == 0 and out.startswith("*Pulsresultater for Acme/Ops, 2026-W41*")


def test_html_with_chart_and_overview(workdir: Path) -> None:
    code, out = cli(
        "digest", "preview", "--unit", "Acme/Ops", "--format", "html", "--out", "d/ops.html"
    )
    assert code == 0, out
    assert (workdir / "d/ops.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert 'src="ops.png"' in (workdir / "d/ops.html").read_text(encoding="utf-8")
    code, out = cli("digest", "overview", "--as", "p1@acme.no")
    assert code == 0, out
    assert "| Factor | Acme | Acme/Ops | Acme/Sales |" in out


def test_bad_input(workdir: Path) -> None:
    code, out = cli("digest", "overview", "--as", "p5@acme.no")
    assert code != 0 and "no role that sees results" in out
    code, out = cli("digest", "preview", "--unit", "Acme/Ops", "--format", "pdf")
    assert code != 0 and "unknown format 'pdf'" in out
    code, out = cli("digest", "preview", "--unit", "Acme/Nope")
    assert code != 0 and "Acme/Nope" in out


def test_queue_is_idempotent(workdir: Path) -> None:
    code, out = cli("digest", "queue", "--round", "1")
    # Only Ops has a leader; Acme and Sales have no reader (see `tempcheck channel show`).
    assert code == 0 and "1 digest" in out
    code, out = cli("digest", "queue", "--round", "1")
    assert code == 0 and "0 digest" in out
