"""Ingest benchmark: signed Slack ``view_submission`` requests against ``tempcheck serve``.

For each backend (SQLite, PostgreSQL) the script prepares a fresh database with the real CLI
(migrations, an organisation of N members, the default question bank, one open round), starts
the fake Slack Web API from ``tests/fakes/slack_api.py`` in its own process (so the
``chat.update`` after each ack has somewhere to go), starts ``tempcheck serve`` as a subprocess
and fires one signed pulse submission per member at a fixed concurrency. It reports
submissions per second and the p50/p99 time to ack, next to the same load against a bare
aiohttp handler on the same machine, and checks afterwards that every submission was stored.

Everything listens on 127.0.0.1 only. Usage (see bench/README.md)::

    .venv/bin/python bench/slack_ingest.py --backend both
    .venv/bin/python bench/slack_ingest.py --quick --backend sqlite
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import math
import multiprocessing
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import aiohttp
import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from bot.app import build_container
from bot.settings import load_settings
from core.i18n import t
from core.rounds import Round

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
TENANT = "bench"
TEAM = "T0BENCH"
SECRET = "bench-secret"
BOT_TOKEN = "xoxb-bench"
LOCALE = "en"
MESSAGE_TS = "1.1"
UNIT_SIZE = 100
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TARGET_RATE = 300.0  # submissions per second
TARGET_P99_MS = 500.0
REQUEST_TIMEOUT_S = 10.0
STARTUP_TIMEOUT_S = 60.0
CLI_TIMEOUT_S = 300.0
DRAIN_TIMEOUT_S = 120.0
QUIET_S = 5.0
STOP_TIMEOUT_S = 15.0

BARE_SERVER = """
import sys
from aiohttp import web

async def events(request):
    await request.read()
    return web.Response(status=200)

async def healthz(request):
    return web.Response(status=200, text="ok")

app = web.Application(client_max_size=512 * 1024)
app.router.add_post("/slack/events", events)
app.router.add_get("/healthz", healthz)
web.run_app(app, host=sys.argv[1], port=int(sys.argv[2]), print=None)
"""


# --- measurement --------------------------------------------------------------------------


@dataclass
class LoadResult:
    requests: int
    wall_s: float
    latencies_s: list[float]
    errors: Counter[str] = field(default_factory=Counter)
    client_cpu_s: float = 0.0
    #: Requests answered as expected (for tempcheck: 200 and the "thank you" view).
    acked: int = 0

    @property
    def rate(self) -> float:
        return self.requests / self.wall_s if self.wall_s > 0 else 0.0

    def percentile_ms(self, p: float) -> float:
        """Nearest-rank percentile of the time to ack, in milliseconds."""
        if not self.latencies_s:
            return math.nan
        ordered = sorted(self.latencies_s)
        rank = max(1, math.ceil(p / 100 * len(ordered)))
        return ordered[rank - 1] * 1000


@dataclass
class BackendResult:
    backend: str
    round: Round
    load: LoadResult
    expected: int
    ledger_rows: int = 0
    answer_rows: int = 0
    items: int = 0
    updates: int = 0
    drain_s: float = math.nan
    server_cpu_s: float = math.nan
    warmup_acked: int = 0
    #: PostgreSQL sessions opened during the measured run (connection churn).
    sessions: int | None = None
    #: CPU seconds during the measured run: PostgreSQL, the fake Slack API, the machine.
    database_cpu_s: float = math.nan
    fake_cpu_s: float = math.nan
    machine_busy_s: float = math.nan
    machine_total_s: float = math.nan

    @property
    def other_cpu_s(self) -> float:
        """CPU used by none of the bench's processes: other work disturbing the run."""
        ours = self.server_cpu_s + self.database_cpu_s + self.fake_cpu_s + self.load.client_cpu_s
        return self.machine_busy_s - ours

    server_log: Counter[str] = field(default_factory=Counter)

    @property
    def stored_ok(self) -> bool:
        return self.ledger_rows == self.expected and self.answer_rows == self.expected * self.items


def signed_headers(body: str, secret: str = SECRET) -> dict[str, str]:
    """Slack's v0 request signature over ``v0:timestamp:body`` (as tests/slack/harness.py)."""
    timestamp = str(int(time.time()))
    base = f"v0:{timestamp}:{body}".encode()
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": f"v0={digest}",
    }


async def fire(
    session: aiohttp.ClientSession,
    url: str,
    bodies: Sequence[str],
    concurrency: int,
    check: Callable[[int, bytes], str | None],
    overall_timeout: float,
) -> LoadResult:
    """Closed loop: ``concurrency`` workers, each sends its next request when the last is
    answered. Latency = send until the whole response is read (the ack)."""
    pending: Iterator[str] = iter(bodies)
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    tally: Counter[str] = Counter()  # "finished" (answered or failed) and "acked"

    async def worker() -> None:
        for body in pending:
            data = body.encode()
            headers = signed_headers(body)
            start = time.perf_counter()
            try:
                async with session.post(url, data=data, headers=headers) as response:
                    payload = await response.read()
                    status = response.status
            except (aiohttp.ClientError, TimeoutError) as exc:
                errors[type(exc).__name__] += 1
                tally["finished"] += 1
                continue
            latencies.append(time.perf_counter() - start)
            tally["finished"] += 1
            problem = check(status, payload)
            if problem is not None:
                errors[problem] += 1
            else:
                tally["acked"] += 1

    cpu_start = time.process_time()
    start = time.perf_counter()
    workers = [asyncio.create_task(worker()) for _ in range(concurrency)]
    with suppress(TimeoutError):  # what did not finish is counted below
        await asyncio.wait_for(asyncio.gather(*workers), overall_timeout)
    wall = time.perf_counter() - start
    if tally["finished"] < len(bodies):
        errors["unfinished at the overall timeout"] += len(bodies) - tally["finished"]
    cpu = time.process_time() - cpu_start
    return LoadResult(len(bodies), wall, latencies, errors, cpu, tally["acked"])


def tempcheck_ack_check() -> Callable[[int, bytes], str | None]:
    title = t("slackui.thanks_title", LOCALE)[:24]

    def check(status: int, payload: bytes) -> str | None:
        if status != 200:
            return f"HTTP {status}"
        try:
            answer = json.loads(payload)
            shown = answer["view"]["title"]["text"]
        except (ValueError, KeyError, TypeError):
            return "ack without a view"
        if answer.get("response_action") != "update" or shown != title:
            return f"not thanked (view {shown!r})"
        return None

    return check


def bare_check(status: int, payload: bytes) -> str | None:
    return None if status == 200 else f"HTTP {status}"


# --- payloads -----------------------------------------------------------------------------


def slack_user(n: int) -> str:
    return f"UBENCH{n:06d}"


def dm_channel(user: str) -> str:
    return "D" + user


def roster_csv(members: int, warmup: int) -> str:
    lines = ["email,name,unit,slack_user_id"]
    for n in range(members + warmup):
        unit = f"Bench/Unit{n // UNIT_SIZE:03d}" if n < members else "Bench/Warmup"
        lines.append(f"p{n}@bench.example,Person {n},{unit},{slack_user(n)}")
    return "\n".join(lines) + "\n"


def answers_for(found: Round, n: int) -> dict[str, str]:
    """A valid choice per item: "no" on screening items (no help view), else spread out."""
    return {
        f"item:{item.item_key}": "1" if item.sensitive else str(1 + (n % item.points))
        for item in found.items
    }


def submission_body(found: Round, n: int) -> str:
    """The shape of tests/slack/harness.py submission_payload, for member ``n``."""
    user = slack_user(n)
    values: dict[str, Any] = {
        block: {"value": {"type": "radio_buttons", "selected_option": {"value": chosen}}}
        for block, chosen in answers_for(found, n).items()
    }
    values["comment"] = {"value": {"type": "plain_text_input", "value": None}}
    values["audience"] = {"value": {"type": "radio_buttons", "selected_option": None}}
    values["confirm_comment"] = {"value": {"type": "checkboxes", "selected_options": []}}
    metadata = {"round": found.id, "channel": dm_channel(user), "ts": MESSAGE_TS}
    payload = {
        "type": "view_submission",
        "user": {"id": user, "team_id": TEAM},
        "team": {"id": TEAM},
        "api_app_id": "A0BENCH",
        "view": {
            "id": f"V{n:08d}",
            "type": "modal",
            "callback_id": "tempcheck_pulse",
            "private_metadata": json.dumps(metadata),
            "state": {"values": values},
        },
    }
    return urllib.parse.urlencode({"payload": json.dumps(payload)})


# --- processes ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def tempcheck_executable() -> str:
    candidate = Path(sys.executable).parent / "tempcheck"
    if not candidate.exists():
        raise SystemExit(f"tempcheck is not installed next to {sys.executable}")
    return str(candidate)


def bench_env(database_url: str, work: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEMPCHECK_")}
    env.update(
        TEMPCHECK_DATABASE_URL=database_url,
        TEMPCHECK_TENANT=TENANT,
        TEMPCHECK_KEY_STORE_PATH=str(work / "keys"),
        TEMPCHECK_DEFAULT_LOCALE=LOCALE,
        TEMPCHECK_LOG_LEVEL="INFO",
        # The scheduler would fan invitations for the benchmark's open round out to the
        # fake Slack while submissions arrive: measure ingest alone (to include it, set
        # TEMPCHECK_BENCH_SCHEDULER=on).
        TEMPCHECK_SCHEDULER=os.environ.get("TEMPCHECK_BENCH_SCHEDULER", "off"),
        **(extra or {}),
    )
    return env


def cli(env: dict[str, str], work: Path, *args: str) -> str:
    command = [tempcheck_executable(), "--locale", "en", *args]
    done = subprocess.run(
        command,
        env=env,
        cwd=work,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout.strip()


def process_cpu_s(pid: int) -> float:
    """user + system CPU seconds of a running process and of its children that ended
    (Linux /proc): PostgreSQL's postmaster collects the time of every backend that exits."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return math.nan
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def parent_pid(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def family(pid: int) -> list[int]:
    """``pid`` and its children (``serve --workers N`` forks N workers)."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and parent_pid(int(entry.name)) == pid:
            children.append(int(entry.name))
    return [pid, *children]


def start(
    command: list[str], log: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """A server subprocess, its output into ``log``, run from the log's directory."""
    with log.open("wb") as out:
        return subprocess.Popen(
            command, env=env, cwd=log.parent, stdout=out, stderr=subprocess.STDOUT
        )


def log_tail(log: Path, chars: int = 2000) -> str:
    return log.read_text(errors="replace")[-chars:] if log.exists() else ""


def postgres_pids(database: str | None) -> list[int]:
    """PostgreSQL's processes that work for this run: backends connected to ``database`` and
    the server's own helpers (WAL writer, checkpointer…), not other databases' backends."""
    if database is None:
        return []
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if not title.startswith(b"postgres: "):
            continue
        client = b"127.0.0.1(" in title or b"[local]" in title or b"::1(" in title
        if f" {database} ".encode() in title or not client:
            pids.append(int(entry.name))
    # The postmaster: backends that end during the run (the pool closes connections beyond
    # its size and opens new ones) leave their CPU time with it.
    postmaster = parent_pid(pids[0]) if pids else None
    return [*pids, postmaster] if postmaster is not None else pids


def pg_sessions(url: str) -> int | None:
    """Sessions PostgreSQL has opened on the bench database so far (pg_stat_database)."""
    query = "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
    try:
        with psycopg.connect(_libpq(url)) as conn:
            row = conn.execute(query).fetchone()
    except psycopg.Error:
        return None
    return int(row[0]) if row is not None and row[0] is not None else None


def cpu_of(pids: Sequence[int]) -> dict[int, float]:
    return {pid: process_cpu_s(pid) for pid in pids}


def cpu_since(before: dict[int, float], now: Sequence[int] = ()) -> float:
    """CPU seconds used since ``before`` by its processes (ended ones count 0) and by the
    processes of ``now`` that were not there yet (all of their CPU)."""
    used = 0.0
    for pid in {*before, *now}:
        end = process_cpu_s(pid)
        start = before.get(pid, 0.0)
        if not (math.isnan(end) or math.isnan(start)):
            used += end - start
    return used


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, summed over all cores."""
    try:
        ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return math.nan, math.nan
    total = sum(ticks[:8])  # user nice system idle iowait irq softirq steal
    idle = ticks[3] + ticks[4]
    hz = os.sysconf("SC_CLK_TCK")
    return (total - idle) / hz, total / hz


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)  # aiohttp's run_app shuts down cleanly on SIGINT
    try:
        process.wait(STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(STOP_TIMEOUT_S)


async def wait_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    timeout = aiohttp.ClientTimeout(total=1)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"server exited with {process.returncode}:\n{log_tail(log)}")
            with suppress(aiohttp.ClientError, TimeoutError):
                async with session.get(url) as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.1)
    raise SystemExit(f"{url} did not answer within {STARTUP_TIMEOUT_S:.0f} s")


def _fake_slack_main(conn: Connection, channels: list[str]) -> None:
    """Child process: the test fake of the Slack Web API with its own event loop."""
    asyncio.run(_fake_slack(conn, channels))


async def _fake_slack(conn: Connection, channels: list[str]) -> None:
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from tests.fakes.slack_api import FakeSlackApi

    loop = asyncio.get_running_loop()
    async with FakeSlackApi(team_id=TEAM) as api:
        for channel in channels:
            # The invitation each member "answers": chat.update after the ack finds it.
            api.messages[(channel, MESSAGE_TS)] = {"type": "message", "text": "", "ts": MESSAGE_TS}
        conn.send(api.base_url)
        while True:
            try:
                command = await loop.run_in_executor(None, conn.recv)
            except EOFError:
                return
            if command != "updates":
                return
            updated = [c for c in api.calls_to("chat.update") if c.params.get("ts") == MESSAGE_TS]
            ok = sum(1 for c in updated if api.messages[(c.params["channel"], MESSAGE_TS)]["text"])
            conn.send((len(updated), ok))


class FakeSlack:
    def __init__(self, channels: list[str]) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_fake_slack_main, args=(child, channels), daemon=True
        )
        self._process.start()
        child.close()
        if not self._conn.poll(STARTUP_TIMEOUT_S):
            self.close()
            raise SystemExit("the fake Slack API did not start")
        self.base_url = str(self._conn.recv())
        self.pid = self._process.pid or 0

    def updates(self) -> tuple[int, int]:
        """(chat.update calls so far, messages that now carry a confirmation)."""
        self._conn.send("updates")
        if not self._conn.poll(10):
            raise SystemExit("the fake Slack API stopped answering")
        calls, ok = self._conn.recv()
        return int(calls), int(ok)

    def close(self) -> None:
        with suppress(OSError):
            self._conn.send("stop")
        self._process.join(STOP_TIMEOUT_S)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(STOP_TIMEOUT_S)


async def wait_for_updates(fake: FakeSlack, count: int) -> float:
    """Seconds until the fake has seen ``count`` chat.update calls, or until the last one when
    they stop coming for QUIET_S (a listener whose ack timed out may still commit and update
    later; one that failed never will). NaN when still coming after DRAIN_TIMEOUT_S."""
    start = last_change = time.perf_counter()
    seen = -1
    while (now := time.perf_counter()) - start < DRAIN_TIMEOUT_S:
        updates = fake.updates()[0]
        if updates >= count:
            return now - start
        if updates != seen:
            seen, last_change = updates, now
        elif now - last_change >= QUIET_S:
            return last_change - start
        await asyncio.sleep(0.05)
    return math.nan


# --- databases ----------------------------------------------------------------------------


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def database(backend: str, work: Path, pg_url: str) -> Iterator[str]:
    """A fresh, empty database for one run; a PostgreSQL one is dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{work / 'bench.db'}"
        return
    name = f"tempcheck_bench_{secrets.token_hex(4)}"
    with psycopg.connect(_libpq(pg_url), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_libpq(pg_url), autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


async def open_round_of(database_url: str, work: Path) -> Round:
    container = build_container(
        load_settings(database_url=database_url, tenant=TENANT, key_store_path=work / "keys")
    )
    try:
        async with container.uows() as uow:
            tenant = await uow.organisation.get_tenant(TENANT)
            rounds = await uow.rounds.list(tenant.id) if tenant is not None else []
            found = await uow.rounds.get(rounds[0].id) if len(rounds) == 1 else None
    finally:
        await container.close()
    if found is None:
        raise SystemExit(f"expected one open round for tenant {TENANT!r}, found {len(rounds)}")
    return found


async def stored(database_url: str, work: Path, round_id: int) -> tuple[int, int]:
    """(ledger rows, answer rows) of the round, read through the project's repositories."""
    container = build_container(
        load_settings(database_url=database_url, tenant=TENANT, key_store_path=work / "keys")
    )
    try:
        async with container.uows() as uow:
            return (
                await uow.answers.ledger_count(round_id),
                len(await uow.answers.answers(round_id)),
            )
    finally:
        await container.close()


# --- runs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    members: int
    warmup: int
    concurrency: int
    timeout: float
    pg_url: str
    keep_logs: bool
    workers: int = 1


def client_session(concurrency: int) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=concurrency),
        timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S),
    )


async def run_bare(options: Options, bodies: list[str], warmup: list[str]) -> LoadResult:
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="tempcheck-bench-bare-") as tmp:
        log = Path(tmp) / "bare.log"
        server = start([sys.executable, "-c", BARE_SERVER, HOST, str(port)], log)
        try:
            await wait_healthy(f"http://{HOST}:{port}/healthz", server, log)
            url = f"http://{HOST}:{port}/slack/events"
            async with client_session(options.concurrency) as session:
                await fire(session, url, warmup, options.concurrency, bare_check, options.timeout)
                return await fire(
                    session, url, bodies, options.concurrency, bare_check, options.timeout
                )
        finally:
            stop(server)


def server_log_summary(log: Path) -> Counter[str]:
    """Distinct server log lines (messages only; the server never logs identities)."""
    lines: Counter[str] = Counter()
    for line in log.read_text(errors="replace").splitlines():
        if line.strip():
            lines[line.strip()[:160]] += 1
    return lines


async def run_backend(backend: str, options: Options) -> BackendResult:
    total = options.members + options.warmup
    print(f"\n== {backend}: preparing {total} members ({options.warmup} for warm-up)", flush=True)
    with (
        tempfile.TemporaryDirectory(prefix=f"tempcheck-bench-{backend}-") as tmp,
        database(backend, Path(tmp), options.pg_url) as url,
    ):
        work = Path(tmp)
        env = bench_env(url, work)
        roster = work / "org.csv"
        roster.write_text(roster_csv(options.members, options.warmup), encoding="utf-8")
        started = time.perf_counter()
        cli(env, work, "db", "upgrade")
        cli(env, work, "org", "import", str(roster))
        cli(env, work, "questions", "import")
        print("   " + cli(env, work, "round", "open", "--days", "7", "--release-delay-hours", "24"))
        found = await open_round_of(url, work)
        print(f"   prepared in {time.perf_counter() - started:.1f} s", flush=True)

        everyone = [submission_body(found, n) for n in range(total)]
        bodies, warmup = everyone[: options.members], everyone[options.members :]
        fake = FakeSlack([dm_channel(slack_user(n)) for n in range(total)])
        port = free_port()
        log = work / "serve.log"
        server: subprocess.Popen[bytes] | None = None
        sessions_before: int | None = None
        try:
            serve_env = bench_env(
                url,
                work,
                {
                    "TEMPCHECK_SLACK_BOT_TOKEN": BOT_TOKEN,
                    "TEMPCHECK_SLACK_SIGNING_SECRET": SECRET,
                    "TEMPCHECK_SLACK_API_URL": fake.base_url,
                },
            )
            command = [tempcheck_executable(), "serve", "--port", str(port), "--host", HOST]
            if options.workers > 1 and backend != "sqlite":
                command += ["--workers", str(options.workers)]
            profile = os.environ.get("TEMPCHECK_BENCH_PROFILE")
            if profile:
                # py-spy's collapsed stacks of the server (its CPU counts in the server's).
                out = f"{profile}-{backend}.txt"
                command = ["py-spy", "record", "-r", "200", "-f", "raw", "-o", out, "--", *command]
            server = start(command, log, serve_env)
            await wait_healthy(f"http://{HOST}:{port}/healthz", server, log)
            endpoint = f"http://{HOST}:{port}/slack/events"
            check = tempcheck_ack_check()
            warmed = 0
            async with client_session(options.concurrency) as session:
                if warmup:
                    done = await fire(
                        session, endpoint, warmup, options.concurrency, check, options.timeout
                    )
                    warmed = done.acked
                    if done.errors:
                        print(f"   warm-up errors: {dict(done.errors)}", flush=True)
                    await wait_for_updates(fake, len(warmup))
                print(
                    f"   firing {len(bodies)} submissions at concurrency {options.concurrency}",
                    flush=True,
                )
                server_cpu = cpu_of(family(server.pid))
                db_name = make_url(url).database if backend != "sqlite" else None
                database_cpu = cpu_of(postgres_pids(db_name))
                sessions_before = pg_sessions(url) if db_name else None
                fake_cpu = cpu_of([fake.pid])
                busy_before, total_before = machine_cpu()
                load = await fire(
                    session, endpoint, bodies, options.concurrency, check, options.timeout
                )
                busy_after, total_after = machine_cpu()
                database_used = cpu_since(database_cpu, postgres_pids(db_name))
            result = BackendResult(
                backend, found, load, expected=total, server_cpu_s=cpu_since(server_cpu)
            )
            result.database_cpu_s = database_used
            result.warmup_acked = warmed
            result.fake_cpu_s = cpu_since(fake_cpu)
            result.machine_busy_s = busy_after - busy_before
            result.machine_total_s = total_after - total_before
            result.drain_s = await wait_for_updates(fake, total)
            result.updates = fake.updates()[1]
        finally:
            if server is not None:
                stop(server)
            fake.close()
        sessions_after = pg_sessions(url) if sessions_before is not None else None
        if sessions_before is not None and sessions_after is not None:
            # minus the session of the first count itself
            result.sessions = sessions_after - sessions_before - 1
        result.server_log = server_log_summary(log)
        if options.keep_logs:
            kept = Path(tempfile.gettempdir()) / f"tempcheck-bench-{backend}-serve.log"
            kept.write_bytes(log.read_bytes())
            print(f"   server log kept at {kept}")
        result.ledger_rows, result.answer_rows = await stored(url, work, found.id)
        result.items = len(found.items)
        return result


# --- report -------------------------------------------------------------------------------


def met(result: BackendResult) -> bool:
    load = result.load
    return (
        not load.errors
        and result.stored_ok
        and load.rate >= TARGET_RATE
        and load.percentile_ms(99) < TARGET_P99_MS
    )


def report(results: list[BackendResult], bare: LoadResult, options: Options) -> None:
    header = (
        "| backend | requests | failed | submissions/s | p50 ms | p99 ms | max ms "
        "| bare subm./s | bare p50 ms | bare p99 ms | rate ratio | p99 ratio |"
    )
    print("\n" + header)
    print("|" + "---|" * 12)
    for r in results:
        load = r.load
        print(
            f"| {r.backend} | {load.requests} | {sum(load.errors.values())} "
            f"| {load.rate:.0f} | {load.percentile_ms(50):.1f} | {load.percentile_ms(99):.1f} "
            f"| {load.percentile_ms(100):.1f} | {bare.rate:.0f} | {bare.percentile_ms(50):.1f} "
            f"| {bare.percentile_ms(99):.1f} | {load.rate / bare.rate:.3f} "
            f"| {load.percentile_ms(99) / bare.percentile_ms(99):.1f} |"
        )
    print()
    for r in results:
        load = r.load
        verdict = "yes" if met(r) else "no"
        print(f"{r.backend}:")
        print(f"  target met (>= {TARGET_RATE:.0f}/s, p99 < {TARGET_P99_MS:.0f} ms): {verdict}")
        print(
            f"  stored: {r.ledger_rows} ledger rows, {r.answer_rows} answer rows "
            f"({r.items} items); expected {r.expected} and {r.expected * r.items} "
            f"(incl. {options.warmup} warm-up): {'ok' if r.stored_ok else 'MISMATCH'}"
        )
        print(
            f"  chat.update confirmations: {r.updates}/{r.expected}; the last one came "
            f"{r.drain_s:.2f} s after the last response"
        )
        late = r.ledger_rows - r.load.acked - r.warmup_acked
        if late > 0:
            print(
                f"  {late} answers were stored although their request was not thanked "
                "(Bolt answers 404 when the listener has not acked within 3 s)"
            )
        print(
            f"  CPU during the measured run: server {r.server_cpu_s:.1f} s "
            f"({r.server_cpu_s / load.wall_s:.0%} of one core, "
            f"{1000 * r.server_cpu_s / load.requests:.2f} ms per submission), "
            f"PostgreSQL {r.database_cpu_s:.1f} s, fake Slack {r.fake_cpu_s:.1f} s, "
            f"load generator {load.client_cpu_s:.1f} s, other processes {r.other_cpu_s:.1f} s; "
            f"wall {load.wall_s:.1f} s; machine {r.machine_busy_s / r.machine_total_s:.0%} busy"
        )
        if r.sessions is not None:
            print(f"  PostgreSQL sessions opened during the measured run: {r.sessions}")
        if r.other_cpu_s > 0.1 * r.machine_total_s:
            print("  WARNING: other work used over 10% of the machine; this run was disturbed")
        if load.errors:
            print(f"  errors: {dict(load.errors)}")
        if r.server_log:
            print("  server log (count × line):")
            for line, count in r.server_log.most_common(8):
                print(f"    {count} × {line}")
    print(
        f"bare aiohttp: {bare.rate:.0f}/s, p50 {bare.percentile_ms(50):.1f} ms, "
        f"p99 {bare.percentile_ms(99):.1f} ms, load generator CPU {bare.client_cpu_s:.1f} s, "
        f"errors {dict(bare.errors) or 0}"
    )


def machine() -> str:
    model = "?"
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}"


async def main_async(backends: list[str], options: Options) -> int:
    print(
        f"tempcheck ingest bench: {options.members} submissions (+{options.warmup} warm-up), "
        f"concurrency {options.concurrency}, {options.workers} server process(es) on "
        f"PostgreSQL, {machine()}, "
        "load average " + " ".join(f"{v:.2f}" for v in os.getloadavg()),
        flush=True,
    )
    results = [await run_backend(backend, options) for backend in backends]
    # The baseline gets the same bodies (signed the same way) at the same concurrency.
    everyone = [
        submission_body(results[0].round, n) for n in range(options.members + options.warmup)
    ]
    print("\n== bare aiohttp handler", flush=True)
    bare = await run_bare(options, everyone[: options.members], everyone[options.members :])
    report(results, bare, options)
    return 0 if all(met(r) for r in results) and not bare.errors else 1


def parse(argv: list[str] | None) -> tuple[list[str], Options]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--members", type=int, default=3000, help="submissions (one per member)")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--backend", choices=("sqlite", "postgresql", "both"), default="both", help="database"
    )
    parser.add_argument("--quick", action="store_true", help="smoke run: 300 members")
    parser.add_argument(
        "--warmup",
        type=int,
        default=None,
        help="extra members answered first, not measured (default: 2 × concurrency)",
    )
    parser.add_argument("--timeout", type=float, default=600.0, help="overall seconds per run")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("TEMPCHECK_BENCH_PG_URL", DEFAULT_PG_URL),
        help="PostgreSQL server to create a throwaway database on (TEMPCHECK_BENCH_PG_URL)",
    )
    parser.add_argument("--keep-logs", action="store_true", help="copy the server logs to /tmp")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes on PostgreSQL (tempcheck serve --workers); SQLite always 1",
    )
    args = parser.parse_args(argv)
    members = 300 if args.quick else args.members
    if members < 1 or args.concurrency < 1:
        parser.error("--members and --concurrency must be positive")
    warmup = 2 * args.concurrency if args.warmup is None else max(0, args.warmup)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    return backends, Options(
        members,
        warmup,
        args.concurrency,
        args.timeout,
        args.pg_url,
        args.keep_logs,
        max(1, args.workers),
    )


def main(argv: list[str] | None = None) -> int:
    backends, options = parse(argv)
    return asyncio.run(main_async(backends, options))


if __name__ == "__main__":
    sys.exit(main())
