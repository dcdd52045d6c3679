"""End to end with the Microsoft 365 Agents Playground (npm @microsoft/m365agentsplayground):
the real local Teams-like client talks to the real server in anonymous mode on loopback.
Its user writes to the app (the reference is captured), gets a proactive pulse card, and
submits it through the playground's own submit route; the answers are stored.

Opt-in: it needs npx and the npm registry (or a warm npm cache), and takes a while. Run
with TEMPCHECK_TEST_PLAYGROUND=1. (Once a ``playground`` marker is registered in
pyproject.toml, mark it with it; ``--strict-markers`` refuses unregistered ones.)
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import stat
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.app import build_container
from bot.server import build_web_app
from bot.settings import load_settings
from bot.teams.app import build_teams
from core.clock import FixedClock
from core.messenger import Invitation, Platform, Recipient
from tests.flow import TENANT
from tests.teams.harness import Harness, Sleeps
from tests.teams.test_pulse_flow import stored_answers

PACKAGE = "@microsoft/m365agentsplayground@0.2.28"

pytestmark = [
    pytest.mark.playground,
    pytest.mark.skipif(
        os.environ.get("TEMPCHECK_TEST_PLAYGROUND") != "1" or shutil.which("npx") is None,
        reason="Agents Playground end-to-end test: set TEMPCHECK_TEST_PLAYGROUND=1 (needs npx and "
        "the npm registry or a warm npm cache)",
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _config(base: str) -> dict[str, Any]:
    async with aiohttp.ClientSession() as session, asyncio.timeout(240):
        while True:
            try:
                async with session.get(f"{base}/_internal/v1/config") as response:
                    if response.status == 200:
                        data: dict[str, Any] = (await response.json())["config"]
                        return data
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.5)  # waiting for an external process to start


async def _eventually(check: Callable[[], Awaitable[bool]], seconds: float = 30) -> None:
    """The playground forwards to the bot after answering: poll an external process."""
    for _ in range(int(seconds / 0.2)):
        if await check():
            return
        await asyncio.sleep(0.2)
    raise AssertionError("the Agents Playground round trip did not complete")


async def test_playground_user_answers_a_proactive_pulse(
    tmp_path: Path, sqlite_migrated_url: str, clock: FixedClock
) -> None:
    port, playground_port = _free_port(), _free_port()
    settings = load_settings(
        database_url=sqlite_migrated_url,
        key_store_path=tmp_path / "keys",
        teams_allow_anonymous=True,
        host="127.0.0.1",
        tenant=TENANT,
    )
    container = build_container(settings, clock)
    routes, middlewares, deps = build_teams(container)
    runner = web.AppRunner(build_web_app(container, None, routes, middlewares))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    # Headless, the playground tries to open a browser and dies: a no-op xdg-open first.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    opener = bin_dir / "xdg-open"
    opener.write_text("#!/bin/sh\nexit 0\n")
    opener.chmod(opener.stat().st_mode | stat.S_IEXEC)
    process = await asyncio.create_subprocess_exec(
        "npx", "--yes", PACKAGE, "-e", f"http://127.0.0.1:{port}/api/messages",
        "-c", "msteams", "--dt", "-p", str(playground_port),
        env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"},
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        cwd=tmp_path, start_new_session=True,  # it writes devTools/ into its directory
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{playground_port}"
        config = await _config(base)
        user, chat = config["currentUser"], config["personalChat"]["id"]
        # The playground's user, on our roster (its AAD id is not a real GUID, so set directly).
        h = Harness(None, None, container, deps, clock, Sleeps())  # type: ignore[arg-type]
        found, members = await h.started()
        async with container.uows() as uow:
            member = await uow.organisation.update_member(
                members[0].id, replace(members[0].fields(), teams_aad_id=user["aadObjectId"])
            )
            await uow.commit()
        async with aiohttp.ClientSession() as session:
            async with session.post(
                f"{base}/_conversation/v1/conversations/{chat}/messages",
                json={"from": {"id": user["id"]}, "text": "help", "textFormat": "plain"},
            ) as said:
                assert said.status == 200, await said.text()

            async def reachable() -> bool:
                return await deps.directory.reference_for("", user["aadObjectId"]) is not None

            await _eventually(reachable)
            to = Recipient(Platform.TEAMS, "", user["aadObjectId"], member.locale)
            card = await deps.messenger.send_invitation(
                to, Invitation(found.id, found.period, len(found.items), "fredag 12:00")
            )
            value: dict[str, Any] = {"tempcheck": "submit", "round": found.id}
            for item in found.items:
                value[f"item:{item.item_key}"] = "1" if item.sensitive else "4"
            async with session.post(
                f"{base}/_conversation/v1/submit",
                json={
                    "conversation": {"id": chat},
                    "from": {"id": user["id"]},
                    "replyToId": card.id,
                    "value": value,
                },
            ) as submitted:
                assert submitted.status == 200, await submitted.text()

            async def stored() -> bool:
                return len(await stored_answers(h, found)) == len(found.items)

            await _eventually(stored)
    finally:
        process.terminate()
        await process.wait()
        await runner.cleanup()
