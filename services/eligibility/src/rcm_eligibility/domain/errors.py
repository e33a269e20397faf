"""Errors of the eligibility service.

``PermanentError`` is the messaging runtime's marker for "retrying cannot help" (the
message is dead-lettered at once); it is a plain exception class with no behaviour.
"""

from __future__ import annotations

from rcm_shared.errors import PermanentError


class EligibilityRequestRejectedError(PermanentError):
    """The clearinghouse refused our 270 itself (envelope or syntax): resending cannot help.

    The reason names the X12 issues found (segment and code), never patient data.
    """
