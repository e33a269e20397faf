"""Fixtures for the local stack tests (helpers live here as fixtures, never imported)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from rcm_devstack import StackPorts


def _three_free_ports() -> StackPorts:
    sockets = []
    try:
        for _ in range(3):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        kafka, controller, pg = (s.getsockname()[1] for s in sockets)
    finally:
        for sock in sockets:
            sock.close()
    return StackPorts(kafka=kafka, kafka_controller=controller, postgres=pg)


@pytest.fixture
def free_ports() -> StackPorts:
    """Three loopback ports nobody listens on right now (never the defaults)."""
    return _three_free_ports()


@pytest.fixture(scope="module")
def module_free_ports() -> StackPorts:
    return _three_free_ports()


@pytest.fixture
def listening_socket() -> Iterator[socket.socket]:
    """A socket of ours listening on a free loopback port: a stranger holding a port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        yield sock
