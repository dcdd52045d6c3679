"""A small fake of the Slack Web API on 127.0.0.1, for tests of everything that calls Slack.

There is no Slack emulator, so this is ours: point ``AsyncWebClient(base_url=api.base_url)``
at it. It answers the methods tempcheck uses, records every call (method, merged parameters,
headers) and can be told to fail: a Slack error, a 429 with ``Retry-After``, a 5xx, or a
dropped connection. The upload URL of ``files.getUploadURLExternal`` is served by the fake too,
so ``files_upload_v2`` never leaves the loopback interface.
"""

from __future__ import annotations

import itertools
import json
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, Self

from aiohttp import web

UPLOAD = "upload"  # the method name recorded for a POST to an upload URL (not a Slack method)
_NO_TOKEN = frozenset({"oauth.v2.access", UPLOAD})

Json = dict[str, Any]


@dataclass(frozen=True)
class RecordedCall:
    method: str
    params: dict[str, Any]  # query string, form fields and JSON body, merged
    headers: dict[str, str]


@dataclass
class Upload:
    file_id: str
    filename: str
    data: bytes = b""
    shared_to: list[str] = field(default_factory=list)


@dataclass
class _Fault:
    kind: Literal["error", "ratelimit", "server", "disconnect"]
    times: int
    error: str = ""
    retry_after: int = 1
    status: int = 503


def _maybe_json(value: Any) -> Any:
    """Form-encoded bodies carry blocks, views and file lists as JSON strings."""
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class FakeSlackApi:
    def __init__(
        self,
        *,
        team_id: str = "T0TEMPCHECK",
        team_name: str = "Acme",
        bot_user_id: str = "U0BOT",
        bot_id: str = "B0BOT",
        app_id: str = "A0TEMPCHECK",
        rate_cap: float | None = None,
        rate_burst: int | None = None,
        capped: frozenset[str] = frozenset({"chat.postMessage"}),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """``rate_cap``: a workspace-wide limit in calls per second for the ``capped``
        methods (a token bucket holding ``rate_burst`` calls, default one second's worth);
        a call over it is answered 429 with an integer ``Retry-After``, as Slack does."""
        self.team_id = team_id
        self.team_name = team_name
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        #: e-mail → Slack user id, for users.lookupByEmail (and users.info of those ids).
        self.users_by_email: dict[str, str] = {}
        #: extra user objects for users.info (merged over the generated one).
        self.users: dict[str, Json] = {}
        #: the bot token oauth.v2.access hands out.
        self.oauth_bot_token = "xoxb-fake-oauth-token"
        self.oauth_scopes = "chat:write,im:write,users:read,users:read.email,commands,files:write"
        self.calls: list[RecordedCall] = []
        #: (channel, ts) → the latest text/blocks posted or updated there.
        self.messages: dict[tuple[str, str], Json] = {}
        self.views: dict[str, Json] = {}
        self.uploads: dict[str, Upload] = {}
        self._faults: dict[str, deque[_Fault]] = {}
        self._counter = itertools.count(1)
        if rate_cap is not None and rate_cap <= 0:
            raise ValueError("rate_cap must be > 0")
        self.rate_cap = rate_cap
        self.rate_burst = float(rate_burst or max(1, math.ceil(rate_cap or 1)))
        self.capped = capped
        self._monotonic = monotonic
        self._tokens = self.rate_burst
        self._refilled = monotonic()
        #: calls answered 429 because of ``rate_cap`` (not counting injected faults)
        self.over_cap = 0
        self._runner: web.AppRunner | None = None
        self._root = ""

    # --- lifecycle -------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle)
        app.router.add_post("/upload/{file_id}", self._upload)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self._root = f"http://{host}:{port}"
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

    @property
    def base_url(self) -> str:
        if not self._root:
            raise RuntimeError("FakeSlackApi is not running; use `async with FakeSlackApi()`")
        return f"{self._root}/api/"

    # --- assertions and failure injection ----------------------------------------------

    def calls_to(self, method: str) -> list[RecordedCall]:
        return [c for c in self.calls if c.method == method]

    def methods(self) -> list[str]:
        return [c.method for c in self.calls]

    def fail_next(self, method: str, error: str = "user_not_found", times: int = 1) -> None:
        """The next ``times`` calls of ``method`` answer HTTP 200 ``{"ok": false, error}``."""
        self._add(method, _Fault("error", times, error=error))

    def rate_limit_next(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """The next ``times`` calls answer HTTP 429 with ``Retry-After: retry_after``."""
        self._add(method, _Fault("ratelimit", times, retry_after=retry_after))

    def server_error_next(self, method: str, status: int = 503, times: int = 1) -> None:
        self._add(method, _Fault("server", times, status=status))

    def disconnect_next(self, method: str, times: int = 1) -> None:
        """The next ``times`` calls get their connection closed without an answer."""
        self._add(method, _Fault("disconnect", times))

    def _add(self, method: str, fault: _Fault) -> None:
        if fault.times < 1:
            raise ValueError("times must be at least 1")
        self._faults.setdefault(method, deque()).append(fault)

    def _take_fault(self, method: str) -> _Fault | None:
        queue = self._faults.get(method)
        if not queue:
            return None
        fault = queue[0]
        fault.times -= 1
        if fault.times == 0:
            queue.popleft()
        return fault

    # --- HTTP --------------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
                if isinstance(body, dict):
                    params.update(body)
            else:
                form = await request.post()
                params.update({k: v for k, v in form.items() if isinstance(v, str)})
        return params

    def _over_cap(self, method: str) -> web.StreamResponse | None:
        if self.rate_cap is None or method not in self.capped:
            return None
        now = self._monotonic()
        self._tokens = min(self.rate_burst, self._tokens + (now - self._refilled) * self.rate_cap)
        self._refilled = now
        if self._tokens >= 1:
            self._tokens -= 1
            return None
        self.over_cap += 1
        wait = math.ceil((1 - self._tokens) / self.rate_cap)
        return web.json_response(
            {"ok": False, "error": "ratelimited"},
            status=429,
            headers={"Retry-After": str(max(1, wait))},
        )

    def _faulted(self, request: web.Request, method: str) -> web.StreamResponse | None:
        capped = self._over_cap(method)
        if capped is not None:
            return capped
        fault = self._take_fault(method)
        if fault is None:
            return None
        if fault.kind == "error":
            return web.json_response({"ok": False, "error": fault.error})
        if fault.kind == "ratelimit":
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(fault.retry_after)},
            )
        if fault.kind == "server":
            return web.json_response({"ok": False, "error": "internal_error"}, status=fault.status)
        if request.transport is not None:
            request.transport.close()
        raise web.HTTPServiceUnavailable()  # the client already lost the connection

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params = await self._params(request)
        self.calls.append(RecordedCall(method, params, dict(request.headers)))
        faulted = self._faulted(request, method)
        if faulted is not None:
            return faulted
        handler = self._methods().get(method)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        if method not in _NO_TOKEN and not request.headers.get("Authorization", "").startswith(
            "Bearer "
        ):
            return web.json_response({"ok": False, "error": "not_authed"})
        return web.json_response(await handler(params, request))

    async def _upload(self, request: web.Request) -> web.StreamResponse:
        file_id = request.match_info["file_id"]
        data = await request.read()
        self.calls.append(
            RecordedCall(UPLOAD, {"file_id": file_id, "length": len(data)}, dict(request.headers))
        )
        faulted = self._faulted(request, UPLOAD)
        if faulted is not None:
            return faulted
        upload = self.uploads.get(file_id)
        if upload is None:
            return web.Response(status=404, text="unknown upload", content_type="text/plain")
        upload.data = data
        return web.Response(text=f"OK - {len(data)}", content_type="text/plain")

    # --- methods -----------------------------------------------------------------------

    def _methods(self) -> dict[str, Callable[[dict[str, Any], web.Request], Awaitable[Json]]]:
        return {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "chat.postEphemeral": self._post_ephemeral,
            "views.open": self._view,
            "views.update": self._view,
            "views.publish": self._view,
            "users.lookupByEmail": self._lookup_by_email,
            "users.info": self._users_info,
            "conversations.open": self._conversations_open,
            "conversations.history": self._history,
            "files.getUploadURLExternal": self._get_upload_url,
            "files.completeUploadExternal": self._complete_upload,
            "oauth.v2.access": self._oauth_access,
        }

    def _ts(self) -> str:
        n = next(self._counter)
        return f"{1_700_000_000 + n}.{n:06d}"

    @staticmethod
    def _dm_channel(channel: str) -> str:
        # chat.postMessage with a user id as channel posts into the app's DM with that user.
        return "D" + channel if channel[:1] in ("U", "W") else channel

    async def _auth_test(self, params: dict[str, Any], request: web.Request) -> Json:
        return {
            "ok": True,
            "url": f"https://{self.team_name.lower()}.slack.com/",
            "team": self.team_name,
            "user": "tempcheck",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    async def _post_message(self, params: dict[str, Any], request: web.Request) -> Json:
        channel = str(params.get("channel") or "")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not params.get("text") and not params.get("blocks"):
            return {"ok": False, "error": "no_text"}
        channel = self._dm_channel(channel)
        ts = self._ts()
        message = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "text": params.get("text", ""),
            "blocks": _maybe_json(params.get("blocks", [])),
            "ts": ts,
        }
        if params.get("metadata"):
            message["metadata"] = _maybe_json(params["metadata"])
        self.messages[(channel, ts)] = message
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    async def _update(self, params: dict[str, Any], request: web.Request) -> Json:
        key = (str(params.get("channel", "")), str(params.get("ts", "")))
        if key not in self.messages:
            return {"ok": False, "error": "message_not_found"}
        message = self.messages[key]
        message.update(text=params.get("text", ""), blocks=_maybe_json(params.get("blocks", [])))
        return {"ok": True, "channel": key[0], "ts": key[1], "text": message["text"]}

    async def _post_ephemeral(self, params: dict[str, Any], request: web.Request) -> Json:
        if not params.get("channel") or not params.get("user"):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "message_ts": self._ts()}

    async def _view(self, params: dict[str, Any], request: web.Request) -> Json:
        view = _maybe_json(params.get("view"))
        if not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        view_id = str(params.get("view_id") or f"V{next(self._counter):08d}")
        stored = {**view, "id": view_id, "team_id": self.team_id, "hash": self._ts()}
        self.views[view_id] = stored
        return {"ok": True, "view": stored}

    def _user(self, user_id: str, email: str | None) -> Json:
        user: Json = {
            "id": user_id,
            "team_id": self.team_id,
            "name": user_id.lower(),
            "deleted": False,
            "is_bot": False,
            "tz": "Europe/Oslo",
            "profile": {"email": email} if email else {},
        }
        return {**user, **self.users.get(user_id, {})}

    async def _lookup_by_email(self, params: dict[str, Any], request: web.Request) -> Json:
        email = str(params.get("email", ""))
        user_id = self.users_by_email.get(email)
        if user_id is None:
            return {"ok": False, "error": "users_not_found"}
        return {"ok": True, "user": self._user(user_id, email)}

    async def _users_info(self, params: dict[str, Any], request: web.Request) -> Json:
        user_id = str(params.get("user", ""))
        emails = {uid: email for email, uid in self.users_by_email.items()}
        if user_id not in emails and user_id not in self.users:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": self._user(user_id, emails.get(user_id))}

    async def _conversations_open(self, params: dict[str, Any], request: web.Request) -> Json:
        users = str(params.get("users", ""))
        if not users or "," in users:
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "channel": {"id": self._dm_channel(users)}}

    async def _history(self, params: dict[str, Any], request: web.Request) -> Json:
        channel = str(params.get("channel", ""))
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        found = sorted(
            (m for (c, _), m in self.messages.items() if c == channel),
            key=lambda m: float(m["ts"]),
            reverse=True,
        )[: int(params.get("limit", 100))]
        if not with_metadata:
            found = [{k: v for k, v in m.items() if k != "metadata"} for m in found]
        return {"ok": True, "messages": found, "has_more": False}

    async def _get_upload_url(self, params: dict[str, Any], request: web.Request) -> Json:
        filename = str(params.get("filename", ""))
        if not filename or not str(params.get("length", "")).isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._counter):08d}"
        self.uploads[file_id] = Upload(file_id, filename)
        return {"ok": True, "upload_url": f"{self._root}/upload/{file_id}", "file_id": file_id}

    async def _complete_upload(self, params: dict[str, Any], request: web.Request) -> Json:
        files = _maybe_json(params.get("files"))
        if not isinstance(files, list) or not files:
            return {"ok": False, "error": "invalid_arguments"}
        channel = params.get("channel_id")
        done = []
        for item in files:
            upload = self.uploads.get(str(item.get("id")))
            if upload is None or not upload.data:
                return {"ok": False, "error": "file_not_found"}
            if channel:
                upload.shared_to.append(str(channel))
            done.append(
                {
                    "id": upload.file_id,
                    "name": upload.filename,
                    "title": item.get("title") or upload.filename,
                    "size": len(upload.data),
                }
            )
        return {"ok": True, "files": done}

    async def _oauth_access(self, params: dict[str, Any], request: web.Request) -> Json:
        if not request.headers.get("Authorization", "").startswith("Basic "):
            return {"ok": False, "error": "invalid_client_id"}
        if not params.get("code"):
            return {"ok": False, "error": "invalid_code"}
        return {
            "ok": True,
            "app_id": self.app_id,
            "authed_user": {"id": "U0INSTALLER"},
            "scope": self.oauth_scopes,
            "token_type": "bot",
            "access_token": self.oauth_bot_token,
            "bot_user_id": self.bot_user_id,
            "team": {"id": self.team_id, "name": self.team_name},
            "enterprise": None,
            "is_enterprise_install": False,
        }
