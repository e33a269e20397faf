"""`rcm status`: dead letters by reason, and the encounters still waiting on one."""

from __future__ import annotations

from rcm_cli.redrive import DeadLetter
from rcm_cli.status import reason_group, summarise


def dl(offset: int, encounter: str | None, reason: str, error: str = "TransientError") -> DeadLetter:
    headers: list[tuple[str, bytes | None]] = [("dlq_reason", reason.encode()), ("dlq_error_type", error.encode())]
    if encounter is not None:
        headers.insert(0, ("ce_correlationid", encounter.encode()))
    return DeadLetter("ns.eligibility.dlq", 0, offset, None, b"{}", tuple(headers))


def test_reasons_group_without_their_numbers() -> None:
    assert reason_group("handler failed 5 times: encounters[0]@57\ntrace") == "handler failed # times: encounters[#]@#"


def test_encounters_with_a_dead_letter_and_no_end_state_are_waiting() -> None:
    letters = [dl(1, "E-1", "handler failed 5 times: encounters[0]@57"),
               dl(2, "E-2", "handler failed 5 times: encounters[3]@9"),
               dl(3, "E-3", "contract violation: member_id", error="ContractError"),
               dl(4, None, "envelope: missing ce_id", error="EnvelopeError"),
               dl(5, "E-1", "handler failed 5 times: encounters[0]@58")]
    s = summarise("eligibility", letters, finished={"E-2"})
    assert s.total == 5 and s.without_encounter == 1
    assert s.by_reason[("TransientError", "handler failed # times: encounters[#]@#")] == 3
    assert s.waiting == ["E-1", "E-3"]
