"""Every public 5010 sample parses, and parse -> write -> parse gives the same model."""

from __future__ import annotations

from pathlib import Path

import pytest
from rcm_x12 import EnvelopeParams, check_interchange, read_x12
from rcm_x12.writers import write_document

from .helpers import conformance_files

FILES = conformance_files()
# The upstream sample's SE02 (4323) really differs from its ST02 (4321): the one envelope
# defect in the set. We must report it rather than accept it.
KNOWN_BROKEN = {"271_005010X279A1__subscriber-health-benefit-check-error.271": {("SE", "3")}}


def test_the_conformance_samples_are_present() -> None:
    assert len(FILES) >= 45


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_conformance_sample_parses_without_error(path: Path) -> None:
    check = check_interchange(path.read_text())
    errors = {(i.segment_id, i.code) for i in check.issues if i.severity == "error"}
    assert errors == KNOWN_BROKEN.get(path.name, set())
    assert check.results and all(r.document is not None for r in check.results)


@pytest.mark.parametrize("path", [p for p in FILES if p.name not in KNOWN_BROKEN],
                         ids=[p.name for p in FILES if p.name not in KNOWN_BROKEN])
def test_conformance_sample_round_trips_through_our_writer(path: Path) -> None:
    [received] = read_x12(path.read_text())
    env = EnvelopeParams(
        sender_id=received.interchange.sender_id, receiver_id=received.interchange.receiver_id,
        interchange_control_number=int(received.interchange.control_number),
        group_control_number=int(received.group.control_number),
        transaction_control_number=int(received.transaction_control_number),
        date=received.interchange.date or received.group.date,  # type: ignore[arg-type]
        time=received.interchange.time)
    written = write_document(received.document, env)
    [again] = read_x12(written)
    assert again.document == received.document
