"""A fake Bot Connector (the service behind a conversation reference's serviceUrl) on
127.0.0.1, port 0. It receives what the bot sends, records every call, answers with ids,
and fails on demand (429 with Retry-After, 403, 404, 412, 502, 504) so retries and
permanent failures can be tested without the network."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from aiohttp import web


@dataclass(frozen=True)
class ConnectorCall:
    method: str  # "send", "reply", "update", "create"
    conversation: str
    activity_id: str | None
    body: dict[str, Any]
    authorization: str | None

    @property
    def text(self) -> str:
        return json.dumps(self.body, ensure_ascii=False)

    def cards(self) -> list[dict[str, Any]]:
        return [
            a["content"]
            for a in self.body.get("attachments") or []
            if a.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]


@dataclass
class Failure:
    status: int
    retry_after: str | None = None


@dataclass
class FakeBotConnector:
    host: str = "127.0.0.1"
    calls: list[ConnectorCall] = field(default_factory=list)
    #: Failures answered, in order, before the next successful call (any method).
    failures: deque[Failure] = field(default_factory=deque)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    #: What GET /v3/conversations/{c}/members/{id} answers, by member id ("29:…"): Teams'
    #: TeamsChannelAccount (aadObjectId, email, userPrincipalName, name). Unknown: 404.
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Awaited with each call before it is answered (a test looks at its own state then).
    on_call: Callable[[ConnectorCall], Awaitable[None]] | None = None

    def __post_init__(self) -> None:
        self._arrived = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def service_url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def fail(self, status: int, times: int = 1, retry_after: str | None = None) -> None:
        for _ in range(times):
            self.failures.append(Failure(status, retry_after))

    def calls_to(self, method: str) -> list[ConnectorCall]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1) -> None:
        async with self._arrived, asyncio.timeout(10):
            await self._arrived.wait_for(lambda: len(self.calls_to(method)) >= count)

    async def _record(self, request: web.Request, method: str) -> web.Response:
        try:
            body = await request.json()
        except json.JSONDecodeError:
            return web.json_response({"error": {"code": "BadSyntax"}}, status=400)
        conversation = request.match_info.get("conversation", "")
        activity_id = request.match_info.get("activity")
        self.calls.append(
            ConnectorCall(
                method, conversation, activity_id, body, request.headers.get("Authorization")
            )
        )
        async with self._arrived:
            self._arrived.notify_all()
        if self.on_call is not None:
            await self.on_call(self.calls[-1])
        if self.failures:
            failure = self.failures.popleft()
            headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
            return web.json_response(
                {"error": {"code": f"E{failure.status}", "message": "fake failure"}},
                status=failure.status,
                headers=headers,
            )
        if method == "create":
            return web.json_response(
                {"id": f"a:conversation-{next(self._ids)}", "activityId": f"act-{next(self._ids)}"}
            )
        if method == "update":
            return web.json_response({"id": activity_id})
        return web.json_response({"id": f"act-{next(self._ids)}"})

    def _app(self) -> web.Application:
        async def send(request: web.Request) -> web.Response:
            return await self._record(request, "send")

        async def reply(request: web.Request) -> web.Response:
            return await self._record(request, "reply")

        async def update(request: web.Request) -> web.Response:
            return await self._record(request, "update")

        async def create(request: web.Request) -> web.Response:
            return await self._record(request, "create")

        async def member(request: web.Request) -> web.Response:
            found = self.members.get(request.match_info["member"])
            self.calls.append(
                ConnectorCall(
                    "member",
                    request.match_info["conversation"],
                    None,
                    {},
                    request.headers.get("Authorization"),
                )
            )
            if found is None:
                return web.json_response({"error": {"code": "NotFound"}}, status=404)
            return web.json_response(found)

        app = web.Application()
        app.add_routes(
            [
                web.post("/v3/conversations", create),
                web.post("/v3/conversations/{conversation}/activities", send),
                web.post("/v3/conversations/{conversation}/activities/{activity}", reply),
                web.put("/v3/conversations/{conversation}/activities/{activity}", update),
                web.get("/v3/conversations/{conversation}/members/{member}", member),
            ]
        )
        return app

    async def __aenter__(self) -> Self:
        # access_log=None: the access log would carry conversation ids.
        self._runner = web.AppRunner(self._app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
