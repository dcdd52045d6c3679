"""Structured logs: one JSON object per line on stderr, for the standard library's loggers
(which the project and its libraries use) and structlog's alike. A record's ``extra`` fields
become keys of its line. Never log payloads or identities together with answers; log counts
and ids of rounds, not people."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

import structlog

#: Libraries that log raw SQL parameters (answer values, comment text, e-mails) or whole
#: request bodies at DEBUG: never below WARNING, whatever the level.
QUIET = ("aiosqlite", "sqlalchemy.engine", "psycopg", "slack_sdk", "slack_bolt", "microsoft_agents")

_SHARED: list[structlog.typing.Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.processors.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def json_formatter() -> logging.Formatter:
    """A formatter that renders a standard library record as one JSON line: timestamp, level,
    logger, event (the message) and the record's ``extra`` fields."""
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*_SHARED, structlog.stdlib.ExtraAdder()],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(default=str),
        ],
    )


class _Handler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to the given stream, or to whatever ``sys.stderr`` is when a record comes (a
    test runner may swap it after logging was configured)."""

    def __init__(self, stream: TextIO | None) -> None:
        super().__init__()
        self._fixed = stream

    @property
    def stream(self) -> TextIO:
        return self._fixed or sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass


def configure_logging(level: str, stream: TextIO | None = None) -> None:
    """JSON lines at ``level`` and above on ``stream`` (default: stderr); calling it again
    replaces the handler it installed before."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _Handler)]:
        root.removeHandler(old)
    handler = _Handler(stream)
    handler.setFormatter(json_formatter())
    root.addHandler(handler)
    root.setLevel(getattr(logging, level))
    # Alembic narrates every migration step at INFO; the CLI prints its own summary.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, getattr(logging, level)))
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    # One line per HTTP request (every Slack event and Teams activity) is the reverse proxy's
    # job; here only at DEBUG.
    access = logging.DEBUG if getattr(logging, level) <= logging.DEBUG else logging.WARNING
    logging.getLogger("aiohttp.access").setLevel(access)
    structlog.configure(
        processors=[*_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level)),
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=False,
    )
