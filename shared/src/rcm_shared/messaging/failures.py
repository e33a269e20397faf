"""One classification of failures for the whole runtime.

- ``INFRASTRUCTURE``: a dependency is unavailable (the database starting up, recovering or
  gone, a connection lost, the broker unreachable, the clearinghouse unreachable, answering
  5xx or timing out). Not the message's fault: the consumer pauses and retries with capped
  backoff, spending none of the message's attempts.
- ``MESSAGE``: the message itself is wrong (bad envelope, contract violation, a handler's
  :class:`~rcm_shared.errors.PermanentError`): dead-lettered at once.
- ``UNKNOWN``: anything else (a bug, a deadlock): bounded retries, then a dead letter.

SQLAlchemy wraps asyncpg's errors in a plain ``DBAPIError`` (``CannotConnectNowError``
while PostgreSQL recovers is one), so the chain of causes is walked and PostgreSQL's
SQLSTATE classes decide: 08 (connection exception), 57P01-57P03 (shutdown, crash
shutdown, cannot connect now), 53300 (too many connections).
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path

from aiokafka import errors as kafka_errors
from pydantic import ValidationError
from sqlalchemy import exc as sa_exc

from rcm_shared.envelope import EnvelopeError
from rcm_shared.errors import PermanentError, TransientError
from rcm_shared.phi.keyring import PhiKeyringError


class FailureClass(StrEnum):
    INFRASTRUCTURE = "infrastructure"
    MESSAGE = "message"
    UNKNOWN = "unknown"


_UNAVAILABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300")
_KAFKA_UNAVAILABLE: tuple[type[BaseException], ...] = (
    kafka_errors.KafkaConnectionError, kafka_errors.NoBrokersAvailable, kafka_errors.NodeNotReadyError,
    kafka_errors.RequestTimedOutError, kafka_errors.KafkaTimeoutError, kafka_errors.LeaderNotAvailableError,
    kafka_errors.NotLeaderForPartitionError, kafka_errors.CoordinatorNotAvailableError,
)
# asyncpg's client-side connection errors carry no SQLSTATE; named to avoid importing asyncpg here.
_ASYNCPG_CONNECTION_ERRORS = {"ConnectionDoesNotExistError", "InterfaceError", "InternalClientError",
                              "ClientCannotConnectError", "CannotConnectNowError", "ConnectionFailureError",
                              "TooManyConnectionsError", "AdminShutdownError", "CrashShutdownError"}


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        # Only explicit links (SQLAlchemy's ``orig``, ``raise ... from``): an error raised while
        # handling another (``__context__``) is not caused by it.
        for nxt in (getattr(current, "orig", None), current.__cause__):
            if isinstance(nxt, BaseException):
                todo.append(nxt)


def _http_transport_errors() -> tuple[type[BaseException], ...]:
    """httpx's transport errors, if the process uses httpx. Not imported here: an httpx error can only exist
    where httpx is loaded, and importing it (with the CLI extras it pulls in) costs a service that never
    calls the clearinghouse ~20 MiB."""
    httpx = sys.modules.get("httpx")
    return (httpx.TransportError,) if httpx is not None else ()


def _sqlstate(exc: BaseException) -> str | None:
    state = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
    return state if isinstance(state, str) else None


def is_infrastructure_error(exc: BaseException) -> bool:
    """True when a dependency (database, broker, clearinghouse) is unavailable, not the message at fault."""
    for e in _chain(exc):
        if isinstance(e, (TransientError, ConnectionError, TimeoutError, *_KAFKA_UNAVAILABLE,
                          *_http_transport_errors())):
            return True
        if isinstance(e, sa_exc.OperationalError | sa_exc.InterfaceError | sa_exc.DisconnectionError
                      | sa_exc.TimeoutError):
            return True
        if isinstance(e, sa_exc.DBAPIError) and e.connection_invalidated:
            return True
        state = _sqlstate(e)
        if state is not None and state.startswith(_UNAVAILABLE_SQLSTATES):
            return True
        module = type(e).__module__ or ""
        if module.startswith("asyncpg") and type(e).__name__ in _ASYNCPG_CONNECTION_ERRORS:
            return True
        if isinstance(e, OSError) and not isinstance(e, FileNotFoundError | PermissionError | IsADirectoryError):
            return True
    return False


def classify(exc: BaseException) -> FailureClass:
    """Which of the three failure classes ``exc`` belongs to.

    A handler's explicit verdict (``PermanentError``) and a contract violation are the
    message's fault whatever caused them; otherwise an unavailable dependency anywhere in the
    chain of causes makes it infrastructure.
    """
    if isinstance(exc, PermanentError | ValidationError | EnvelopeError):
        return FailureClass.MESSAGE
    if isinstance(exc, PhiKeyringError) or is_infrastructure_error(exc):
        return FailureClass.INFRASTRUCTURE
    return FailureClass.UNKNOWN


def safe_reason(exc: BaseException) -> str:
    """A reason for logs and dead letters that carries no SQL, parameters or input values.

    SQLAlchemy's message embeds the statement and its ``[parameters: ...]`` (patient data):
    only the driver error's type and SQLSTATE are kept.
    """
    if isinstance(exc, sa_exc.StatementError):
        orig = exc.orig if exc.orig is not None else exc
        state = next((s for e in _chain(exc) if (s := _sqlstate(e))), None)
        return f"{type(exc).__name__} ({type(orig).__name__}{f', SQLSTATE {state}' if state else ''})"
    if isinstance(exc, PermanentError | TransientError):
        return str(exc) or type(exc).__name__
    # Any other exception's text may quote its input ("Invalid isoformat string: '...'"): only its
    # type and where it was raised.
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno} in {frames[-1].name}" if frames else ""
    return f"{type(exc).__name__}{where}"
