"""What every CLI command shares: settings, the container, errors, translated output."""

from __future__ import annotations

import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import typer

from bot.app import Container, build_container
from bot.settings import Settings
from core.clock import Clock
from core.errors import InputFileError, Problem, TempcheckError
from core.i18n import t
from storage.migrate import current_revision, head_revision

T = TypeVar("T")

EXIT_INVALID_INPUT = 1
EXIT_CONFIG = 2


@dataclass
class CliState:
    settings: Settings
    locale: str

    def say(self, key: str, /, **params: object) -> None:
        typer.echo(t(key, self.locale, **params))

    def warn(self, key: str, /, **params: object) -> None:
        typer.echo(t(key, self.locale, **params), err=True)

    @property
    def tenant(self) -> str:
        return self.settings.tenant


def state_of(ctx: typer.Context) -> CliState:
    state = ctx.obj
    if not isinstance(state, CliState):
        raise RuntimeError("CLI state missing; commands run under the root callback")
    return state


def actor() -> str:
    return f"cli:{getpass.getuser()}"


@contextmanager
def reported(state: CliState) -> Iterator[None]:
    """Turn expected errors into a translated message and a non-zero exit."""
    try:
        yield
    except TempcheckError as exc:
        typer.echo(exc.render(state.locale), err=True)
        raise typer.Exit(EXIT_INVALID_INPUT) from None


def read_text(path: Path) -> str:
    """Read an input file as UTF-8; unreadable files are reported like any bad input."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputFileError(
            [Problem(str(path), 0, "file.not_utf8", {"position": exc.start})]
        ) from None
    except OSError as exc:
        raise InputFileError(
            [Problem(str(path), 0, "file.unreadable", {"reason": exc.strerror or str(exc)})]
        ) from None


async def _ensure_migrated(container: Container) -> None:
    current = await current_revision(container.engine)
    if current != head_revision():
        raise TempcheckError("cli.db.not_migrated", current=current or "-", head=head_revision())


def run_with_container(
    state: CliState,
    work: Callable[[Container], Awaitable[T]],
    *,
    check_schema: bool = True,
    clock: Clock | None = None,
) -> T:
    async def _main() -> T:
        container = build_container(state.settings, clock)
        try:
            if check_schema:
                await _ensure_migrated(container)
            return await work(container)
        finally:
            await container.close()

    with reported(state):
        return asyncio.run(_main())


def is_terminal() -> bool:
    return sys.stderr.isatty()
