"""tempcheck serve: one aiohttp server for Slack (and Teams, later), /healthz and /privacy."""

from __future__ import annotations

import logging
import socket
from typing import Any

import typer
from aiohttp import web

from bot.app import Container, build_container, build_runner, sqlite_guard
from bot.cli.common import EXIT_CONFIG, reported, state_of
from bot.cli.workers import fork_workers
from bot.logs import configure_logging
from bot.server import build_web_app
from bot.slack.app import build_slack
from core.errors import ConfigError, TempcheckError
from core.i18n import t
from core.messenger import Messenger, Platform
from core.posts import ResultPoster
from storage.engine import is_sqlite
from storage.migrate import current_revision, head_revision

log = logging.getLogger(__name__)


def serve(
    ctx: typer.Context,
    port: int | None = typer.Option(
        None, min=1, max=65535, help="Port (default: TEMPCHECK_PORT, 3978)."
    ),
    host: str | None = typer.Option(None, help="Interface (default: TEMPCHECK_HOST)."),
    workers: int = typer.Option(
        1, min=1, help="Server processes sharing the port (PostgreSQL only; see docs)."
    ),
) -> None:
    """Run the server: /slack/events, /slack/install, /slack/oauth_redirect, /healthz."""
    state = state_of(ctx)
    settings = state.settings
    host = host or settings.host
    port = port or settings.port
    # A server's logs are its operator's view (JSON lines at TEMPCHECK_LOG_LEVEL); other
    # commands print their own summaries and log only warnings.
    configure_logging(settings.log_level)
    if workers > 1:
        if is_sqlite(settings.database_url):
            typer.echo(t("cli.serve.workers_sqlite", state.locale), err=True)
            raise typer.Exit(EXIT_CONFIG)
        fork_workers(workers)  # returns in each worker; the parent waits there and exits
    guard = sqlite_guard(settings)
    messengers: dict[Platform, Messenger] = {}
    posters: dict[Platform, ResultPoster] = {}  # the same adapters: digests, reminders
    with reported(state):
        if guard is not None:
            guard.acquire()  # a second serve on the same SQLite file stops here
        container = build_container(settings)
        slack = None
        if settings.slack_mode != "off":
            slack, slack_deps = build_slack(container)
            messengers[Platform.SLACK] = slack_deps.messenger
            posters[Platform.SLACK] = slack_deps.messenger
    teams_routes: list[web.RouteDef] = []
    teams_middlewares: list[Any] = []
    if settings.teams_app_id or settings.teams_allow_anonymous:
        # The Agents SDK costs ~0.4 s of CPU to import: only when Teams is configured.
        from bot.teams.app import build_teams

        try:
            teams_routes, teams_middlewares, teams = build_teams(container, host)
        except ConfigError as exc:
            typer.echo(exc.render(state.locale), err=True)
            raise typer.Exit(EXIT_CONFIG) from None
        messengers[Platform.TEAMS] = teams.messenger
        posters[Platform.TEAMS] = teams.messenger
    app = build_web_app(container, slack, teams_routes, teams_middlewares)
    _attach_scheduler(app, container, messengers, posters)
    if guard is not None:

        async def unlock(_app: web.Application) -> None:
            guard.release()

        app.on_cleanup.append(unlock)

    async def check_schema(_app: web.Application) -> None:
        current = await current_revision(container.engine)
        if current != head_revision():
            error = TempcheckError(
                "cli.db.not_migrated", current=current or "-", head=head_revision()
            )
            raise SystemExit(error.render(state.locale))

    app.on_startup.insert(0, check_schema)
    if slack is not None and settings.slack_mode == "socket":
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        handler = AsyncSocketModeHandler(slack, settings.slack_app_token)

        async def connect(_app: web.Application) -> None:
            await handler.connect_async()  # type: ignore[no-untyped-call]

        async def disconnect(_app: web.Application) -> None:
            await handler.close_async()  # type: ignore[no-untyped-call]

        app.on_startup.append(connect)
        app.on_cleanup.append(disconnect)
    # Bind before anything starts: a taken port is reported plainly, before the scheduler
    # or the Slack connection would begin (and be cancelled half-way).
    try:
        sockets = _listen(host, port, reuse_port=workers > 1)
    except OSError as exc:  # the address is taken, or not this machine's
        typer.echo(
            t(
                "cli.serve.cannot_listen",
                state.locale,
                host=host,
                port=port,
                reason=exc.strerror or str(exc),
            ),
            err=True,
        )
        raise typer.Exit(EXIT_CONFIG) from None
    state.say(
        "cli.serve.starting",
        host=host,
        port=port,
        slack=settings.slack_mode,
        teams="anonymous" if settings.teams_allow_anonymous else "jwt" if teams_routes else "off",
    )
    state.say(
        "cli.serve.scheduler",
        mode=settings.scheduler,
        rate=f"{settings.delivery_rate:g}",
        platforms=", ".join(sorted(messengers)) or "-",
    )
    web.run_app(app, sock=sockets, print=None)


def _listen(host: str, port: int, *, reuse_port: bool) -> list[socket.socket]:
    """Listening sockets for every address ``host`` names (as aiohttp would open them)."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    sockets: list[socket.socket] = []
    try:
        for family, kind, proto, _name, address in dict.fromkeys(found):
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if reuse_port:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
            sock.listen(1024)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def _attach_scheduler(
    app: web.Application,
    container: Container,
    messengers: dict[Platform, Messenger],
    posters: dict[Platform, ResultPoster],
) -> None:
    """Start the scheduler (sweep on the leader, senders everywhere) with the server, and
    stop it before the database is closed."""
    runner = build_runner(container, messengers, posters)
    if runner is None:
        return

    async def start(_app: web.Application) -> None:
        await runner.start()

    async def stop(_app: web.Application) -> None:
        await runner.stop()

    app.on_startup.append(start)  # after the schema check (inserted first)
    app.on_cleanup.insert(0, stop)  # before the container closes the engine
