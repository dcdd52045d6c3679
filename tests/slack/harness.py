"""A running tempcheck server (real aiohttp app, real Bolt) on 127.0.0.1, wired to a fake
Slack Web API on 127.0.0.1, with signed request helpers."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer
from slack_sdk.signature import SignatureVerifier

from bot.app import Container, build_container
from bot.server import build_web_app
from bot.settings import load_settings
from bot.slack.app import build_slack
from bot.slack.deps import SlackDeps
from core.clock import FixedClock
from core.messenger import Invitation, MessageRef, Platform, Recipient
from core.organisation import Member
from core.rounds import Round
from tests.fakes.slack_api import FakeSlackApi

SECRET = "test-signing-secret"
TEAM = "T0TEMPCHECK"


class WaitingSlackApi(FakeSlackApi):
    """The fake, plus waiting for calls that listeners make after their ack (no sleeping)."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self._arrived = asyncio.Condition()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        response = await super()._handle(request)
        async with self._arrived:
            self._arrived.notify_all()
        return response

    async def wait_for(self, method: str, count: int = 1) -> None:
        async with self._arrived, asyncio.timeout(10):
            await self._arrived.wait_for(lambda: len(self.calls_to(method)) >= count)


@dataclass
class Harness:
    api: WaitingSlackApi
    client: TestClient[Any, Any]
    container: Container
    deps: SlackDeps
    clock: FixedClock

    async def signed(
        self,
        body: str,
        content_type: str,
        *,
        age: int = 0,
        secret: str = SECRET,
        headers: dict[str, str] | None = None,
    ) -> ClientResponse:
        timestamp = str(int(time.time()) - age)
        signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
        all_headers: dict[str, str] = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": str(signature),
            **(headers or {}),
        }
        return await self.client.post("/slack/events", data=body.encode(), headers=all_headers)

    async def interactive(self, payload: dict[str, Any], **kw: Any) -> ClientResponse:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return await self.signed(body, "application/x-www-form-urlencoded", **kw)

    async def event(self, event: dict[str, Any], **kw: Any) -> ClientResponse:
        body = json.dumps(
            {
                "type": "event_callback",
                "team_id": TEAM,
                "api_app_id": "A0",
                "event": event,
                "event_id": "Ev1",
                "event_time": 1,
            }
        )
        return await self.signed(body, "application/json", **kw)

    async def command(self, user: str, text: str) -> ClientResponse:
        body = urllib.parse.urlencode(
            {
                "command": "/tempcheck",
                "text": text,
                "user_id": user,
                "team_id": TEAM,
                "channel_id": "D1",
                "trigger_id": "trig",
                "response_url": "http://127.0.0.1:1/r",
            }
        )
        return await self.signed(body, "application/x-www-form-urlencoded")

    async def invite(self, member: Member, found: Round) -> MessageRef:
        to = Recipient(Platform.SLACK, TEAM, member.slack_user_id or "", member.locale)
        return await self.deps.messenger.send_invitation(
            to, Invitation(found.id, found.period, len(found.items), "fredag 12:00")
        )


def button_payload(member: Member, round_id: int | str, message: MessageRef) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": {"id": member.slack_user_id, "team_id": TEAM},
        "team": {"id": TEAM},
        "api_app_id": "A0",
        "trigger_id": "trigger-1",
        "container": {"type": "message", "channel_id": message.channel, "message_ts": message.id},
        "actions": [
            {
                "action_id": "tempcheck_open",
                "block_id": "open",
                "type": "button",
                "value": str(round_id),
                "action_ts": "1",
            }
        ],
    }


def submission_payload(
    member: Member,
    view: dict[str, Any],
    choices: dict[str, str],
    comment: str | None = None,
    audience: str | None = None,
    confirm: bool = False,
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for block_id, chosen in choices.items():
        values[block_id] = {
            "value": {"type": "radio_buttons", "selected_option": {"value": chosen}}
        }
    values["comment"] = {"value": {"type": "plain_text_input", "value": comment}}
    values["audience"] = {
        "value": {
            "type": "radio_buttons",
            "selected_option": {"value": audience} if audience else None,
        }
    }
    values["confirm_comment"] = {
        "value": {"type": "checkboxes", "selected_options": [{"value": "send"}] if confirm else []}
    }
    return {
        "type": "view_submission",
        "user": {"id": member.slack_user_id, "team_id": TEAM},
        "team": {"id": TEAM},
        "api_app_id": "A0",
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": view["callback_id"],
            "private_metadata": view["private_metadata"],
            "state": {"values": values},
        },
    }


@asynccontextmanager
async def running(
    tmp_path: Path, db_url: str, clock: FixedClock, *, oauth: bool = False
) -> AsyncIterator[Harness]:
    async with WaitingSlackApi(team_id=TEAM) as api:
        mode: dict[str, Any] = (
            {"slack_client_id": "111.222", "slack_client_secret": "client-secret"}
            if oauth
            else {"slack_bot_token": "xoxb-test"}
        )
        settings = load_settings(
            database_url=db_url,
            tenant="acme",
            key_store_path=tmp_path / "keys",
            slack_signing_secret=SECRET,
            slack_api_url=api.base_url,
            public_url="https://tempcheck.example",
            **mode,
        )
        container = build_container(settings, clock)

        async def no_wait(seconds: float) -> None:  # Retry-After passes on the clock
            clock.set(clock.now() + timedelta(seconds=seconds))

        slack, deps = build_slack(container, sleep=no_wait)
        server = TestServer(build_web_app(container, slack), host="127.0.0.1")
        async with TestClient(server) as client:
            yield Harness(api, client, container, deps, clock)
