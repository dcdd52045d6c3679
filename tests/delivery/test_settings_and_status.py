"""Scheduler settings fail clearly; ``tempcheck status`` shows the leader and next runs from
the heartbeat, and deliveries as counts only (T17: nobody's participation)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.settings import load_settings
from core.cadence_service import set_unit_cadence
from core.clock import FixedClock
from core.delivery import INVITATION, materialise
from core.errors import ConfigError
from core.organisation import Member
from storage.engine import create_engine, session_factory
from storage.heartbeat import Heartbeat
from storage.uow import SqlUnitOfWorkFactory
from tests.flow import key_store, open_for, organisation, setup_org


@pytest.mark.parametrize(
    ("setting", "value", "says"),
    [
        ("delivery_rate", 0, "TEMPCHECK_DELIVERY_RATE: must be greater than 0"),
        ("sweep_seconds", -1, "TEMPCHECK_SWEEP_SECONDS: must be greater than 0"),
        ("delivery_burst", 0, "TEMPCHECK_DELIVERY_BURST: must be between 1 and 10000"),
        ("scheduler", "maybe", "TEMPCHECK_SCHEDULER: Input should be 'on', 'off' or 'send-only'"),
        ("delivery_lease_seconds", 1, "TEMPCHECK_DELIVERY_LEASE_SECONDS (1) must be at least"),
    ],
)
def test_invalid_scheduler_settings_name_the_setting(
    setting: str, value: object, says: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(**{setting: value})
    assert says in raised.value.render("en")


def test_defaults_and_batch_follow_the_rate() -> None:
    settings = load_settings(delivery_rate=100)
    assert (settings.scheduler, settings.send_batch) == ("on", 50)
    assert load_settings(delivery_rate=0.5, delivery_lease_seconds=8).send_batch == 1


async def _prepare(tmp_path: Path, url: str, now: datetime) -> list[Member]:
    clock = FixedClock(now)
    engine = create_engine(url)
    try:
        uows = SqlUnitOfWorkFactory(session_factory(engine))
        await setup_org(uows, clock, {"Acme/Ops": 7, "Acme/Tiny": 3})
        found = (await open_for(uows, key_store(tmp_path), clock, "2026-W48")).round
        await materialise(uows, found.id, INVITATION, lambda m: clock.now())
        # A unit of 3 with a cadence of its own: too small to get rounds, said in status.
        await set_unit_cadence(
            uows, clock, tenant_slug="acme", unit_path="Acme/Tiny",
            changes={"frequency": "monthly"}, actor="t",
        )  # fmt: skip
        beat = Heartbeat(engine)
        await beat.join("host-a:11:aaaaaa", "on", now)
        await beat.join("host-b:12:bbbbbb", "send-only", now - timedelta(hours=1))
        await beat.lead("host-a:11:aaaaaa", now)
        await beat.beat(
            "host-a:11:aaaaaa",
            now,
            last_sweep_at=now,
            next_sweep_at=now + timedelta(seconds=60),
            next_send_at=now + timedelta(seconds=2),
        )
        return list((await organisation(uows)).active_members())
    finally:
        await engine.dispose()


def test_status_shows_leader_next_runs_and_counts_only(
    tmp_path: Path, sqlite_migrated_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = datetime.now(UTC)
    members = asyncio.run(_prepare(tmp_path, sqlite_migrated_url, now))
    monkeypatch.setenv("TEMPCHECK_DATABASE_URL", sqlite_migrated_url)
    monkeypatch.setenv("TEMPCHECK_TENANT", "acme")
    result = CliRunner().invoke(app, ["--locale", "en", "status"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "  invitation  pending: 10" in out
    assert "Units with a cadence of their own that get no rounds: 1" in out
    assert "  Acme/Tiny: no round opens; its rounds would ask only 3 people" in out
    assert "Digests and team summaries (results outbox), by purpose and outcome:\n  none" in out
    next_sweep = (now + timedelta(seconds=60)).isoformat(timespec="seconds")
    assert "host-a:11:aaaaaa (on), leader since" in out and f"next sweep {next_sweep}" in out
    assert "host-b:12:bbbbbb (send-only):" in out and "probably stopped" in out
    for member in members:  # nobody is named, by name, id or platform id
        assert member.name not in out and (member.slack_user_id or "-") not in out
