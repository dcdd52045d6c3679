"""The logging setup: JSON lines with a record's extra fields, at the configured level, with
the libraries that would log SQL parameters or request bodies held at WARNING."""

from __future__ import annotations

import io
import json
import logging

import structlog

from bot.logs import QUIET, configure_logging


def _lines(out: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_standard_library_records_become_json_with_their_extra_fields() -> None:
    out = io.StringIO()
    configure_logging("INFO", out)
    logging.getLogger("scheduler.sweep").warning(
        "round not opened", extra={"tenant": "acme", "unit": "Acme/Ops", "reason": "too_few"}
    )
    logging.getLogger("scheduler.sweep").debug("below the level")
    structlog.get_logger("bot").info("started", port=3978)
    first, second = _lines(out)
    assert first["event"] == "round not opened"
    assert (first["level"], first["logger"]) == ("warning", "scheduler.sweep")
    assert (first["tenant"], first["unit"], first["reason"]) == ("acme", "Acme/Ops", "too_few")
    assert str(first["timestamp"]).endswith("Z")
    assert (second["event"], second["port"], second["level"]) == ("started", 3978, "info")


def test_an_exception_is_one_line_with_its_traceback() -> None:
    out = io.StringIO()
    configure_logging("INFO", out)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("x").exception("failed", extra={"round_id": 3})
    (record,) = _lines(out)
    assert record["round_id"] == 3
    assert "RuntimeError: boom" in str(record["exception"])


def test_libraries_that_log_parameters_stay_quiet_at_debug() -> None:
    out = io.StringIO()
    configure_logging("DEBUG", out)
    for name in QUIET:
        logging.getLogger(name).debug("INSERT INTO answers VALUES (3)")
        logging.getLogger(f"{name}.child").info("a request body")
    logging.getLogger("core").debug("visible")
    assert [r["event"] for r in _lines(out)] == ["visible"]


def test_configuring_again_replaces_the_handler() -> None:
    first, second = io.StringIO(), io.StringIO()
    configure_logging("INFO", first)
    configure_logging("INFO", second)
    logging.getLogger("x").warning("once")
    assert first.getvalue() == ""
    assert [r["event"] for r in _lines(second)] == ["once"]


def test_the_per_request_access_log_only_at_debug() -> None:
    out = io.StringIO()
    configure_logging("INFO", out)
    logging.getLogger("aiohttp.access").info('127.0.0.1 "POST /slack/events" 200')
    assert out.getvalue() == ""
    configure_logging("DEBUG", out)
    logging.getLogger("aiohttp.access").info('127.0.0.1 "POST /slack/events" 200')
    assert [r["event"] for r in _lines(out)] == ['127.0.0.1 "POST /slack/events" 200']
