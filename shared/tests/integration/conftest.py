"""Fixtures of the shared integration tests that start private servers beside the shared stack."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest

# The shared local stack's broker, controller and database ports: a private server must not take one.
SHARED_STACK_PORTS = frozenset({19092, 19093, 54329})


@pytest.fixture(scope="session")
def free_ports() -> Callable[[int], list[int]]:
    """Ports free on 127.0.0.1 now (bound together, then released), never the shared stack's."""

    def take(n: int) -> list[int]:
        sockets = [socket.socket() for _ in range(n)]
        try:
            for s in sockets:
                s.bind(("127.0.0.1", 0))
            ports = [int(s.getsockname()[1]) for s in sockets]
        finally:
            for s in sockets:
                s.close()
        assert not SHARED_STACK_PORTS & set(ports)
        return ports

    return take
