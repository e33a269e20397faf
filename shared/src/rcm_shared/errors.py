"""The failure classes a handler can signal to the messaging runtime.

A module of its own, importing nothing: a service's domain and service layers may subclass
these without pulling in Kafka or database clients.
"""

from __future__ import annotations


class PermanentError(Exception):
    """Retrying cannot help (the input is wrong): the message is dead-lettered at once.

    Domain errors a handler raises for bad input should subclass this, carrying a reason
    that names what is wrong; it ends up in the dead letter's ``dlq_reason`` header.
    """


class TransientError(Exception):
    """Worth retrying with backoff (a dependency is briefly unavailable)."""
