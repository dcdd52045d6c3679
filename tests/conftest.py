"""Shared fixtures: the storage backends (fake, SQLite file, PostgreSQL) and a fixed clock."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.logs import QUIET
from core.clock import FixedClock
from core.ports import UnitOfWorkFactory
from storage import migrate
from storage.engine import create_engine, session_factory
from storage.models import metadata
from storage.uow import SqlUnitOfWorkFactory
from tests.fakes.memory import MemoryStore

PG_ENV = "TEMPCHECK_TEST_PG_URL"
PG_SKIP = (
    f"PostgreSQL tests need {PG_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test); "
    ".ci/run sets it"
)


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def _admin_conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class PgDatabases:
    """Creates throwaway databases on the test server and drops them afterwards."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.created: list[str] = []

    def create(self) -> str:
        name = f"tempcheck_t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(_admin_conninfo(self.base_url), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return make_url(self.base_url).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with psycopg.connect(_admin_conninfo(self.base_url), autocommit=True) as conn:
            for name in self.created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[PgDatabases]:
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(PG_SKIP)
    databases = PgDatabases(base)
    yield databases
    databases.drop_all()


async def _migrate(url: str) -> None:
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


def migrated(url: str) -> str:
    """Migrate on a thread of its own: session fixtures may be set up inside a running loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(lambda: asyncio.run(_migrate(url))).result()
    return url


@pytest.fixture(scope="session")
def pg_migrated_url(pg_databases: PgDatabases) -> str:
    return migrated(pg_databases.create())


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrated(sqlite_url(path))
    return path


@pytest.fixture
def sqlite_migrated_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "tempcheck.db"
    shutil.copy(sqlite_template, path)
    return sqlite_url(path)


async def _truncate(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


@pytest.fixture(params=["fake", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def uows(request: pytest.FixtureRequest) -> AsyncIterator[UnitOfWorkFactory]:
    """A unit-of-work factory on each backend; contract tests run once per backend."""
    if request.param == "fake":
        yield MemoryStore()
        return
    if request.param == "sqlite":
        url = request.getfixturevalue("sqlite_migrated_url")
    else:
        url = request.getfixturevalue("pg_migrated_url")
        await _truncate(url)
    engine = create_engine(url)
    try:
        yield SqlUnitOfWorkFactory(session_factory(engine))
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db_url(request: pytest.FixtureRequest) -> str:
    """A migrated, empty database URL on each real backend."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_migrated_url"))
    url = str(request.getfixturevalue("pg_migrated_url"))
    await _truncate(url)
    return url


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 23, 8, 0, tzinfo=UTC))


@pytest.fixture(autouse=True)
def _logging_restored() -> Iterator[None]:
    """A test that configures logging (the CLI does, on every command) leaves the root logger
    as it found it: level and handlers."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    named = [logging.getLogger(n) for n in ("aiohttp.access", "alembic", *QUIET)]
    levels = [logger.level for logger in named]
    yield
    root.setLevel(level)
    root.handlers[:] = handlers
    for logger, was in zip(named, levels, strict=True):
        logger.setLevel(was)
