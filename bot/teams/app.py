"""Build the Teams side of the server: ``POST /api/messages`` on the Agents SDK's aiohttp
CloudAdapter, the turn handler, and the messenger.

Authentication: every request must carry a Bot Framework / Entra ID JWT, validated by the
SDK against TEMPCHECK_TEAMS_APP_ID (and TEMPCHECK_TEAMS_TENANT_ID). Anonymous mode
(TEMPCHECK_TEAMS_ALLOW_ANONYMOUS=true, for the Agents Playground) is refused unless the
server listens on loopback only, and logged loudly at start.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

import jwt
from aiohttp import web
from microsoft_agents.activity import Activity
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import (
    AgentAuthConfiguration,
    AnonymousTokenProvider,
    AuthenticationConstants,
    ClaimsIdentity,
    ConnectionManager,
    JwtTokenValidator,
    RestChannelServiceClientFactory,
)
from microsoft_agents.hosting.core.authorization import AuthTypes
from pydantic import ValidationError

from bot.app import Container
from bot.help import load_help
from bot.teams.agent import TempcheckAgent, on_turn_error
from bot.teams.cards import TeamsCards
from bot.teams.deps import TeamsDeps, TeamsDirectory
from bot.teams.messenger import Sleep, TeamsMessenger, Turn
from core.errors import ConfigError

log = logging.getLogger(__name__)

MESSAGES_PATH = "/api/messages"
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
#: The SDK logs conversation ids and activity types at INFO and DEBUG; ours say enough.
SDK_LOGGERS = ("microsoft_agents",)


def check_teams_settings(container: Container, host: str | None = None) -> bool:
    """True for anonymous mode. Raises ConfigError for a setup that must not run."""
    settings = container.settings
    serving = host or settings.host
    if settings.teams_allow_anonymous:
        if serving not in LOOPBACK:
            raise ConfigError(
                "config.invalid",
                reasons=(
                    "TEMPCHECK_TEAMS_ALLOW_ANONYMOUS=true turns off authentication of "
                    "/api/messages and is for local use only: serve on 127.0.0.1, ::1 or "
                    f"localhost (the host is {serving})"
                ),
            )
        return True
    missing = [
        name
        for name, value in (
            ("TEMPCHECK_TEAMS_APP_ID", settings.teams_app_id),
            ("TEMPCHECK_TEAMS_APP_PASSWORD", settings.teams_app_password),
            ("TEMPCHECK_TEAMS_TENANT_ID", settings.teams_tenant_id),
        )
        if not value
    ]
    if missing:
        raise ConfigError(
            "config.invalid",
            reasons=", ".join(missing)
            + " needed to serve Teams (or TEMPCHECK_TEAMS_ALLOW_ANONYMOUS=true on loopback)",
        )
    return False


def _anonymous_connections() -> ConnectionManager:
    return ConnectionManager(
        provider_factory=lambda _config: AnonymousTokenProvider(),
        connections_configurations={
            "SERVICE_CONNECTION": AgentAuthConfiguration(anonymous_allowed=True)
        },
    )


def _bearer(header: str | None) -> str | None:
    parts = (header or "").split()
    if len(parts) != 2 or parts[0].lower() != "bearer":
        return None
    return parts[1]


def build_teams(
    container: Container,
    host: str | None = None,
    *,
    sleep: Sleep | None = None,
) -> tuple[list[web.RouteDef], list[Any], TeamsDeps]:
    """Routes and middlewares for ``build_web_app``, and the deps (messenger included).

    ``host`` is the interface the server listens on (``serve --host``); anonymous mode
    is refused unless it is loopback.
    """
    settings = container.settings
    anonymous = check_teams_settings(container, host)
    for name in SDK_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger(name).level))
    auth_config: AgentAuthConfiguration | None = None
    if anonymous:
        # Without an app id the SDK warns on every turn that user tokens (OAuth sign-in,
        # which tempcheck does not use) may not work: once at start is enough.
        logging.getLogger(
            "microsoft_agents.hosting.core.connector.client.user_token_client"
        ).setLevel(logging.ERROR)
        log.warning(
            "TEAMS ANONYMOUS MODE: /api/messages accepts unauthenticated requests. "
            "For local use with the Agents Playground only; the server listens on loopback."
        )
        adapter = CloudAdapter(
            channel_service_client_factory=RestChannelServiceClientFactory(_anonymous_connections())
        )
    else:
        auth_config = AgentAuthConfiguration(
            auth_type=AuthTypes.client_secret,
            client_id=settings.teams_app_id,
            tenant_id=settings.teams_tenant_id,
            client_secret=settings.teams_app_password,
        )
        adapter = CloudAdapter(
            connection_manager=MsalConnectionManager(
                connections_configurations={"SERVICE_CONNECTION": auth_config}
            )
        )
    adapter.on_turn_error = on_turn_error

    async def continue_conversation(activity: Activity, callback: Turn) -> None:
        if anonymous:
            await adapter.continue_conversation_with_claims(
                ClaimsIdentity({}, "anonymous"),
                activity,
                callback,
                AuthenticationConstants.AGENTS_SDK_SCOPE,
            )
        else:
            await adapter.continue_conversation(settings.teams_app_id or "", activity, callback)

    directory = TeamsDirectory(container, settings.tenant)
    cards = TeamsCards(public_url=settings.public_url, help_text=load_help(settings.help_file))
    extra: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}
    messenger = TeamsMessenger(
        continue_conversation,
        directory.reference_for,
        directory.form_for,
        cards,
        channels=directory.channel_reference,
        **extra,
    )
    deps = TeamsDeps(container, cards, messenger, directory)
    agent = TempcheckAgent(deps)

    async def messages(request: web.Request) -> web.StreamResponse:
        if anonymous:
            identity = ClaimsIdentity({}, "anonymous")
        else:
            token = _bearer(request.headers.get("Authorization"))
            if token is None:
                return web.json_response({"error": "unauthorized"}, status=401)
            assert auth_config is not None
            try:
                identity = await JwtTokenValidator(auth_config).validate_token(token)
            except (jwt.PyJWTError, ValueError) as exc:
                log.warning("teams request refused", extra={"error": type(exc).__name__})
                return web.json_response({"error": "unauthorized"}, status=401)
        try:
            Activity.model_validate(await request.json())
        except (ValueError, ValidationError) as exc:
            # Checked here so that a malformed body is a clean 400 logged by type only,
            # never a traceback quoting the payload.
            log.warning("unreadable teams activity", extra={"error": type(exc).__name__})
            return web.json_response({"error": "invalid_activity"}, status=400)
        with warnings.catch_warnings():
            # The SDK's aiohttp adapter reads this plain string key.
            warnings.simplefilter("ignore", web.NotAppKeyWarning)
            request["claims_identity"] = identity
        response = await adapter.process(request, agent)
        return response if response is not None else web.Response(status=202)

    return [web.post(MESSAGES_PATH, messages)], [], deps
