"""Logs that carry no patient data: one JSON object per record, redacted.

The platform's own log lines name ids, types, counts and reasons, never payload values. What
can still carry values is text we do not write: an exception's message (``Invalid isoformat
string: 'yesterday'``, a driver error quoting a row) and other libraries' log lines. So:

- an exception is rendered as its type chain and frames (file, line, function), never its
  message (:func:`safe_traceback`);
- a record of another library has quoted literals and SQL parameter lists replaced by
  ``<redacted>`` (:func:`redact`);
- ``extra`` attributes named like patient data are dropped.

JSON lines via python-json-logger; ``LOG_FORMAT=text`` gives the same fields on one plain line.
"""

from __future__ import annotations

import logging
import re
import traceback
from types import TracebackType
from typing import Any

from pythonjsonlogger.json import JsonFormatter

REDACTED = "<redacted>"
# Loggers whose text we write ourselves (ids, counts, reasons; never values).
OWN_LOGGERS = ("rcm_",)
PHI_ATTRIBUTES = frozenset({
    "patient", "first_name", "last_name", "name", "birth_date", "dob", "member_id", "subscriber", "address",
    "note", "note_text", "documentation", "payload", "body", "value", "parameters", "params",
})
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_SQL_PARAMETERS = re.compile(r"\[parameters: .*?\](?=\s|$)|\[SQL: .*?\](?=\s|$)", re.DOTALL)
_RESERVED = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "service"}


def redact(text: str) -> str:
    """``text`` without quoted literals and SQL statement/parameter blocks."""
    return _QUOTED.sub(REDACTED, _SQL_PARAMETERS.sub(REDACTED, text))


def safe_traceback(exc_info: tuple[type[BaseException], BaseException, TracebackType | None]) -> str:
    """The exception chain as types and frames only: where it failed, never what the values were."""
    lines: list[str] = []
    exc: BaseException | None = exc_info[1]
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        lines.append(f"{type(exc).__module__}.{type(exc).__qualname__}")
        lines += [f"  at {frame.filename}:{frame.lineno} in {frame.name}"
                  for frame in traceback.extract_tb(exc.__traceback__)]
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
        if exc is not None:
            lines.append("caused by:")
    return "\n".join(lines)


class RedactionFilter(logging.Filter):
    """Redacts records of other libraries and drops ``extra`` attributes named like patient data."""

    def filter(self, record: logging.LogRecord) -> bool:
        for attribute in [a for a in vars(record) if a not in _RESERVED and a.lower() in PHI_ATTRIBUTES]:
            delattr(record, attribute)
        if not record.name.startswith(OWN_LOGGERS):
            try:
                message = record.getMessage()
            except Exception:  # noqa: BLE001 (a library's format and arguments disagree: never crash the caller)
                message = f"<unformattable message of {record.name}>"
            record.msg = redact(message)
            record.args = None
        return True


class SafeJsonFormatter(JsonFormatter):
    """JSON lines with the exception as :func:`safe_traceback`."""

    def formatException(self, ei: Any) -> str:  # noqa: N802 (logging's name)
        return safe_traceback(ei) if ei and ei[1] is not None else ""

    def formatStack(self, stack_info: str) -> str:  # noqa: N802 (logging's name)
        return ""  # a stack dump may quote arguments


class SafeTextFormatter(logging.Formatter):
    """One plain line, the exception as :func:`safe_traceback`."""

    def formatException(self, ei: Any) -> str:  # noqa: N802 (logging's name)
        return safe_traceback(ei) if ei and ei[1] is not None else ""


def configure_logging(level: str, *, service: str, json_lines: bool = True) -> None:
    """Route every logger (ours, uvicorn, SQLAlchemy, aiokafka) through the redaction filter
    and the safe formatter on stderr; idempotent."""
    handler = logging.StreamHandler()
    handler.addFilter(RedactionFilter())
    if json_lines:
        handler.setFormatter(SafeJsonFormatter("{asctime}{levelname}{name}{message}", style="{",
                                               rename_fields={"levelname": "level", "name": "logger",
                                                              "asctime": "time"},
                                               static_fields={"service": service}))
    else:
        handler.setFormatter(SafeTextFormatter(f"%(asctime)s %(levelname)s {service} %(name)s: %(message)s"))
    # A record that cannot be formatted is dropped, not printed raw with its arguments to stderr.
    logging.raiseExceptions = False
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        # uvicorn installs handlers of its own; its records go through ours instead.
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    # aiokafka and httpx log every poll at INFO: noise, and httpx's lines carry URLs.
    for noisy in ("aiokafka", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
