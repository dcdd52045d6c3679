"""Structured logs (structlog, JSON lines on stderr). Never log payloads or identities
together with answers; log counts and ids of rounds, not people."""

from __future__ import annotations

import logging

import structlog


def configure_logging(level: str) -> None:
    logging.basicConfig(format="%(message)s", level=getattr(logging, level))
    # Alembic narrates every migration step at INFO; the CLI prints its own summary.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, getattr(logging, level)))
    # These log raw SQL parameters at DEBUG (answer values, comment text, e-mails): never.
    # Slack's SDK and Bolt log whole request bodies at DEBUG: capped the same way.
    for name in (
        "aiosqlite",
        "sqlalchemy.engine",
        "psycopg",
        "slack_sdk",
        "slack_bolt",
        "microsoft_agents",
    ):
        logging.getLogger(name).setLevel(logging.WARNING)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level)),
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=False,
    )
