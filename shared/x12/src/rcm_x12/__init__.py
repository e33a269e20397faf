"""X12 5010 toolkit: pure reading, writing and acknowledging of healthcare EDI.

Read (raises an ``X12Error`` subclass whose ``issues`` list every problem)::

    from rcm_x12 import read_837, read_835, X12Error
    try:
        for received in read_837(text):          # list[Received[Claim837]]
            for claim in received.document.claims:
                claim.patient_control_number, claim.total_charge, claim.lines
    except X12Error as exc:
        for issue in exc.issues:                  # X12Issue: segment_position, segment_id,
            print(issue)                          # element_position, loop_id, severity, reason

Write (control numbers are inputs, so output is deterministic)::

    from rcm_x12 import EnvelopeParams, InMemoryControlNumbers, new_envelope, write_837
    env = new_envelope(numbers, sender_id="SUBMITTER1", receiver_id="PAYER1",
                       when=date(2026, 1, 5), time="0930")
    text = write_837(Claim837(kind="P", submitter=..., receiver=..., reference="BATCH1",
                              created=date(2026, 1, 5), claims=(claim,)), env)

Acknowledge an inbound interchange (payer sandbox)::

    from rcm_x12 import ack_999_for, ta1_for, write_ta1, reply_envelope
    check = check_interchange(text)               # never raises on bad input
    ta1 = ta1_for(check, seen_control_numbers=seen)   # A/000, R/001, R/025, ...
    if check.interchange is not None:
        env = reply_envelope(check.interchange.header, numbers, when=today)
        ack_text = ack_999_for(check, env)        # IK5/AK9: A, E or R

835 balancing: ``balance_problems(remit)`` / ``is_balanced(remit)`` (line, claim, transaction).
Validation against pyx12 maps: ``rcm_x12.validate.validate_with_pyx12(text)``.

Conventions: money is ``Decimal`` (written without trailing zeros: 100.00 -> "100"); dates
are ``datetime.date``; code values are kept as given, except that ICD-10-CM codes lose a
decimal point on the wire (the reader returns the wire value, e.g. "E119").
"""

from rcm_x12.ack999 import Ack999, ElementError, SegmentError, TransactionAck, write_999
from rcm_x12.acks import ack_999_for, acks_999_for, ta1_for
from rcm_x12.claim837 import (
    BillingProvider,
    Claim,
    Claim837,
    Patient,
    Payer,
    Provider,
    Receiver,
    ServiceLine,
    Submitter,
    Subscriber,
    write_837,
)
from rcm_x12.common import Address, Party, Person, Received
from rcm_x12.control_numbers import (
    ControlNumbers,
    ControlNumberSource,
    FileControlNumbers,
    InMemoryControlNumbers,
    allocate,
    new_envelope,
    reply_envelope,
)
from rcm_x12.eligibility import (
    Benefit,
    CoverageDate,
    Eligibility270,
    Eligibility271,
    EligibilityInquiry,
    EligibilityResponse,
    Rejection,
    write_270,
    write_271,
)
from rcm_x12.errors import (
    X12EnvelopeError,
    X12Error,
    X12Issue,
    X12ParseError,
    X12UnsupportedError,
    X12WriteError,
)
from rcm_x12.reader import (
    InterchangeCheck,
    TransactionResult,
    check_interchange,
    read_270,
    read_271,
    read_276,
    read_277,
    read_277ca,
    read_835,
    read_837,
    read_999,
    read_ta1,
    read_x12,
)
from rcm_x12.remit835 import (
    Adjustment,
    BalanceProblem,
    ProviderAdjustment,
    RemitClaim,
    RemitPatient,
    RemitPayee,
    RemitPayer,
    RemitServiceLine,
    Remittance835,
    balance_problems,
    claim_balance_difference,
    is_balanced,
    line_balance_difference,
    transaction_balance_difference,
    write_835,
)
from rcm_x12.status276 import ClaimStatusRequest276, StatusInquiry, write_276
from rcm_x12.status277 import (
    ClaimStatus,
    ClaimStatusReport,
    StatusInfo,
    StatusParty,
    StatusPerson,
    write_277,
    write_277ca,
)
from rcm_x12.syntax import (
    Delimiters,
    GroupHeader,
    Interchange,
    InterchangeHeader,
    parse_interchange,
    scan_interchange,
)
from rcm_x12.ta1 import Ta1, write_ta1
from rcm_x12.writer import EnvelopeParams, format_amount
from rcm_x12.writers import write_document

__all__ = [
    "Ack999", "Address", "Adjustment", "BalanceProblem", "BillingProvider", "Claim", "Claim837",
    "ClaimStatus", "ClaimStatusReport", "ControlNumberSource", "ControlNumbers", "Delimiters",
    "ElementError", "EnvelopeParams", "FileControlNumbers", "GroupHeader", "InMemoryControlNumbers",
    "Interchange", "InterchangeCheck", "InterchangeHeader", "Patient", "Payer", "Provider",
    "ProviderAdjustment", "Received", "Receiver", "RemitClaim", "RemitPatient", "RemitPayee",
    "RemitPayer", "RemitServiceLine", "Remittance835", "SegmentError", "ServiceLine",
    "StatusInfo", "StatusParty", "StatusPerson", "Submitter", "Subscriber", "Ta1",
    "TransactionAck", "TransactionResult", "X12EnvelopeError", "X12Error", "X12Issue",
    "X12ParseError", "X12UnsupportedError", "X12WriteError", "ack_999_for", "acks_999_for",
    "allocate", "balance_problems", "check_interchange", "claim_balance_difference",
    "format_amount", "is_balanced", "line_balance_difference", "new_envelope",
    "parse_interchange", "read_277", "read_277ca", "read_835", "read_837", "read_999",
    "read_ta1", "read_x12", "reply_envelope", "scan_interchange", "ta1_for",
    "transaction_balance_difference", "write_277", "write_277ca", "write_835", "write_837",
    "write_999", "write_ta1", "Benefit", "CoverageDate", "Eligibility270", "Eligibility271",
    "EligibilityInquiry", "EligibilityResponse", "Rejection", "write_270", "write_271", "Party",
    "Person", "ClaimStatusRequest276", "StatusInquiry", "write_276", "write_document",
    "read_270", "read_271", "read_276",
]
