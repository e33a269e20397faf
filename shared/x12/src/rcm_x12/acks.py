"""Building acknowledgements for an inbound interchange: 999 per group, TA1 for the envelope."""

from __future__ import annotations

from collections.abc import Container

from rcm_x12.ack999 import Ack999, TransactionAck, group_ack, transaction_ack_from_issues, write_999
from rcm_x12.reader import InterchangeCheck, check_interchange
from rcm_x12.syntax import FunctionalGroup, read_delimiters
from rcm_x12.ta1 import Ta1
from rcm_x12.writer import EnvelopeParams


def acks_999_for(inbound: str | InterchangeCheck) -> list[Ack999]:
    """One 999 answer per functional group of ``inbound`` (text or a prior check).

    Content errors reject the transaction set (IK5 R), warnings accept it with errors (E),
    clean ones are accepted (A). Returns [] when the interchange envelope itself is
    unreadable: answer those with :func:`ta1_for` instead.
    """
    check = inbound if isinstance(inbound, InterchangeCheck) else check_interchange(inbound)
    inter = check.interchange
    if inter is None:
        return []
    by_position = {r.transaction.st_position: r for r in check.results}
    acks: list[Ack999] = []
    for group in inter.groups:
        if not _acknowledgeable(group):
            continue  # AK101/AK102 would be empty: the TA1 reports it (note code 024)
        tx_acks: list[TransactionAck] = []
        for tx in group.transactions:
            if not _nameable(tx.transaction_id) or not _nameable(tx.control_number):
                continue  # AK201/AK202 are required: cannot name it, counted as not accepted
            result = by_position.get(tx.st_position)
            issues = result.issues if result else []
            tx_acks.append(transaction_ack_from_issues(tx, issues))
        group_issues = check.scan.group_issues.get(group.position, [])
        acks.append(group_ack(group.header.functional_id, group.header.control_number,
                              group.header.version, _included(group), tx_acks, group_issues,
                              received=len(group.transactions)))
    return acks


def _nameable(value: str) -> bool:
    # The 999 strips delimiter characters from echoed values; something must remain.
    return any(ch.isalnum() for ch in value)


def _acknowledgeable(group: FunctionalGroup) -> bool:
    return _nameable(group.header.functional_id) and _nameable(group.header.control_number)


def _included(group: FunctionalGroup) -> int:
    # AK902 is what the sender said it included (GE01) when readable, else what we found.
    return len(group.transactions)


def ack_999_for(inbound: str | InterchangeCheck, envelope: EnvelopeParams) -> str:
    """The 999 interchange answering every functional group of ``inbound``.

    Raises :class:`ValueError` when the envelope is unreadable (no group to acknowledge);
    send a TA1 from :func:`ta1_for` in that case.
    """
    acks = acks_999_for(inbound)
    if not acks:
        raise ValueError("no functional group to acknowledge; answer with a TA1")
    return write_999(acks, envelope)


def ta1_for(inbound: str | InterchangeCheck, *,
            seen_control_numbers: Container[str] = ()) -> Ta1:
    """The TA1 answer to ``inbound``'s envelope.

    ``seen_control_numbers`` holds the ISA13 values already received from this sender; a
    repeat is rejected with note code 025. Envelope errors reject with the first error's note
    code (e.g. 001 when IEA02 does not match ISA13); otherwise TA1 accepts with 000.
    """
    check = inbound if isinstance(inbound, InterchangeCheck) else check_interchange(inbound)
    inter = check.interchange
    header = inter.header if inter else None
    control = header.control_number if header else ""
    if not control and isinstance(inbound, str):
        control = _raw_isa13(inbound)
    errors = [i for i in check.scan.issues if i.level == "interchange" and i.severity == "error"]
    if errors:
        return Ta1(control, header.date if header else None, header.time if header else "",
                   "R", errors[0].code)
    assert header is not None  # no interchange errors means the ISA was read
    if inter is not None and not all(_acknowledgeable(g) for g in inter.groups):
        return Ta1(control, header.date, header.time, "R", "024")
    if control in seen_control_numbers:
        return Ta1(control, header.date, header.time, "R", "025")
    return Ta1(control, header.date, header.time, "A", "000")


def _raw_isa13(text: str) -> str:
    try:
        delims, start = read_delimiters(text)
    except Exception:  # noqa: BLE001 - best effort: the ISA is what is broken
        return ""
    parts = text[start:start + 120].split(delims.element)
    return parts[13] if len(parts) > 13 else ""
