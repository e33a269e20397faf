"""Write any document model the toolkit knows, choosing the writer from its type."""

from __future__ import annotations

from rcm_x12.ack999 import Ack999, write_999
from rcm_x12.claim837 import Claim837, write_837
from rcm_x12.eligibility import Eligibility270, Eligibility271, write_270, write_271
from rcm_x12.errors import X12Issue, X12WriteError
from rcm_x12.remit835 import Remittance835, write_835
from rcm_x12.status276 import ClaimStatusRequest276, write_276
from rcm_x12.status277 import ClaimStatusReport, write_277, write_277ca
from rcm_x12.ta1 import Ta1, write_ta1
from rcm_x12.writer import EnvelopeParams


def write_document(document: object, envelope: EnvelopeParams) -> str:
    """Write ``document`` (any model a reader returns, or a Ta1) as an interchange."""
    if isinstance(document, Claim837):
        return write_837(document, envelope)
    if isinstance(document, Remittance835):
        return write_835(document, envelope)
    if isinstance(document, Ack999):
        return write_999(document, envelope)
    if isinstance(document, ClaimStatusReport):
        writer = write_277ca if document.kind == "277CA" else write_277
        return writer(document, envelope)
    if isinstance(document, Eligibility270):
        return write_270(document, envelope)
    if isinstance(document, Eligibility271):
        return write_271(document, envelope)
    if isinstance(document, ClaimStatusRequest276):
        return write_276(document, envelope)
    if isinstance(document, Ta1):
        return write_ta1(document, envelope)
    raise X12WriteError([X12Issue(reason=f"no writer for {type(document).__name__}",
                                  level="transaction", code="1")])
