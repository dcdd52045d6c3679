"""Build the Bolt AsyncApp for the configured mode: single workspace, OAuth, or Socket Mode."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import Container
from bot.help import load_help
from bot.slack.blocks import SlackBlocks
from bot.slack.deps import SlackDeps
from bot.slack.listeners import register
from bot.slack.messenger import SlackMessenger, quiet_logger, slack_client
from core.errors import ConfigError
from core.messenger import DeliveryError

log = logging.getLogger(__name__)

BOT_SCOPES = (
    "chat:write",
    "im:write",
    "im:history",
    "users:read",
    "users:read.email",
    "commands",
    "files:write",
    "channels:read",
    "groups:read",
)


def _client(
    container: Container, token: str | None, session: aiohttp.ClientSession | None = None
) -> AsyncWebClient:
    return slack_client(token, base_url=container.settings.slack_api_url, session=session)


class SharedSession:
    """One aiohttp session (and its pool of keep-alive connections) for every Slack Web API
    call of this process; without one, slack_sdk opens a new session and connection per
    call. Created on first use inside the running event loop, closed with the container."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    def get(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def build_slack(
    container: Container, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
) -> tuple[AsyncApp, SlackDeps]:
    """``sleep``: how the messenger waits out Retry-After (tests pass one that never waits)."""
    settings = container.settings
    mode = settings.slack_mode
    if mode == "off":
        raise ConfigError(
            "config.invalid",
            reasons="TEMPCHECK_SLACK_BOT_TOKEN and TEMPCHECK_SLACK_SIGNING_SECRET (or the OAuth "
            "settings) are needed to serve Slack",
        )
    installation_store: AsyncSQLAlchemyInstallationStore | None = None
    if mode == "oauth":
        assert settings.slack_client_id and settings.slack_client_secret
        installation_store = AsyncSQLAlchemyInstallationStore(
            client_id=settings.slack_client_id, engine=container.engine
        )
        app = AsyncApp(
            logger=quiet_logger("bot.slack.bolt"),
            signing_secret=settings.slack_signing_secret,
            client=_client(container, None),
            oauth_settings=AsyncOAuthSettings(
                client_id=settings.slack_client_id,
                client_secret=settings.slack_client_secret,
                scopes=list(BOT_SCOPES),
                installation_store=installation_store,
                state_store=AsyncSQLAlchemyOAuthStateStore(
                    expiration_seconds=600, engine=container.engine
                ),
                install_path="/slack/install",
                redirect_uri_path="/slack/oauth_redirect",
            ),
        )
    else:
        app = AsyncApp(
            logger=quiet_logger("bot.slack.bolt"),
            signing_secret=settings.slack_signing_secret or "socket-mode",
            client=_client(container, settings.slack_bot_token),
        )

    http = SharedSession()
    container.closers.append(http.close)

    async def clients(workspace: str) -> AsyncWebClient:
        if installation_store is None:
            app.client.session = http.get()
            return app.client
        bot = await installation_store.async_find_bot(enterprise_id=None, team_id=workspace)
        if bot is None or bot.bot_token is None:
            raise DeliveryError("not_installed", permanent=True)
        return _client(container, bot.bot_token, http.get())

    blocks = SlackBlocks(public_url=settings.public_url, help_text=load_help(settings.help_file))
    deps = SlackDeps(
        container, blocks, SlackMessenger(clients, blocks, sleep=sleep), settings.tenant
    )
    register(app, deps)

    @app.error
    async def on_error(error: Exception) -> None:
        # One place for unexpected errors: the type only, never the payload.
        log.error("slack listener failed", extra={"error": type(error).__name__})

    return app, deps
