"""Reading whole interchanges: envelope checks, dispatch by transaction type and guide.

``check_interchange`` never raises for bad input: it returns every issue, which the 999 and
TA1 builders (:mod:`rcm_x12.acks`) turn into acknowledgements. The ``read_*``
functions raise an :class:`X12Error` subclass carrying the issues when there is any error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from rcm_x12.ack999 import Ack999, read_999_transaction
from rcm_x12.claim837 import Claim837, claim_kind_for_guide, read_837_transaction
from rcm_x12.common import Received
from rcm_x12.errors import (
    X12EnvelopeError,
    X12Error,
    X12Issue,
    X12ParseError,
    X12UnsupportedError,
)
from rcm_x12.guides import ACCEPTED_999, X270_271, X276_277, X277CA, X835
from rcm_x12.remit835 import Remittance835, read_835_transaction
from rcm_x12.status277 import ClaimStatusReport, read_277_transaction
from rcm_x12.syntax import (
    Delimiters,
    EnvelopeScan,
    FunctionalGroup,
    Interchange,
    TransactionSet,
    effective_delimiters,
    scan_interchange,
)
from rcm_x12.ta1 import Ta1, read_ta1_segments

T = TypeVar("T")
TransactionReader = Callable[[TransactionSet, Delimiters], tuple[Any, list[X12Issue]]]

# Expected GS01 functional identifier for each ST01.
_FUNCTIONAL_ID = {"837": "HC", "835": "HP", "999": "FA", "277": "HN", "276": "HR",
                  "270": "HS", "271": "HB"}


def _reader_for(transaction_id: str, guide: str) -> tuple[str, TransactionReader] | None:
    """(document type name, reader) for an ST01 + guide, or None when not supported."""
    if transaction_id == "837":
        kind = claim_kind_for_guide(guide)
        if kind is None:
            return None
        return f"837{kind}", lambda tx, d: read_837_transaction(tx, d, kind)
    if transaction_id == "835" and guide == X835:
        return "835", read_835_transaction
    if transaction_id == "999" and guide in ACCEPTED_999:
        return "999", read_999_transaction
    if transaction_id == "277" and guide == X277CA:
        return "277CA", lambda tx, d: read_277_transaction(tx, d, "277CA")
    if transaction_id == "277" and guide == X276_277:
        return "277", lambda tx, d: read_277_transaction(tx, d, "277")
    if transaction_id in ("270", "271") and guide == X270_271:
        from rcm_x12.eligibility import read_270_transaction, read_271_transaction

        return transaction_id, read_270_transaction if transaction_id == "270" \
            else read_271_transaction
    if transaction_id == "276" and guide == X276_277:
        from rcm_x12.status276 import read_276_transaction

        return "276", read_276_transaction
    return None


@dataclass(slots=True)
class TransactionResult:
    """One transaction set as checked: its document (None if unusable) and all its issues."""

    group: FunctionalGroup
    transaction: TransactionSet
    document_type: str
    document: Any
    issues: list[X12Issue] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(i.severity == "error" for i in self.issues)


@dataclass(slots=True)
class InterchangeCheck:
    """Everything :func:`check_interchange` found."""

    scan: EnvelopeScan
    results: list[TransactionResult] = field(default_factory=list)

    @property
    def interchange(self) -> Interchange | None:
        return self.scan.interchange

    @property
    def issues(self) -> list[X12Issue]:
        """Envelope issues plus every transaction's content issues, in file order."""
        seen = {id(i) for i in self.scan.issues}
        out = list(self.scan.issues)
        for r in self.results:
            out += [i for i in r.issues if id(i) not in seen]
        return out

    @property
    def has_errors(self) -> bool:
        return any(i.severity == "error" for i in self.issues)


def check_interchange(text: str) -> InterchangeCheck:
    """Tokenize, check the envelope and parse every transaction set; never raises on input."""
    scan = scan_interchange(text)
    check = InterchangeCheck(scan)
    inter = scan.interchange
    if inter is None:
        return check
    delimiters, warning = effective_delimiters(inter)
    if warning is not None:
        scan.issues.append(warning)
    for group in inter.groups:
        for tx in group.transactions:
            issues = list(scan.transaction_issues.get(tx.st_position, []))
            guide = tx.implementation_reference or group.header.version
            st = tx.segments[0]
            if tx.implementation_reference and tx.implementation_reference != group.header.version:
                issues.append(X12Issue(
                    reason=f"ST03 {tx.implementation_reference!r} differs from GS08 "
                           f"{group.header.version!r}", level="transaction", code="I6",
                    segment_position=st.position, segment_id="ST", element_position=3))
            expected_fid = _FUNCTIONAL_ID.get(tx.transaction_id)
            if expected_fid and group.header.functional_id != expected_fid:
                issues.append(X12Issue(
                    reason=f"a {tx.transaction_id} belongs in a GS01 {expected_fid} group, not "
                           f"{group.header.functional_id!r}", level="transaction", code="6",
                    segment_position=st.position, segment_id="ST", element_position=1))
            found = _reader_for(tx.transaction_id, guide)
            if found is None:
                issues.append(X12Issue(
                    reason=f"transaction {tx.transaction_id!r} with guide {guide!r} is not "
                           "supported", level="transaction", code="1" if tx.transaction_id
                    not in _FUNCTIONAL_ID else "I6", segment_position=st.position,
                    segment_id="ST", element_position=1))
                check.results.append(TransactionResult(group, tx, "", None, issues))
                continue
            name, reader = found
            document, content_issues = reader(tx, delimiters)
            check.results.append(TransactionResult(group, tx, name, document,
                                                   issues + content_issues))
    return check


def _received(check: InterchangeCheck, wanted: set[str]) -> list[Received[Any]]:
    if check.interchange is None or check.scan.interchange_errors:
        raise X12EnvelopeError([i for i in check.scan.issues if i.severity == "error"])
    envelope_errors = [i for i in check.scan.issues if i.severity == "error"]
    if envelope_errors:
        raise X12EnvelopeError(envelope_errors)
    out: list[Received[Any]] = []
    errors: list[X12Issue] = []
    unsupported: list[X12Issue] = []
    for r in check.results:
        if r.document_type not in wanted:
            guide = r.transaction.implementation_reference or r.group.header.version
            unsupported.append(X12Issue(
                reason=f"expected {'/'.join(sorted(wanted))}, found transaction "
                       f"{r.transaction.transaction_id} ({guide})",
                level="transaction", code="I6", segment_position=r.transaction.st_position,
                segment_id="ST"))
            continue
        errs = [i for i in r.issues if i.severity == "error"]
        if errs or r.document is None:
            errors += errs
            continue
        out.append(Received(check.interchange.header, r.group.header, r.transaction.control_number,
                            r.transaction.implementation_reference or r.group.header.version,
                            r.document))
    if unsupported and not errors:
        raise X12UnsupportedError(unsupported)
    if errors or unsupported:
        raise X12ParseError(errors + unsupported)
    return out


def read_x12(text: str) -> list[Received[Any]]:
    """Read any supported transaction; documents are typed by their transaction/guide."""
    return _received(check_interchange(text), {"837P", "837I", "835", "999", "277CA", "277",
                                                "270", "271", "276"})


def read_837(text: str) -> list[Received[Claim837]]:
    """Read the 837P/837I transaction sets of an interchange (X222A1/A2, X223A1/A2/A3)."""
    return _received(check_interchange(text), {"837P", "837I"})


def read_835(text: str) -> list[Received[Remittance835]]:
    """Read the 835 transaction sets of an interchange."""
    return _received(check_interchange(text), {"835"})


def read_999(text: str) -> list[Received[Ack999]]:
    """Read the 999 acknowledgements of an interchange."""
    return _received(check_interchange(text), {"999"})


def read_277ca(text: str) -> list[Received[ClaimStatusReport]]:
    """Read 277CA (005010X214) claim acknowledgements."""
    return _received(check_interchange(text), {"277CA"})


def read_277(text: str) -> list[Received[ClaimStatusReport]]:
    """Read 277 (005010X212) claim status responses."""
    return _received(check_interchange(text), {"277"})


def read_270(text: str) -> list[Received[Any]]:
    """Read 270 eligibility inquiries (documents are ``Eligibility270``)."""
    return _received(check_interchange(text), {"270"})


def read_271(text: str) -> list[Received[Any]]:
    """Read 271 eligibility responses (documents are ``Eligibility271``)."""
    return _received(check_interchange(text), {"271"})


def read_276(text: str) -> list[Received[Any]]:
    """Read 276 claim status requests (documents are ``ClaimStatusRequest276``)."""
    return _received(check_interchange(text), {"276"})


def read_ta1(text: str) -> list[Ta1]:
    """Read the TA1 segments of an acknowledgement interchange."""
    scan = scan_interchange(text)
    if scan.interchange is None or scan.interchange_errors:
        raise X12EnvelopeError([i for i in scan.issues if i.severity == "error"]
                               or [X12Issue("unreadable interchange", "interchange", "022")])
    return read_ta1_segments(scan.interchange)


__all__ = ["X12Error", "check_interchange", "read_x12", "read_837", "read_835", "read_999",
           "read_277ca", "read_277", "read_ta1", "InterchangeCheck", "TransactionResult"]
