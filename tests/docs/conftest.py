"""An organisation with one released round in which one unit is suppressed (too few
responses), a round still open, follow-up records and some audited changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.pdf import find_chromium
from core.cadence_service import set_unit_cadence
from core.clock import FixedClock
from core.ports import UnitOfWorkFactory
from core.round_service import change_thresholds, close_round, release_round
from core.rounds import Round
from core.wheel import WheelKind, add_wheel_entry
from tests.docs.records import follow_up
from tests.flow import TENANT, advance, answer_all, key_store, open_for, organisation, setup_org

UNITS = {"Acme": 6, "Acme/Ops": 9, "Acme/Sales": 8}
SUPPRESSED = "Acme/Sales"
SALES_ANSWERS = 3  # under K_RESP = 5
PERIOD = (date(2026, 11, 1), date(2026, 12, 31))

needs_chromium = pytest.mark.skipif(
    find_chromium() is None,
    reason="headless Chromium is not installed (apt-get install chromium); PDF rendering "
    "tests need a real browser engine",
)


@dataclass
class Scenario:
    uows: UnitOfWorkFactory
    clock: FixedClock
    released: Round
    still_open: Round


async def build_scenario(uows: UnitOfWorkFactory, clock: FixedClock, tmp_path: Path) -> Scenario:
    keys = key_store(tmp_path)
    await setup_org(uows, clock, UNITS)
    org = await organisation(uows)
    by_path = org.unit_by_path()
    opened = await open_for(uows, keys, clock, "2026-W48")
    members = {
        path: [m for m in org.active_members() if m.home_unit_id == unit.id]
        for path, unit in by_path.items()
    }
    # Everyone in Acme and Acme/Ops answers; in Acme/Sales only three, all at the bottom.
    await answer_all(uows, keys, clock, opened.round, members["Acme"] + members["Acme/Ops"], 4)
    await answer_all(uows, keys, clock, opened.round, members[SUPPRESSED][:SALES_ANSWERS], 1)
    advance(clock, days=6)
    await close_round(uows, clock, opened.round.id, actor="t")
    advance(clock, days=1)
    await release_round(uows, clock, opened.round.id, actor="t")
    await change_thresholds(
        uows, clock, tenant_slug=TENANT, changes={"k_comment": 12}, actor="cli:hr"
    )
    await set_unit_cadence(
        uows,
        clock,
        tenant_slug=TENANT,
        unit_path="Acme/Ops",
        changes={"frequency": "biweekly"},
        actor="cli:hr",
    )
    await add_wheel_entry(
        uows,
        clock,
        tenant_slug=TENANT,
        kind=WheelKind.SAFETY_ROUND,
        day=date(2026, 12, 9),
        owner="verneombud",
        title="Vernerunde lager",
        actor="cli:hr",
    )
    await follow_up(
        uows,
        clock,
        unit="Acme/Ops",
        assessed_on=date(2026, 12, 2),
        due_on=date(2026, 12, 20),
        round_id=opened.round.id,
        cells=("Acme/Ops", SUPPRESSED),
    )
    second = await open_for(uows, keys, clock, "2026-W49")
    return Scenario(uows, clock, opened.round, second.round)


runner = CliRunner()
CLI_ROSTER = "email,name,unit\n" + "".join(
    f"p{i}@acme.no,Person {i},{'Acme/Ops' if i % 2 else 'Acme'}\n" for i in range(12)
)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TEMPCHECK_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 't.db'}")
    monkeypatch.setenv("TEMPCHECK_TENANT", "acme")
    monkeypatch.setenv("TEMPCHECK_KEY_STORE_PATH", str(tmp_path / "keys"))
    (tmp_path / "org.csv").write_text(CLI_ROSTER, encoding="utf-8")
    for args in (["db", "upgrade"], ["org", "import", "org.csv"], ["questions", "import"]):
        assert cli(*args)[0] == 0
    return tmp_path


def cli(*args: str, locale: str = "en") -> tuple[int, str]:
    result = runner.invoke(app, ["--locale", locale, *args])
    return result.exit_code, result.output
