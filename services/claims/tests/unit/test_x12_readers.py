"""The clearinghouse's answers read back as domain outcomes (adapters/x12.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from rcm_claims.adapters.x12 import X12AckReader, X12ReplyReader
from rcm_claims.domain.acknowledgements import ClaimStatusAck, SubmissionOutcome
from rcm_shared.clearinghouse import X12Reply
from rcm_x12.acks import ack_999_for, ta1_for
from rcm_x12.errors import X12EnvelopeError
from rcm_x12.status277 import ClaimStatus, ClaimStatusReport, StatusInfo, StatusParty, StatusPerson, write_277ca
from rcm_x12.ta1 import write_ta1
from rcm_x12.writer import EnvelopeParams

SENT = (Path(__file__).parent / "golden" / "837p_self.x12").read_text()
CLEARINGHOUSE = EnvelopeParams(sender_id="CLEARINGHOUSE", receiver_id="RCMPLATFORM", interchange_control_number=9,
                               group_control_number=9, transaction_control_number=9, date=date(2026, 10, 15),
                               time="0931")


def test_a_clean_999_accepts_the_interchange() -> None:
    outcome = X12ReplyReader().read(X12Reply(200, ack_999_for(SENT, CLEARINGHOUSE), "accepted"))
    assert outcome == SubmissionOutcome(accepted=True, duplicate=False, level="999", codes=("A",))
    assert (outcome.sent, outcome.submission_status, outcome.result, outcome.claim_status) == (
        True, "sent", "accepted", "submitted")


def test_a_ta1_with_note_025_is_a_duplicate_interchange_that_counts_as_sent() -> None:
    ta1 = write_ta1(ta1_for(SENT, seen_control_numbers={"000004711"}), CLEARINGHOUSE)
    outcome = X12ReplyReader().read(X12Reply(200, ta1, "duplicate"))
    assert outcome == SubmissionOutcome(accepted=False, duplicate=True, level="TA1", codes=("025",))
    assert (outcome.sent, outcome.submission_status, outcome.result, outcome.claim_status) == (
        True, "sent", "duplicate", "submitted")


def test_an_answer_without_a_999_rejects_the_interchange_naming_the_http_status() -> None:
    accepted_envelope_only = write_ta1(ta1_for(SENT), CLEARINGHOUSE)
    outcome = X12ReplyReader().read(X12Reply(400, accepted_envelope_only, "rejected"))
    assert outcome == SubmissionOutcome(accepted=False, duplicate=False, level="999",
                                        codes=("HTTP 400: no 999 in the answer",))
    assert (outcome.sent, outcome.submission_status, outcome.result, outcome.claim_status) == (
        False, "rejected", "rejected", "rejected")


def test_each_claim_of_a_277ca_reads_as_accepted_or_rejected_with_its_status_codes() -> None:
    provider = StatusParty(name="SYNTHETIC FAMILY PRACTICE", id="1987654328", id_qualifier="XX", trace_number="0")
    report = ClaimStatusReport(
        kind="277CA", reference="ACK0001", created=date(2026, 10, 16), created_time="1015",
        source=StatusParty(name="SANDBOX PPO", id="SBXPPO01", id_qualifier="PI", trace_number="B1"),
        receiver=StatusParty(name="RCM PLATFORM DEMO", id="RCMPLATFORM", id_qualifier="46", trace_number="B1"),
        claims=(
            ClaimStatus(patient=StatusPerson("TESTPATIENT", "ALEX", "SBX0000001"), provider=provider,
                        statuses=(StatusInfo("A2", "20", "PR", date(2026, 10, 16), "WQ", Decimal("185")),),
                        patient_control_number="C01B3F07216E0822A"),
            ClaimStatus(patient=StatusPerson("TESTPATIENT", "SAM", "SBX0000002"), provider=provider,
                        statuses=(StatusInfo("A7", "562", "85", date(2026, 10, 16), "U", Decimal("80")),),
                        patient_control_number="C0000000000000002"),
        ),
    )
    statuses = X12AckReader().read_277ca(write_277ca(report, CLEARINGHOUSE))
    assert statuses == [ClaimStatusAck("C01B3F07216E0822A", True, ("A2:20",)),
                        ClaimStatusAck("C0000000000000002", False, ("A7:562",))]
    assert [s.claim_status for s in statuses] == ["accepted", "rejected"]


def test_an_answer_that_is_not_x12_is_an_error_so_the_dispatcher_tries_again() -> None:
    with pytest.raises(X12EnvelopeError):
        X12ReplyReader().read(X12Reply(502, "<html>bad gateway</html>", None))
