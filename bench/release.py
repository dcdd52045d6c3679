"""Release benchmark: one round's release for an organisation of 10,000 over a year of rounds.

The organisation is a 4-level tree (root, divisions, departments, teams; about 1,000 units),
10,000 members, 52 weekly rounds with about 77 % participation: about 2 million answer rows.
It is generated through the project's own services and repositories, never through chat:
``import_roster`` (the roster), ``import_question_set`` (the shipped bank), ``open_round``
(membership snapshot and the rotation's items), then the answers in bulk with
``AnswerRepository.add_answers`` and the round closed with ``RoundRepository.set_status``
(answers are inserted under random ids, so the shuffle at close would change nothing here).

Then, in a fresh child process (so its peak RSS is the release's, not the generator's), it
times ``round_service.release_round`` on stored answers (reading, computing, hashing,
storing, audit) for the last rounds, and the recomputation of an already stored release
(what a second ``release`` does: compute again and compare the hash). It reports wall time,
CPU time of the process, the load of the machine during the measurement and peak RSS.

``--save DIR`` writes each measured release's canonical JSON to DIR; ``--compare DIR`` checks
that the releases just computed are byte-identical to those saved (run before and after a
change to the release path). The data set is kept between runs (``--data``; a PostgreSQL
database ``tempcheck_bench_release``) unless ``--fresh``.

``--digests`` also times the issue's third figure, "a week's digests without posting < 10 s":
every unit's digest of the last released round, built and rendered as chat text.

Usage::

    .venv/bin/python bench/release.py --backend both
    .venv/bin/python bench/release.py --backend sqlite --members 2000 --units 200 --rounds 8
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from core.anonymity.release import build_release  # noqa: E402
from core.clock import FixedClock  # noqa: E402
from core.org_import import import_roster  # noqa: E402
from core.question_sets import import_question_set  # noqa: E402
from core.questions import load_default_bank  # noqa: E402
from core.roster import parse_roster  # noqa: E402
from core.round_service import open_round, release_input, release_round  # noqa: E402
from core.rounds import NewAnswer, NewComment, RoundStatus  # noqa: E402
from storage.engine import create_engine, session_factory  # noqa: E402
from storage.keys import FileKeyStore  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import AnswerRow, ReleaseRow, RoundRow  # noqa: E402
from storage.uow import SqlUnitOfWorkFactory  # noqa: E402

TENANT = "bench"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_DATABASE = "tempcheck_bench_release"
START = datetime(2025, 12, 1, 7, 0, tzinfo=UTC)  # a Monday; round i opens START + i weeks
TARGET_RELEASE_S = 1.0
TARGET_RSS_MB = 1024.0
TARGET_DIGESTS_S = 10.0
PARTICIPATION = 0.77
COMMENT_SHARE = 0.03
AUDIENCES = ("leader", "hr_verneombud", "themes")


# --- The organisation --------------------------------------------------------------------------


def tree(units: int, rng: random.Random) -> list[str]:
    """Unit paths of a 4-level tree with about ``units`` units: 1 root, ~√(units/9) divisions
    of about as many departments each, and the rest teams spread unevenly over departments."""
    divisions = max(1, round((units / 9) ** 0.5 / 1.05))
    departments = max(divisions, round(divisions * divisions * 1.1))
    teams = max(departments, units - 1 - divisions - departments)
    paths = ["Org"]
    dept_paths: list[str] = []
    for d in range(divisions):
        paths.append(f"Org/Div{d + 1:02d}")
    for i in range(departments):
        path = f"Org/Div{i % divisions + 1:02d}/Dep{i + 1:03d}"
        paths.append(path)
        dept_paths.append(path)
    weights = [rng.uniform(0.4, 1.6) for _ in dept_paths]
    for i in range(teams):
        parent = rng.choices(dept_paths, weights)[0]
        paths.append(f"{parent}/Team{i + 1:04d}")
    return paths


def roster(members: int, paths: Sequence[str], rng: random.Random) -> str:
    """Most people in teams (sizes vary from 2 to ~20), some directly in departments and
    divisions (leaders, staff), so some teams are below K_ELIGIBLE and roll up."""
    teams = [p for p in paths if p.count("/") == 3]
    upper = [p for p in paths if 0 < p.count("/") < 3]
    homes = [rng.choice(upper) for _ in range(members // 20)]
    weights = [rng.lognormvariate(0, 0.6) for _ in teams]
    homes += rng.choices(teams, weights, k=members - len(homes))
    lines = ["email,name,unit"]
    lines += [f"p{i}@bench.example,Person {i},{home}" for i, home in enumerate(homes)]
    return "\n".join(lines) + "\n"


def answer_value(item_sensitive: bool, rng: random.Random) -> int | None:
    if item_sensitive:
        return 2 if rng.random() < 0.04 else 1
    if rng.random() < 0.03:
        return None  # "prefer not to say"
    return rng.choices((1, 2, 3, 4, 5), (1, 2, 4, 5, 3))[0]


async def generate(url: str, keys: Path, members: int, units: int, rounds: int) -> None:
    rng = random.Random(7)
    engine = create_engine(url)
    await upgrade(engine)
    uows = SqlUnitOfWorkFactory(session_factory(engine))
    clock = FixedClock(START - timedelta(days=1))
    store = FileKeyStore(keys)
    started = time.perf_counter()
    try:
        paths = tree(units, rng)
        text = roster(members, paths, rng)
        await import_roster(
            uows, clock, parse_roster(text, "bench.csv"), tenant_slug=TENANT, actor="b"
        )
        await import_question_set(uows, clock, load_default_bank(), tenant_slug=TENANT, actor="b")
        print(
            f"  organisation: {len(paths)} units, {members} members "
            f"({time.perf_counter() - started:.1f} s)",
            flush=True,
        )
        for index in range(rounds):
            clock.set(START + timedelta(weeks=index))
            opened = await open_round(
                uows,
                store,
                clock,
                tenant_slug=TENANT,
                actor="bench",
                duration=timedelta(days=5),
                release_delay_hours=24,
            )
            found = opened.round
            async with uows() as uow:
                snapshot = await uow.rounds.members(found.id)
                answers: list[NewAnswer] = []
                comments: list[NewComment] = []
                for member in snapshot:
                    if rng.random() >= PARTICIPATION:
                        continue
                    answers += [
                        NewAnswer(
                            member.answer_unit_id,
                            item.item_row_id,
                            answer_value(item.sensitive, rng),
                        )
                        for item in found.items
                    ]
                    if rng.random() < COMMENT_SHARE:
                        comments.append(
                            NewComment(
                                member.answer_unit_id,
                                rng.choice(AUDIENCES),
                                f"Comment {rng.randrange(10**6)}",
                            )
                        )
                rng.shuffle(answers)
                await uow.answers.add_answers(found.id, answers)
                for comment in comments:
                    await uow.answers.add_comment(found.id, comment)
                await uow.rounds.set_status(
                    found.id, RoundStatus.CLOSED, closed_at=clock.now() + timedelta(days=5)
                )
                await uow.commit()
            if index % 4 == 3 or index == rounds - 1:
                print(
                    f"  round {index + 1}/{rounds}: {len(answers)} answers "
                    f"({time.perf_counter() - started:.0f} s)",
                    flush=True,
                )
    finally:
        await engine.dispose()


async def stored_counts(url: str) -> tuple[int, int]:
    engine = create_engine(url)
    try:
        uows = SqlUnitOfWorkFactory(session_factory(engine))
        async with uows() as uow:
            tenant = await uow.organisation.get_tenant(TENANT)
            if tenant is None:
                return 0, 0
            rounds = len(await uow.rounds.list(tenant.id))
        async with engine.connect() as conn:
            answers = await conn.scalar(select(func.count()).select_from(AnswerRow))
        return rounds, int(answers or 0)
    except Exception:  # noqa: BLE001 - no schema yet: nothing stored
        return 0, 0
    finally:
        await engine.dispose()


# --- Measuring (in a child process) -------------------------------------------------------------


def cpu_of_machine() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    fields = [float(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


async def measure(url: str, round_ids: Sequence[int]) -> dict[str, Any]:
    engine = create_engine(url)
    uows = SqlUnitOfWorkFactory(session_factory(engine))
    clock = FixedClock(START + timedelta(weeks=60))
    results: list[dict[str, Any]] = []
    try:
        for round_id in round_ids:
            busy0, total0 = cpu_of_machine()
            cpu0, wall0 = time.process_time(), time.perf_counter()
            stored = await release_round(uows, clock, round_id, actor="bench")
            release_s, release_cpu = time.perf_counter() - wall0, time.process_time() - cpu0
            cpu0, wall0 = time.process_time(), time.perf_counter()
            again = await release_round(uows, clock, round_id, actor="bench")
            recompute_s = time.perf_counter() - wall0
            recompute_cpu = time.process_time() - cpu0
            # The parts: reading the input, and the pure engine on it.
            wall0 = time.perf_counter()
            async with uows() as uow:
                found = await uow.rounds.get(round_id)
                assert found is not None
                inp = await release_input(uow, found)
            read_s = time.perf_counter() - wall0
            wall0 = time.perf_counter()
            release = build_release(inp)
            build_s = time.perf_counter() - wall0
            busy1, total1 = cpu_of_machine()
            assert again.hash == stored.hash == release.hash
            results.append(
                {
                    "round": round_id,
                    "answers": sum(len(v) for m in inp.metrics for v in m.values.values()),
                    "release_s": release_s,
                    "release_cpu_s": release_cpu,
                    "recompute_s": recompute_s,
                    "recompute_cpu_s": recompute_cpu,
                    "read_s": read_s,
                    "build_s": build_s,
                    "machine_busy": (busy1 - busy0) / max(total1 - total0, 1),
                    "hash": stored.hash,
                    "bytes": len(stored.document.encode("utf-8")),
                }
            )
    finally:
        await engine.dispose()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"rounds": results, "peak_rss_mb": peak_kb / 1024}


async def last_rounds(url: str, count: int) -> list[int]:
    engine = create_engine(url)
    try:
        uows = SqlUnitOfWorkFactory(session_factory(engine))
        async with uows() as uow:
            tenant = await uow.organisation.get_tenant(TENANT)
            assert tenant is not None
            rounds = await uow.rounds.list(tenant.id)
    finally:
        await engine.dispose()
    return [r.id for r in rounds][-count:]


def measure_digests(url: str) -> str:
    """Every unit's digest of the last released round, built and rendered as chat text
    without posting (core.digest_service.week_digests), timed against TARGET_DIGESTS_S; the
    PNG charts are timed apart (a sample of 50), since they are drawn only for the units a
    digest is actually posted for."""
    return asyncio.run(_measure_digests(url))


async def _measure_digests(url: str) -> str:
    from bot.charts import digest_chart
    from core.digest import chat_text
    from core.digest_service import week_digests

    engine = create_engine(url)
    try:
        await upgrade(engine)  # a data set kept from an older schema
        uows = SqlUnitOfWorkFactory(session_factory(engine))
        async with uows() as uow:
            tenant = await uow.organisation.get_tenant(TENANT)
            assert tenant is not None
            released = [
                r for r in await uow.rounds.list(tenant.id) if r.status is RoundStatus.RELEASED
            ]
        last = max(released, key=lambda r: r.id)
        clock = FixedClock(datetime.now(UTC))
        wall, cpu = time.perf_counter(), time.process_time()
        digests = await week_digests(uows, clock, last.id, viewer="bench")
        texts = [chat_text(d) for d in digests]
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        sample = [d for d in digests if not d.withheld][:50]
        chart_wall = time.perf_counter()
        for digest in sample:
            digest_chart(digest)
        chart_wall = time.perf_counter() - chart_wall
    finally:
        await engine.dispose()
    shown = sum(1 for d in digests if not d.withheld)
    per_chart = chart_wall / len(sample) if sample else 0.0
    verdict = "met" if wall < TARGET_DIGESTS_S else "NOT met"
    return (
        f"{len(digests)} digests of round {last.id} ({shown} with results, "
        f"{sum(len(t) for t in texts)} characters) in {wall:.2f} s wall, {cpu:.2f} s CPU "
        f"(target < {TARGET_DIGESTS_S:.0f} s: {verdict}); charts {per_chart * 1000:.0f} ms "
        f"each (sample of {len(sample)})"
    )


# --- Driver ---------------------------------------------------------------------------------


def pg_database_url(base: str, fresh: bool) -> str:
    admin = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (PG_DATABASE,)
        ).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{PG_DATABASE}" WITH (FORCE)')
        if not exists or fresh:
            conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')
    return make_url(base).set(database=PG_DATABASE).render_as_string(hide_password=False)


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    data: Path = args.data
    data.mkdir(parents=True, exist_ok=True)
    if backend == "sqlite":
        db = data / "bench.db"
        if args.fresh and db.exists():
            db.unlink()
        url = f"sqlite+aiosqlite:///{db}"
    else:
        url = pg_database_url(args.pg_url, args.fresh)
    keys = data / f"keys-{backend}"
    rounds, answers = asyncio.run(stored_counts(url))
    if rounds == 0:
        print(
            f"{backend}: generating {args.members} members, ~{args.units} units, "
            f"{args.rounds} rounds",
            flush=True,
        )
        started = time.perf_counter()
        asyncio.run(generate(url, keys, args.members, args.units, args.rounds))
        rounds, answers = asyncio.run(stored_counts(url))
        print(f"{backend}: generated in {time.perf_counter() - started:.0f} s", flush=True)
    print(f"{backend}: {rounds} rounds, {answers} answer rows stored", flush=True)
    ids = asyncio.run(last_rounds(url, args.measure))
    previous = asyncio.run(take_back(url, ids))
    child = subprocess.run(
        [sys.executable, __file__, "--child", url, "--child-rounds", ",".join(map(str, ids))],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    result: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    result.update(backend=backend, stored_rounds=rounds, stored_answers=answers)
    current = asyncio.run(documents(url, ids))
    result["comparison"] = compare(
        previous, current, args.compare / backend if args.compare else None
    )
    if args.save:
        folder = args.save / backend
        folder.mkdir(parents=True, exist_ok=True)
        for round_id, document in current.items():
            (folder / f"release-{round_id}.json").write_text(document, encoding="utf-8")
    if args.digests:
        result["digests"] = measure_digests(url)
    return result


async def take_back(url: str, round_ids: Sequence[int]) -> dict[int, str]:
    """Un-release the rounds to be measured, keeping their stored documents: the child then
    releases them afresh, and the new documents are compared with these byte for byte."""
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            rows = await conn.execute(
                select(ReleaseRow.round_id, ReleaseRow.document).where(
                    ReleaseRow.round_id.in_(round_ids)
                )
            )
            previous = {int(r): str(d) for r, d in rows.all()}
            await conn.execute(delete(ReleaseRow).where(ReleaseRow.round_id.in_(round_ids)))
            await conn.execute(
                update(RoundRow)
                .where(RoundRow.id.in_(round_ids))
                .values(status=RoundStatus.CLOSED.value, released_at=None)
            )
    finally:
        await engine.dispose()
    return previous


async def documents(url: str, round_ids: Sequence[int]) -> dict[int, str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(ReleaseRow.round_id, ReleaseRow.document).where(
                    ReleaseRow.round_id.in_(round_ids)
                )
            )
            return {int(r): str(d) for r, d in rows.all()}
    finally:
        await engine.dispose()


def compare(previous: dict[int, str], current: dict[int, str], saved: Path | None) -> str:
    """Byte-for-byte: with the releases the previous run stored (possibly by other code),
    and with a folder written by ``--save`` earlier."""
    if saved is not None:
        for round_id in current:
            path = saved / f"release-{round_id}.json"
            if path.exists():
                previous.setdefault(round_id, path.read_text(encoding="utf-8"))
    if not previous:
        return "nothing to compare with (first run)"
    differing = sorted(r for r, doc in previous.items() if current.get(r) != doc)
    if differing:
        return f"DIFFERENT: rounds {differing}"
    return f"byte-identical to the previous release of rounds {sorted(previous)}"


def report(result: dict[str, Any]) -> bool:
    ok = bool(result["peak_rss_mb"] < TARGET_RSS_MB)
    print(
        f"\n{result['backend']}: {result['stored_rounds']} rounds, "
        f"{result['stored_answers']} answers stored; peak RSS of the measuring process "
        f"{result['peak_rss_mb']:.0f} MB (target < {TARGET_RSS_MB:.0f})"
    )
    print("round  answers  release s (cpu)  recompute s (cpu)  read s  engine s  machine busy")
    for r in result["rounds"]:
        ok = ok and bool(r["release_s"] < TARGET_RELEASE_S)
        print(
            f"{r['round']:>5}  {r['answers']:>7}  {r['release_s']:6.2f} ({r['release_cpu_s']:.2f})"
            f"     {r['recompute_s']:6.2f} ({r['recompute_cpu_s']:.2f})"
            f"     {r['read_s']:5.2f}  {r['build_s']:7.2f}  {r['machine_busy']:.0%}"
        )
    if "digests" in result:
        print(f"digests: {result['digests']}")
    if "comparison" in result:
        print(f"releases vs saved: {result['comparison']}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--units", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=52)
    parser.add_argument("--measure", type=int, default=3, help="last N rounds to release")
    parser.add_argument("--data", type=Path, default=Path("/tmp/tempcheck-bench-release"))
    parser.add_argument("--fresh", action="store_true", help="generate the data again")
    parser.add_argument(
        "--pg-url", default=os.environ.get("TEMPCHECK_BENCH_PG_URL", DEFAULT_PG_URL)
    )
    parser.add_argument("--save", type=Path, help="write the measured releases' JSON here")
    parser.add_argument("--compare", type=Path, help="compare with releases saved earlier")
    parser.add_argument("--digests", action="store_true", help="also time a week of digests")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-rounds", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        ids = [int(x) for x in args.child_rounds.split(",")]
        print(json.dumps(asyncio.run(measure(args.child, ids))))
        return
    print(
        f"{platform.node()} {platform.python_version()} nproc={os.cpu_count()} "
        f"loadavg={os.getloadavg()} {datetime.now(UTC).isoformat(timespec='seconds')}"
    )
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    ok = True
    for backend in backends:
        result = run_backend(backend, args)
        ok = ok and not result["comparison"].startswith("DIFFERENT")
        ok = report(result) and ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
