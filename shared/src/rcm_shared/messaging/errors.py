"""How handlers tell the runtime what kind of failure they hit (defined in :mod:`rcm_shared.errors`)."""

from __future__ import annotations

from rcm_shared.errors import PermanentError, TransientError

__all__ = ["PermanentError", "TransientError"]
