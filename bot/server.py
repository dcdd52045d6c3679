"""One aiohttp server for everything: Slack (/slack/…), Teams (/api/messages, later),
/healthz and /privacy."""

from __future__ import annotations

import html
import logging
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.app import Container
from core.i18n import LOCALES, t

log = logging.getLogger(__name__)

#: Slack's payloads are well under this; anything bigger is refused with 413 before parsing.
MAX_BODY_BYTES = 512 * 1024
CONTAINER = web.AppKey("container", Container)


async def healthz(request: web.Request) -> web.Response:
    container = request.app[CONTAINER]
    try:
        async with container.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError) as exc:
        log.error("health check failed", extra={"error": type(exc).__name__})
        return web.json_response({"status": "unavailable", "database": "down"}, status=503)
    return web.json_response({"status": "ok", "database": "up"})


async def privacy(request: web.Request) -> web.Response:
    url = request.app[CONTAINER].settings.public_url
    parts = [
        f"<section lang='{locale}'><p>{html.escape(t('slackui.command_privacy', locale, url=url))}"
        "</p></section>"
        for locale in LOCALES
    ]
    body = "<!doctype html><meta charset='utf-8'><title>tempcheck</title>" + "".join(parts)
    return web.Response(text=body, content_type="text/html")


def _slack_routes(slack: AsyncApp) -> list[web.RouteDef]:
    async def events(request: web.Request) -> web.Response:
        try:
            bolt_response = await slack.async_dispatch(await to_bolt_request(request))
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            # A signed but malformed payload trips Bolt's own parsing: a clean 400, logged
            # by type only (never the body), instead of a 500 with a traceback.
            log.warning("unreadable slack request", extra={"error": type(exc).__name__})
            return web.json_response({"ok": False, "error": "invalid_payload"}, status=400)
        return await to_aiohttp_response(bolt_response)

    routes = [web.post("/slack/events", events)]
    flow = slack.oauth_flow
    if flow is not None:

        async def install(request: web.Request) -> web.Response:
            return await to_aiohttp_response(
                await flow.handle_installation(await to_bolt_request(request))
            )

        async def redirect(request: web.Request) -> web.Response:
            return await to_aiohttp_response(
                await flow.handle_callback(await to_bolt_request(request))
            )

        routes += [web.get("/slack/install", install), web.get("/slack/oauth_redirect", redirect)]
    return routes


def build_web_app(
    container: Container,
    slack: AsyncApp | None,
    extra_routes: list[web.RouteDef] | None = None,
    middlewares: list[Any] | None = None,
) -> web.Application:
    """``extra_routes``/``middlewares``: other platforms' endpoints (Teams: /api/messages)."""
    app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=middlewares or [])
    app[CONTAINER] = container
    app.add_routes([web.get("/healthz", healthz), web.get("/privacy", privacy)])
    if slack is not None:
        app.add_routes(_slack_routes(slack))
    if extra_routes:
        app.add_routes(extra_routes)

    async def close(_app: web.Application) -> None:
        await container.close()

    app.on_cleanup.append(close)
    return app
