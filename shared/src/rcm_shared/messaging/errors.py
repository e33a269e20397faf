"""How handlers tell the runtime what kind of failure they hit."""

from __future__ import annotations


class PermanentError(Exception):
    """Retrying cannot help (the input is wrong): the message is dead-lettered at once.

    Domain errors a handler raises for bad input should subclass this, carrying a reason
    that names what is wrong; it ends up in the dead letter's ``dlq_reason`` header.
    """


class TransientError(Exception):
    """Worth retrying with backoff (a dependency is briefly unavailable)."""
