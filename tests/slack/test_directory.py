"""Matching the roster to Slack users by e-mail, on every storage backend, and from the CLI."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.slack.directory import SyncResult, sync_slack_users
from bot.slack.messenger import slack_client
from core.clock import FixedClock
from core.errors import TempcheckError
from core.org_import import import_roster
from core.ports import UnitOfWorkFactory
from core.roster import parse_roster
from storage.engine import create_engine, session_factory
from storage.uow import SqlUnitOfWorkFactory
from tests.fakes.slack_api import FakeSlackApi
from tests.flow import TENANT, organisation

HEADER = "email,name,unit,slack_user_id\n"
ROSTER = (
    HEADER + "anna@acme.no,Anna A,Acme,\n"  # Slack knows her: linked now
    "bjorn@acme.no,Bjørn B,Acme,UBJORN\n"  # already linked
    "cecilie@acme.no,Cecilie C,Acme,\n"  # not in Slack
    "dag@acme.no,Dag D,Acme/Ops,\n"  # Slack says UBJORN: held by Bjørn
    "eva@acme.no,Eva E,Acme/Ops,UEVA\n"  # leaves (deactivated), keeps UEVA
    "frode@acme.no,Frode F,Acme/Ops,\n"  # Slack says UEVA: held by Eva, though inactive
)
SLACK_USERS = {
    "anna@acme.no": "UANNA",
    "bjorn@acme.no": "UBJORN",
    "dag@acme.no": "UBJORN",
    "frode@acme.no": "UEVA",
}


class RecordingSleep:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


async def _import(uows: UnitOfWorkFactory, clock: FixedClock, csv: str) -> None:
    await import_roster(uows, clock, parse_roster(csv, "org.csv"), tenant_slug=TENANT, actor="t")


async def setup_roster(uows: UnitOfWorkFactory, clock: FixedClock) -> None:
    await _import(uows, clock, ROSTER)
    await _import(uows, clock, "\n".join(row for row in ROSTER.splitlines() if "eva@" not in row))


@pytest.fixture
async def api() -> AsyncIterator[FakeSlackApi]:
    async with FakeSlackApi() as running:
        running.users_by_email.update(SLACK_USERS)
        yield running


async def slack_ids(uows: UnitOfWorkFactory) -> dict[str, str | None]:
    return {m.email: m.slack_user_id for m in (await organisation(uows)).members}


async def test_sync_links_matches_and_reports_the_rest(
    uows: UnitOfWorkFactory, clock: FixedClock, api: FakeSlackApi
) -> None:
    await setup_roster(uows, clock)
    sleep = RecordingSleep()
    client = slack_client("xoxb-test", base_url=api.base_url)
    result = await sync_slack_users(uows, client, tenant_slug=TENANT, sleep=sleep, clock=clock)
    assert result == SyncResult(
        matched=1,
        already=1,
        unmatched=("cecilie@acme.no",),
        conflicts=("dag@acme.no", "frode@acme.no"),
    )
    assert await slack_ids(uows) == {
        "anna@acme.no": "UANNA",
        "bjorn@acme.no": "UBJORN",  # not overwritten by Dag's match
        "cecilie@acme.no": None,
        "dag@acme.no": None,
        "eva@acme.no": "UEVA",  # not taken over by Frode
        "frode@acme.no": None,
    }
    looked_up = [c.params["email"] for c in api.calls_to("users.lookupByEmail")]
    assert sorted(looked_up) == ["anna@acme.no", "cecilie@acme.no", "dag@acme.no", "frode@acme.no"]
    assert sleep.delays == []  # no pacing unless Slack asks for it
    async with uows() as uow:
        tenant = await uow.organisation.get_tenant(TENANT)
        assert tenant is not None
        entries = await uow.audit.entries(tenant.id)
    assert entries[-1].action == "org.sync_slack"
    assert entries[-1].detail == {"matched": 1, "already": 1, "unmatched": 1, "conflicts": 2}

    before = await slack_ids(uows)
    again = await sync_slack_users(uows, client, tenant_slug=TENANT, sleep=sleep, clock=clock)
    assert again == SyncResult(
        matched=0, already=2, unmatched=result.unmatched, conflicts=result.conflicts
    )
    assert await slack_ids(uows) == before


async def test_sync_waits_out_429_and_skips_deactivated_slack_users(
    uows: UnitOfWorkFactory, clock: FixedClock, api: FakeSlackApi
) -> None:
    await _import(uows, clock, HEADER + "anna@acme.no,Anna A,Acme,\ngone@acme.no,Gone G,Acme,\n")
    api.users_by_email["gone@acme.no"] = "UGONE"
    api.users["UGONE"] = {"deleted": True}
    api.rate_limit_next("users.lookupByEmail", retry_after=20, times=2)
    sleep = RecordingSleep()
    client = slack_client("xoxb-test", base_url=api.base_url)
    result = await sync_slack_users(uows, client, tenant_slug=TENANT, sleep=sleep, clock=clock)
    assert (result.matched, result.unmatched) == (1, ("gone@acme.no",))
    assert sleep.delays == [20.0, 20.0]
    assert (await slack_ids(uows))["gone@acme.no"] is None


async def test_sync_stops_on_a_refused_token_and_writes_nothing(
    uows: UnitOfWorkFactory, clock: FixedClock, api: FakeSlackApi
) -> None:
    await setup_roster(uows, clock)
    api.fail_next("users.lookupByEmail", error="invalid_auth")
    client = slack_client("xoxb-test", base_url=api.base_url)
    with pytest.raises(TempcheckError) as caught:
        await sync_slack_users(uows, client, tenant_slug=TENANT, sleep=RecordingSleep())
    assert caught.value.key == "slack.sync.failed"
    assert "invalid_auth" in caught.value.render("en")
    assert len(api.calls_to("users.lookupByEmail")) == 1
    assert (await slack_ids(uows))["anna@acme.no"] is None


# --- tempcheck org sync-slack ----------------------------------------------------------


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sqlite_migrated_url: str) -> str:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("TEMPCHECK_DATABASE_URL", sqlite_migrated_url)
    monkeypatch.setenv("TEMPCHECK_TENANT", TENANT)
    return sqlite_migrated_url


async def test_cli_sync_prints_counts_and_unmatched_emails(
    env: str, clock: FixedClock, api: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine(env)
    try:
        await setup_roster(SqlUnitOfWorkFactory(session_factory(engine)), clock)
    finally:
        await engine.dispose()
    monkeypatch.setenv("TEMPCHECK_SLACK_BOT_TOKEN", "xoxb-cli")
    monkeypatch.setenv("TEMPCHECK_SLACK_API_URL", api.base_url)
    # The CLI runs its own event loop; the fake keeps serving on this one meanwhile.
    result = await asyncio.to_thread(
        CliRunner().invoke, app, ["--locale", "en", "org", "sync-slack"]
    )
    assert result.exit_code == 0, result.output
    assert "linked now: 1" in result.output
    assert "already linked: 1" in result.output
    assert "not found in Slack: 1" in result.output
    assert "  cecilie@acme.no" in result.output
    assert "  dag@acme.no" in result.output
    assert api.calls_to("users.lookupByEmail")[0].headers["Authorization"] == "Bearer xoxb-cli"

    norsk = await asyncio.to_thread(
        CliRunner().invoke, app, ["--locale", "nb", "org", "sync-slack"]
    )
    assert norsk.exit_code == 0 and "var allerede koblet: 2" in norsk.output


def test_cli_sync_without_a_token_says_what_to_set(
    env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TEMPCHECK_SLACK_BOT_TOKEN", raising=False)
    result = CliRunner().invoke(app, ["--locale", "en", "org", "sync-slack"])
    assert result.exit_code == 2
    assert "TEMPCHECK_SLACK_BOT_TOKEN" in result.output
