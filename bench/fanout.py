"""Fan-out benchmark: one round's invitations to N members of one Slack workspace, sent by
``tempcheck serve`` (one process, or two replicas on PostgreSQL) through the delivery outbox
to the fake Slack Web API, which enforces a workspace cap (429 + Retry-After above it).

Per run: a fresh database (SQLite file or throwaway PostgreSQL database), N members, the
default question bank, one open round and its N invitation rows, due now (what the sweep
materialises); the fake Slack in its own process with ``rate_cap``; then ``tempcheck serve``
with the scheduler on. Measured: time from starting the server(s) until the last invitation
reached the fake, duplicates and misses (by delivery key in the message metadata), 429s,
and CPU time of the server process(es) per delivered message.

Targets: time ≤ 1.10 × N / cap, no duplicate, no miss, ≤ 2 ms server CPU per message.
Replicas share the workspace rate by configuration: each gets TEMPCHECK_DELIVERY_RATE =
cap / replicas (see docs/operations.md). Everything listens on 127.0.0.1::

    .venv/bin/python bench/fanout.py                       # 10,000 members, cap 100/s
    .venv/bin/python bench/fanout.py --quick --runs sqlite
"""

from __future__ import annotations

import argparse
import asyncio
import math
import multiprocessing
import os
import platform
import sys
import tempfile
import time
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from slack_ingest import (
    DEFAULT_PG_URL,
    HOST,
    REPO,
    STARTUP_TIMEOUT_S,
    STOP_TIMEOUT_S,
    cpu_of,
    cpu_since,
    database,
    family,
    free_port,
    log_tail,
    machine_cpu,
    postgres_pids,
    start,
    stop,
    tempcheck_executable,
)

from bot.app import build_container
from bot.settings import load_settings
from core.clock import FixedClock
from core.delivery import INVITATION, materialise
from core.org_import import import_roster
from core.question_sets import import_question_set
from core.questions import load_default_bank
from core.roster import parse_roster
from core.round_service import open_round
from storage import migrate

TENANT = "bench"
TEAM = "T0FANOUT"
TARGET_FACTOR = 1.10
TARGET_CPU_MS = 2.0
POLL_S = 0.5
#: Tokens the pacer may bank: lets a sender catch up after a stall (a busy machine) while
#: staying far inside the fake's own bucket (one second of the cap).
BURST = 20


def roster(members: int) -> str:
    lines = ["email,name,unit,slack_user_id"]
    for n in range(members):
        lines.append(f"m{n}@bench.example,Member {n},Bench/Team{n // 100},U{n:08d}")
    return "\n".join(lines) + "\n"


async def prepare(database_url: str, work: Path, members: int) -> int:
    """Schema, organisation, question bank, one open round and its invitation rows."""
    settings = load_settings(database_url=database_url, tenant=TENANT, key_store_path=work / "keys")
    clock = FixedClock(datetime.now(UTC))
    container = build_container(settings, clock)
    try:
        await migrate.upgrade(container.engine)
        uows, keys = container.uows, container.keys
        await import_roster(
            uows, clock, parse_roster(roster(members), "org.csv"), tenant_slug=TENANT, actor="b"
        )
        await import_question_set(uows, clock, load_default_bank(), tenant_slug=TENANT, actor="b")
        opened = await open_round(
            uows,
            keys,
            clock,
            tenant_slug=TENANT,
            actor="b",
            period="fanout",
            duration=timedelta(days=2),
            release_delay_hours=24,
        )
        return await materialise(uows, opened.round.id, INVITATION, lambda m: clock.now())
    finally:
        await container.close()


async def outcome(database_url: str, work: Path) -> dict[str, int]:
    settings = load_settings(database_url=database_url, tenant=TENANT, key_store_path=work / "keys")
    container = build_container(settings)
    try:
        async with container.uows() as uow:
            counts = await uow.deliveries.counts()
    finally:
        await container.close()
    return {status: n for (_, kind, status), n in counts.items() if kind == INVITATION}


# --- the fake Slack in its own process ---------------------------------------------------


def _fake_main(conn: Connection, rate: float) -> None:
    asyncio.run(_fake(conn, rate))


async def _fake(conn: Connection, rate: float) -> None:
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from tests.fakes.slack_api import FakeSlackApi

    arrivals: list[float] = []

    class Timed(FakeSlackApi):
        async def _post_message(self, params: dict[str, Any], request: Any) -> Any:
            answer = await super()._post_message(params, request)
            arrivals.append(time.monotonic())  # CLOCK_MONOTONIC: comparable across processes
            return answer

    loop = asyncio.get_running_loop()
    async with Timed(team_id=TEAM, rate_cap=rate) as api:
        api.calls = _Forgetful()  # 10,000s of recorded calls are not needed here
        conn.send(api.base_url)
        while True:
            try:
                command = await loop.run_in_executor(None, conn.recv)
            except EOFError:
                return
            if command != "stats":
                return
            keys: Counter[str] = Counter()
            for message in api.messages.values():
                keys[message["metadata"]["event_payload"]["key"]] += 1
            conn.send(
                {
                    "distinct": len(keys),
                    "messages": sum(keys.values()),
                    "duplicates": sum(n - 1 for n in keys.values()),
                    "over_cap": api.over_cap,
                    "first": arrivals[0] if arrivals else math.nan,
                    "last": arrivals[-1] if arrivals else math.nan,
                }
            )


class _Forgetful(list[Any]):
    def append(self, item: Any) -> None:
        pass


class FakeSlack:
    def __init__(self, rate: float) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_fake_main, args=(child, rate), daemon=True)
        self._process.start()
        child.close()
        if not self._conn.poll(STARTUP_TIMEOUT_S):
            raise SystemExit("the fake Slack API did not start")
        self.base_url = str(self._conn.recv())
        self.pid = self._process.pid or 0

    def stats(self) -> dict[str, float]:
        self._conn.send("stats")
        if not self._conn.poll(30):
            raise SystemExit("the fake Slack API stopped answering")
        return dict(self._conn.recv())

    def close(self) -> None:
        with suppress(OSError):
            self._conn.send("stop")
        self._process.join(STOP_TIMEOUT_S)
        if self._process.is_alive():
            self._process.terminate()


# --- one run -------------------------------------------------------------------------------


@dataclass
class Run:
    name: str
    members: int
    rate: float
    replicas: int
    seconds: float = math.nan  # server start → last invitation at the fake
    fan_out_seconds: float = math.nan  # first → last invitation at the fake
    distinct: int = 0
    duplicates: int = 0
    over_cap: int = 0
    server_cpu_s: float = math.nan
    database_cpu_s: float = math.nan
    fake_cpu_s: float = math.nan
    machine_busy: float = math.nan  # share of all cores busy during the run
    steady_cpu_ms: float = math.nan  # server CPU per message once sending (no start-up)
    recorded: dict[str, int] | None = None

    @property
    def floor(self) -> float:
        return self.members / self.rate

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.server_cpu_s / max(1, self.distinct)

    @property
    def misses(self) -> int:
        return self.members - self.distinct

    def met(self) -> bool:
        return (
            self.seconds <= TARGET_FACTOR * self.floor
            and self.duplicates == 0
            and self.misses == 0
            and self.cpu_ms <= TARGET_CPU_MS
        )


async def run(backend: str, replicas: int, members: int, rate: float, pg_url: str) -> Run:
    result = Run(
        f"{backend}, {replicas} replica{'s' if replicas > 1 else ''}", members, rate, replicas
    )
    with (
        tempfile.TemporaryDirectory(prefix="tempcheck-fanout-") as tmp,
        database(backend, Path(tmp), pg_url) as url,
    ):
        work = Path(tmp)
        print(f"== {result.name}: preparing {members} members …", flush=True)
        added = await prepare(url, work, members)
        assert added == members, added
        fake = FakeSlack(rate)
        servers = []
        try:
            env = {k: v for k, v in os.environ.items() if not k.startswith("TEMPCHECK_")}
            env.update(
                TEMPCHECK_DATABASE_URL=url,
                TEMPCHECK_TENANT=TENANT,
                TEMPCHECK_KEY_STORE_PATH=str(work / "keys"),
                TEMPCHECK_SLACK_BOT_TOKEN="xoxb-bench",
                TEMPCHECK_SLACK_SIGNING_SECRET="bench-secret",
                TEMPCHECK_SLACK_API_URL=fake.base_url,
                TEMPCHECK_DELIVERY_RATE=f"{rate / replicas:g}",
                TEMPCHECK_DELIVERY_BURST=str(BURST),
                TEMPCHECK_SEND_SECONDS="0.5",
                TEMPCHECK_LOG_LEVEL="WARNING",
            )
            database_name = url.rsplit("/", 1)[1] if backend == "postgresql" else None
            db_before = cpu_of(postgres_pids(database_name))
            fake_before = cpu_of([fake.pid])
            busy0, total0 = machine_cpu()
            started = time.monotonic()
            profile = os.environ.get("TEMPCHECK_BENCH_PROFILE")
            for n in range(replicas):
                command = [
                    tempcheck_executable(),
                    "serve",
                    "--host",
                    HOST,
                    "--port",
                    str(free_port()),
                ]
                if profile:
                    # py-spy's collapsed stacks of each server (py-spy's own CPU is then
                    # counted in the server's: profiled runs are not measurements).
                    out = f"{profile}-{backend}-{replicas}-{n}.txt"
                    spy = str(Path(sys.executable).parent / "py-spy")
                    command = [spy, "record", "-r", "100", "-f", "raw", "-o", out, "--", *command]
                servers.append(start(command, work / f"serve{n}.log", env))
            deadline = started + 3 * result.floor + 60
            stats = fake.stats()
            sending: tuple[float, int] | None = None  # (server CPU, delivered) once sending
            while stats["distinct"] < members and time.monotonic() < deadline:
                for n, server in enumerate(servers):
                    if server.poll() is not None:
                        raise SystemExit(f"serve {n} exited:\n{log_tail(work / f'serve{n}.log')}")
                await asyncio.sleep(POLL_S)
                stats = fake.stats()
                if sending is None and stats["distinct"] > 0:
                    started_cpu = sum(cpu_of(_pids(servers)).values())
                    sending = (started_cpu, int(stats["distinct"]))
            cpu = sum(cpu_of(_pids(servers)).values())  # before they stop
            if sending is not None and stats["distinct"] > sending[1]:
                result.steady_cpu_ms = 1000 * (cpu - sending[0]) / (stats["distinct"] - sending[1])
            busy1, total1 = machine_cpu()
            result.server_cpu_s = cpu
            result.database_cpu_s = cpu_since(db_before, postgres_pids(database_name))
            result.fake_cpu_s = cpu_since(fake_before)
            result.machine_busy = (busy1 - busy0) / (total1 - total0)
            result.seconds = stats["last"] - started
            result.fan_out_seconds = stats["last"] - stats["first"]
            result.distinct = int(stats["distinct"])
            result.duplicates = int(stats["duplicates"])
            result.over_cap = int(stats["over_cap"])
        finally:
            for server in servers:
                stop(server)
            fake.close()
        result.recorded = await outcome(url, work)
    return result


def _pids(servers: list[Any]) -> list[int]:
    """The servers' processes (with their children, when py-spy runs them)."""
    return [pid for server in servers for pid in family(server.pid)]


def report(r: Run) -> None:
    print(
        f"   time {r.seconds:.1f} s (floor {r.floor:.1f} s,"
        f" target ≤ {TARGET_FACTOR * r.floor:.1f} s;"
        f" first→last {r.fan_out_seconds:.1f} s), {r.distinct}/{r.members} members,"
        f" {r.duplicates} duplicates, {r.misses} misses, {r.over_cap} × 429"
    )
    print(
        f"   CPU: server {r.server_cpu_s:.1f} s = {r.cpu_ms:.2f} ms/message"
        f" (target ≤ {TARGET_CPU_MS} ms; {r.steady_cpu_ms:.2f} ms once sending),"
        f" database {r.database_cpu_s:.1f} s, fake Slack {r.fake_cpu_s:.1f} s;"
        f" machine {r.machine_busy:.0%} busy ({os.cpu_count()} cores)"
    )
    print(f"   outbox afterwards: {r.recorded}   → {'MET' if r.met() else 'NOT MET'}", flush=True)


RUNS = {"sqlite": ("sqlite", 1), "postgresql": ("postgresql", 1), "replicas": ("postgresql", 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=100.0, help="the fake's workspace cap /s")
    parser.add_argument("--runs", nargs="+", choices=sorted(RUNS), default=list(RUNS))
    parser.add_argument("--quick", action="store_true", help="1,000 members")
    parser.add_argument(
        "--pg-url", default=os.environ.get("TEMPCHECK_BENCH_PG_URL", DEFAULT_PG_URL)
    )
    args = parser.parse_args()
    members = 1_000 if args.quick else args.members
    print(
        f"fan-out bench: {members} members, cap {args.rate:g}/s; {platform.node()},"
        f" {platform.processor() or platform.machine()}, {os.cpu_count()} cores,"
        f" Python {platform.python_version()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    results = []
    for name in args.runs:
        backend, replicas = RUNS[name]
        result = asyncio.run(run(backend, replicas, members, args.rate, args.pg_url))
        report(result)
        results.append(result)
    sys.exit(0 if all(r.met() for r in results) else 1)


if __name__ == "__main__":
    main()
