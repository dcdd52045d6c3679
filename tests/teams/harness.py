"""A running tempcheck server (real aiohttp app, real Agents SDK CloudAdapter) on
127.0.0.1 in anonymous mode, whose conversations point at a fake Bot Connector on
127.0.0.1; helpers that build the activities Teams would post."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from bot.app import Container, build_container
from bot.server import build_web_app
from bot.settings import load_settings
from bot.teams.app import build_teams
from bot.teams.deps import TeamsDeps
from core.clock import FixedClock
from core.messenger import Invitation, MessageRef, Platform, Recipient
from core.org_import import import_roster
from core.organisation import Member
from core.question_sets import import_question_set
from core.questions import load_default_bank
from core.roster import parse_roster
from core.rounds import Round
from tests.fakes.bot_connector import ConnectorCall, FakeBotConnector
from tests.flow import TENANT, open_for, organisation

TEAMS_TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
BOT_ID = "28:tempcheck-bot"


def aad_of(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def teams_roster(units: dict[str, int]) -> str:
    lines = ["email,name,unit,teams_aad_id"]
    n = 0
    for path, count in units.items():
        for _ in range(count):
            n += 1
            lines.append(f"p{n}@acme.no,Person Nummer{n},{path},{aad_of(n)}")
    return "\n".join(lines) + "\n"


@dataclass
class Sleeps:
    """The messenger's injected sleep: records, never waits."""

    delays: list[float] = field(default_factory=list)

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


@dataclass
class Harness:
    connector: FakeBotConnector
    client: TestClient[Any, Any]
    container: Container
    deps: TeamsDeps
    clock: FixedClock
    sleeps: Sleeps

    def activity(self, member: Member | str, kind: str, **extra: Any) -> dict[str, Any]:
        aad = member if isinstance(member, str) else member.teams_aad_id or ""
        return {
            "type": kind,
            "id": f"in-{uuid.uuid4().hex[:8]}",
            "channelId": "msteams",
            "serviceUrl": self.connector.service_url,
            "from": {"id": f"29:{aad}", "aadObjectId": aad, "name": "Someone"},
            "recipient": {"id": BOT_ID, "name": "tempcheck"},
            "conversation": {
                "id": f"a:{aad}",
                "conversationType": "personal",
                "tenantId": TEAMS_TENANT,
            },
            "channelData": {"tenant": {"id": TEAMS_TENANT}},
            "locale": "nb-NO",
            **extra,
        }

    async def post(self, body: dict[str, Any], **headers: str) -> ClientResponse:
        return await self.client.post("/api/messages", json=body, headers=headers)

    async def install(self, member: Member | str) -> ClientResponse:
        aad = member if isinstance(member, str) else member.teams_aad_id or ""
        return await self.post(
            self.activity(
                member,
                "conversationUpdate",
                membersAdded=[{"id": BOT_ID}, {"id": f"29:{aad}", "aadObjectId": aad}],
            )
        )

    async def say(self, member: Member, text: str) -> ClientResponse:
        return await self.post(self.activity(member, "message", text=text))

    async def submit(
        self, member: Member, value: dict[str, Any], card: MessageRef | None = None
    ) -> ClientResponse:
        extra: dict[str, Any] = {"value": value}
        if card is not None:
            extra["replyToId"] = card.id
        return await self.post(self.activity(member, "message", **extra))

    async def invite(self, member: Member, found: Round) -> MessageRef:
        to = Recipient(Platform.TEAMS, TEAMS_TENANT, member.teams_aad_id or "", member.locale)
        return await self.deps.messenger.send_invitation(
            to, Invitation(found.id, found.period, len(found.items), "fredag 12:00")
        )

    async def started(self, units: dict[str, int] | None = None) -> tuple[Round, list[Member]]:
        c = self.container
        roster = parse_roster(teams_roster(units or {"Acme/Ops": 7}), "org.csv")
        await import_roster(c.uows, self.clock, roster, tenant_slug=TENANT, actor="t")
        await import_question_set(
            c.uows, self.clock, load_default_bank(), tenant_slug=TENANT, actor="t"
        )
        found = (await open_for(c.uows, c.keys, self.clock, "2026-W48")).round
        members = list((await organisation(c.uows)).active_members())
        return found, members

    def replies_since(self, before: int) -> list[ConnectorCall]:
        return self.connector.calls[before:]


def pulse_card(call: ConnectorCall) -> dict[str, Any]:
    (card,) = call.cards()
    return card


def value_for(
    card: dict[str, Any],
    value: str = "4",
    sensitive: str = "1",
    comment: str | None = None,
    audience: str | None = None,
    confirm: bool = False,
) -> dict[str, Any]:
    """What Teams posts on Action.Submit: the action's data merged with every input."""
    out: dict[str, Any] = dict(card["actions"][0]["data"])
    for element in card["body"]:
        if element.get("type") == "Input.ChoiceSet" and element["id"].startswith("item:"):
            values = [c["value"] for c in element["choices"]]
            out[element["id"]] = (
                sensitive if values[:2] == ["1", "2"] and len(values) == 3 else value
            )
    out["comment"] = comment or ""
    out["audience"] = audience or "hr_verneombud"
    out["confirm_comment"] = "send" if confirm else ""
    return out


@asynccontextmanager
async def running(
    tmp_path: Path, db_url: str, clock: FixedClock, **settings_extra: Any
) -> AsyncIterator[Harness]:
    async with FakeBotConnector() as connector:
        values: dict[str, Any] = {
            "teams_allow_anonymous": True,
            "host": "127.0.0.1",
            **settings_extra,
        }
        settings = load_settings(
            database_url=db_url,
            tenant=TENANT,
            key_store_path=tmp_path / "keys",
            public_url="https://tempcheck.example",
            **values,
        )
        container = build_container(settings, clock)
        sleeps = Sleeps()
        routes, middlewares, deps = build_teams(container, sleep=sleeps)
        app = build_web_app(container, None, routes, middlewares)
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            yield Harness(connector, client, container, deps, clock, sleeps)
