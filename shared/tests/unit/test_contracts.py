"""The public event contract."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from rcm_shared.contracts import EVENT_TYPES
from rcm_shared.contracts.common import npi_check_digit_ok
from rcm_shared.contracts.encounters import EncounterCompleted
from rcm_shared.testing.samples import encounter_payload, npi_from
from rcm_shared.topics import TOPICS, Topic


def test_the_cms_example_npi_passes_the_check_digit() -> None:
    assert npi_check_digit_ok("1234567893")  # the example in the CMS NPI check-digit paper
    assert not npi_check_digit_ok("1234567890")
    assert npi_from("123456789") == "1234567893"


def test_an_unknown_field_is_refused_so_typos_fail_loudly() -> None:
    payload = encounter_payload("E-1")
    payload["date_of_servce"] = "2026-01-01"
    with pytest.raises(ValidationError, match="date_of_servce"):
        EncounterCompleted.model_validate(payload)


def test_a_dependent_needs_the_subscriber() -> None:
    payload = encounter_payload("E-1")
    payload["coverage"] = {**payload["coverage"], "relationship": "child"}
    with pytest.raises(ValidationError, match="subscriber is required"):
        EncounterCompleted.model_validate(payload)


def test_every_event_type_is_namespaced_and_every_topic_keeps_history() -> None:
    assert all(t.startswith("rcm.") for t in EVENT_TYPES)
    assert {s.topic for s in TOPICS} == set(Topic)
    assert all(s.config["retention.ms"] == "-1" for s in TOPICS)
