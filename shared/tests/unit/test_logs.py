"""Log lines carry no patient data: exceptions without messages, other libraries' text redacted."""

from __future__ import annotations

import io
import json
import logging

import pytest
from rcm_shared.logs import REDACTED, RedactionFilter, SafeJsonFormatter, configure_logging, redact

MARKERS = ("Quixotica", "1961-07-04", "MBRZ99871", "wheezing since the picnic")


@pytest.fixture()
def captured() -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactionFilter())
    handler.setFormatter(SafeJsonFormatter("{levelname}{name}{message}", style="{"))
    logger = logging.getLogger("sqlalchemy.engine.test")
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, stream


def test_an_exception_is_logged_as_types_and_frames_never_its_message(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = captured
    try:
        try:
            raise ValueError(f"Invalid isoformat string: '{MARKERS[1]}' for {MARKERS[0]}")
        except ValueError as inner:
            raise RuntimeError(f"row ({MARKERS[2]}) failed") from inner
    except RuntimeError:
        logger.exception("handler failed")
    line = json.loads(stream.getvalue())
    assert "builtins.RuntimeError" in line["exc_info"] and "builtins.ValueError" in line["exc_info"]
    assert "test_logs.py" in line["exc_info"]
    assert not any(m in stream.getvalue() for m in MARKERS)


def test_another_librarys_text_loses_its_quoted_values_and_sql_parameters(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = captured
    logger.info("INSERT failed %s [SQL: INSERT INTO t VALUES ($1)] [parameters: ('%s', '%s')]", "'x'", *MARKERS[:2])
    logger.info("note %r", MARKERS[3])
    assert not any(m in stream.getvalue() for m in MARKERS), stream.getvalue()
    assert redact("value 'abc' and \"def\"") == f"value {REDACTED} and {REDACTED}"


def test_extra_attributes_named_like_patient_data_are_dropped(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    logger.info("coded", extra={"member_id": MARKERS[2], "encounter_id": "E-1"})
    line = json.loads(stream.getvalue())
    assert "member_id" not in line and line["encounter_id"] == "E-1"


def test_configure_logging_routes_every_logger_through_the_filter(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", service="coding")
    try:
        logging.getLogger("uvicorn.error").info("bad request from '%s'", MARKERS[0])
        logging.getLogger("rcm_coding.x").info("encounter %s coded", "E-1")
        err = capsys.readouterr().err
        lines = [json.loads(x) for x in err.splitlines()]
        assert [x["service"] for x in lines] == ["coding", "coding"] and MARKERS[0] not in err
        assert lines[1]["message"] == "encounter E-1 coded" and lines[1]["level"] == "INFO"
    finally:
        logging.getLogger().handlers.clear()


def test_a_librarys_broken_format_is_logged_not_raised(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    logger.info("%s and %s", "only one")
    logger.warning("%(a)s", {"b": 1})  # KeyError inside the format
    assert stream.getvalue().count("unformattable message of sqlalchemy.engine.test") == 2


async def test_a_failing_loop_step_logs_no_value_it_refused(caplog: pytest.LogCaptureFixture) -> None:
    import asyncio
    from datetime import date

    from rcm_shared.messaging.loop import poll_until_stopped

    stop = asyncio.Event()

    async def step() -> bool:
        stop.set()
        date.fromisoformat(MARKERS[0])  # ValueError quoting the input
        return True

    with caplog.at_level(logging.WARNING, logger="rcm_shared.messaging.loop"):
        await poll_until_stopped(stop, step, name="mailbox", idle_s=0.01)
    assert "mailbox failed (ValueError at" in caplog.text and MARKERS[0] not in caplog.text
