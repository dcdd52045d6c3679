"""Real ``tempcheck serve`` subprocesses sending to the fake Slack Web API of the test
process (both on 127.0.0.1), for the crash and replica tests. Waiting is on events from the
fake (a message arrived, a request is being held), never on the wall clock."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.app import Container, build_container
from bot.settings import load_settings
from core.clock import FixedClock
from core.delivery import INVITATION, materialise
from core.rounds import Round
from tests.flow import TENANT, open_for, setup_org
from tests.slack.harness import WaitingSlackApi

REPO = Path(__file__).resolve().parents[2]
#: Generous: the machine is shared; nothing here asserts how long anything took.
TIMEOUT = 120.0
RATE = 10  # messages/s per replica: a fan-out of 20-30 lasts long enough to be interrupted


class GatedSlackApi(WaitingSlackApi):
    """The fake, able to hold ``chat.postMessage`` answers: the message is stored (Slack
    got it) but the sender does not hear back until ``release()`` — or is killed first."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.hold_after: int | None = None  # hold every post after this many messages
        self.held = 0  # answers being held right now
        self._gate = asyncio.Event()
        self._changed = asyncio.Condition()

    async def _post_message(self, params: dict[str, Any], request: web.Request) -> Any:
        answer = await super()._post_message(params, request)
        if self.hold_after is not None and len(self.messages) > self.hold_after:
            async with self._changed:
                self.held += 1
                self._changed.notify_all()
            try:
                await self._gate.wait()
            finally:
                self.held -= 1
        return answer

    def release(self) -> None:
        self.hold_after = None
        self._gate.set()

    async def wait_held(self, count: int) -> None:
        async with self._changed, asyncio.timeout(TIMEOUT):
            await self._changed.wait_for(lambda: self.held >= count)

    async def wait_until(self, done: Callable[[], bool]) -> None:
        async with self._arrived, asyncio.timeout(TIMEOUT):
            await self._arrived.wait_for(done)

    def delivered(self, kind: str = INVITATION) -> Counter[str]:
        """How many messages carry each delivery key of ``kind`` (round:member:kind)."""
        keys: Counter[str] = Counter()
        for message in self.messages.values():
            key = ((message.get("metadata") or {}).get("event_payload") or {}).get("key", "")
            if key.endswith(f":{kind}"):
                keys[key] += 1
        return keys


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_env(db_url: str, tmp_path: Path, api: GatedSlackApi, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEMPCHECK_")}
    env.update(
        PYTHONPATH=str(REPO),
        TEMPCHECK_DATABASE_URL=db_url,
        TEMPCHECK_TENANT=TENANT,
        TEMPCHECK_KEY_STORE_PATH=str(tmp_path / "keys"),
        TEMPCHECK_SLACK_BOT_TOKEN="xoxb-test",
        TEMPCHECK_SLACK_SIGNING_SECRET="secret",
        TEMPCHECK_SLACK_API_URL=api.base_url,
        TEMPCHECK_SWEEP_SECONDS="0.5",
        TEMPCHECK_SEND_SECONDS="0.2",
        TEMPCHECK_DELIVERY_RATE=str(RATE),
        TEMPCHECK_DELIVERY_BURST="1",
        TEMPCHECK_DELIVERY_LEASE_SECONDS="2",
        **extra,
    )
    return env


class Serve:
    """``tempcheck serve`` in a subprocess, its output in a log file."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, *args: str) -> Serve:
        with self.log.open("ab") as out:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                "from bot.cli import main; main()",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(free_port()),
                *args,
                env=self.env,
                cwd=str(REPO),
                stdout=out,
                stderr=asyncio.subprocess.STDOUT,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def kill(self) -> None:
        """SIGKILL: no cleanup, no goodbye; the kernel closes its sockets and file locks."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.wait()

    async def stop(self) -> None:
        """SIGINT: aiohttp shuts down; the runner finishes the batch it is sending."""
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGINT)
            await self.wait()

    async def wait(self) -> int:
        assert self.process is not None
        async with asyncio.timeout(TIMEOUT):
            return await self.process.wait()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def container_for(db_url: str, tmp_path: Path) -> tuple[Container, FixedClock]:
    """The test's own view of the database (same key store as the servers), on a clock at
    the real time: the servers run on the system clock."""
    clock = FixedClock(datetime.now(UTC))
    settings = load_settings(database_url=db_url, tenant=TENANT, key_store_path=tmp_path / "keys")
    return build_container(settings, clock), clock


async def round_with_invitations(c: Container, clock: FixedClock, members: int) -> Round:
    """An organisation of ``members``, one open round, one invitation row each, due now."""
    await setup_org(c.uows, clock, {"Acme/Ops": members})
    found = (await open_for(c.uows, c.keys, clock, "crash-test")).round
    added = await materialise(c.uows, found.id, INVITATION, lambda m: clock.now())
    assert added == members
    return found


def tick(clock: FixedClock) -> None:
    clock.set(max(clock.now(), datetime.now(UTC)) + timedelta(milliseconds=1))
