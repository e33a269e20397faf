"""PHI sealing: what is sealed, that it opens only where it was sealed, and what shredding does."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from rcm_shared.contracts import EVENT_TYPES
from rcm_shared.contracts.clearinghouse import ClearinghouseFileReceived
from rcm_shared.contracts.eligibility import EligibilityChecked
from rcm_shared.contracts.encounters import EncounterCompleted
from rcm_shared.phi import (
    CachingKeyring,
    MemoryKeyring,
    PhiCipher,
    PhiKeyShreddedError,
    PhiUnreadableError,
    is_sealed,
    phi_paths,
    plaintext_phi,
)
from rcm_shared.phi.codec import TEXT_PREFIX
from rcm_shared.testing.samples import encounter_payload

MARKERS = ("Zebulonia", "Quixtrand", "MBR77Q1X", "1953-07-14", "wheezing after the hayride")


def _encounter(mrn: str | None = "MRN-4471", encounter_id: str = "E-PHI-1") -> EncounterCompleted:
    base = encounter_payload(encounter_id)
    base["patient"].update(first_name="Zebulonia", last_name="Quixtrand", birth_date="1953-07-14", mrn=mrn)
    base["coverage"]["member_id"] = "MBR77Q1X"
    base["documentation"]["note_text"] = "Patient reports wheezing after the hayride."
    base["documentation"]["diagnoses"] = [{"code": "R06.2", "text": "wheezing after the hayride"}]
    return EncounterCompleted.model_validate(base)


def _json(value: Any) -> str:
    return json.dumps(value)


def test_the_contract_marks_names_birth_dates_member_ids_notes_and_raw_files_as_phi() -> None:
    assert phi_paths(EncounterCompleted) == (
        "coverage.group_number", "coverage.member_id", "coverage.subscriber", "documentation.diagnoses.text",
        "documentation.note_text", "patient")
    assert phi_paths(EligibilityChecked) == ("member_id",)
    assert phi_paths(ClearinghouseFileReceived) == ("content",)
    # Money, codes, dates of service and ids are never sealed: they must replay after a shred.
    for model in EVENT_TYPES.values():
        for path in phi_paths(model):
            last = path.rsplit(".", 1)[-1]
            assert last not in ("encounter_id", "claim_id", "payer_id", "file_id", "date_of_service", "code")
            assert not any(word in last for word in ("amount", "charge", "paid", "responsibility"))


def test_a_sealed_encounter_holds_no_phi_and_opens_to_the_same_payload() -> None:
    cipher = PhiCipher(MemoryKeyring())
    encounter = _encounter()
    plain = encounter.model_dump(mode="json")
    sealed = asyncio.run(cipher.seal_payload(encounter, plain))
    text = _json(sealed)
    assert not [m for m in MARKERS if m in text]
    assert is_sealed(sealed["patient"]) and is_sealed(sealed["documentation"]["note_text"])
    assert is_sealed(sealed["documentation"]["diagnoses"][0]["text"])
    # Codes, money-free facts and ids stay readable without any key.
    assert sealed["encounter_id"] == "E-PHI-1" and sealed["documentation"]["diagnoses"][0]["code"] == "R06.2"
    assert sealed["date_of_service"] == plain["date_of_service"]
    assert plaintext_phi(sealed, phi_paths(EncounterCompleted)) == []
    assert plaintext_phi(plain, phi_paths(EncounterCompleted)) == [
        "coverage.member_id", "documentation.diagnoses.text", "documentation.note_text", "patient"]
    assert asyncio.run(cipher.open_payload(sealed)) == plain
    assert EncounterCompleted.model_validate(asyncio.run(cipher.open_payload(sealed))) == encounter


def test_each_value_gets_its_own_nonce_so_equal_values_do_not_look_equal() -> None:
    cipher = PhiCipher(MemoryKeyring())
    encounter = _encounter()
    one = asyncio.run(cipher.seal_payload(encounter, encounter.model_dump(mode="json")))
    two = asyncio.run(cipher.seal_payload(encounter, encounter.model_dump(mode="json")))
    assert one["patient"]["kid"] == two["patient"]["kid"]
    assert one["patient"]["ct"] != two["patient"]["ct"]


def test_a_sealed_value_moved_to_another_field_does_not_open() -> None:
    cipher = PhiCipher(MemoryKeyring())
    encounter = _encounter()
    sealed = asyncio.run(cipher.seal_payload(encounter, encounter.model_dump(mode="json")))
    sealed["coverage"]["member_id"] = sealed["documentation"]["note_text"]
    with pytest.raises(PhiUnreadableError, match="coverage.member_id") as info:
        asyncio.run(cipher.open_payload(sealed))
    assert not [m for m in MARKERS if m in str(info.value)]


def test_a_tampered_ciphertext_or_an_unknown_key_is_unreadable_never_plain() -> None:
    cipher = PhiCipher(MemoryKeyring())
    encounter = _encounter()
    sealed = asyncio.run(cipher.seal_payload(encounter, encounter.model_dump(mode="json")))
    ct = sealed["patient"]["ct"]
    tampered = {**sealed, "patient": {**sealed["patient"], "ct": ("A" if ct[0] != "A" else "B") + ct[1:]}}
    with pytest.raises(PhiUnreadableError, match="does not open"):
        asyncio.run(cipher.open_payload(tampered))
    with pytest.raises(PhiUnreadableError, match="unknown to this keyring"):
        asyncio.run(PhiCipher(MemoryKeyring()).open_payload(sealed))


def test_one_patient_has_one_key_across_encounters_and_the_events_derived_from_them() -> None:
    keyring = MemoryKeyring()
    cipher = PhiCipher(keyring)
    first, second = _encounter(encounter_id="E-1"), _encounter(encounter_id="E-2")
    s1 = asyncio.run(cipher.seal_payload(first, first.model_dump(mode="json")))
    s2 = asyncio.run(cipher.seal_payload(second, second.model_dump(mode="json")))
    assert s1["patient"]["kid"] == s2["patient"]["kid"], "same MRN, same key"
    checked = EligibilityChecked(encounter_id="E-2", payer_id="P1", member_id="MBR77Q1X",
                                 date_of_service=first.date_of_service, status="active",
                                 checked_at=datetime.now(UTC))
    s3 = asyncio.run(cipher.seal_payload(checked, checked.model_dump(mode="json")))
    assert s3["member_id"]["kid"] == s1["patient"]["kid"], "a later event about the encounter finds the patient's key"
    other = _encounter(mrn=None, encounter_id="E-3")
    s4 = asyncio.run(cipher.seal_payload(other, other.model_dump(mode="json")))
    assert s4["patient"]["kid"] != s1["patient"]["kid"], "no MRN: a key of the encounter's own"


def test_shredding_a_patient_makes_every_copy_unreadable_while_ids_and_codes_stay() -> None:
    keyring = MemoryKeyring()
    cipher = PhiCipher(keyring)
    encounter = _encounter()
    sealed = asyncio.run(cipher.seal_payload(encounter, encounter.model_dump(mode="json")))
    column = asyncio.run(cipher.seal_text("MBR77Q1X", subjects=("encounter:E-PHI-1",), aad="t.member_id"))
    assert column is not None and column.startswith(TEXT_PREFIX) and "MBR77Q1X" not in column
    assert asyncio.run(cipher.readable(column))
    kid = asyncio.run(keyring.shred("encounter:E-PHI-1"))
    assert kid == sealed["patient"]["kid"]
    with pytest.raises(PhiKeyShreddedError):
        asyncio.run(cipher.open_payload(sealed))
    with pytest.raises(PhiKeyShreddedError):
        asyncio.run(cipher.open_text(column, aad="t.member_id"))
    assert not asyncio.run(cipher.readable(column)) and not asyncio.run(cipher.readable(sealed))
    assert sealed["encounter_id"] == "E-PHI-1"
    # Nothing new is sealed for a forgotten patient.
    with pytest.raises(PhiKeyShreddedError):
        asyncio.run(cipher.seal_payload(encounter, encounter.model_dump(mode="json")))


def test_plain_rows_written_before_sealing_still_read() -> None:
    cipher = PhiCipher(MemoryKeyring())
    assert asyncio.run(cipher.open_text("plain note", aad="x")) == "plain note"
    assert asyncio.run(cipher.open_document({"a": 1}, aad="x")) == {"a": 1}
    assert asyncio.run(cipher.open_payload({"member_id": "M1"})) == {"member_id": "M1"}


def test_a_payload_without_phi_is_passed_through_untouched() -> None:
    cipher = PhiCipher(MemoryKeyring())
    received = ClearinghouseFileReceived(file_id="f1", kind="999", mailbox_seq=1, content="",
                                         received_at=datetime.now(UTC))
    payload = received.model_dump(mode="json")
    assert asyncio.run(cipher.seal_payload(received, payload)) is payload  # an empty file: nothing to seal


def test_retention_expires_keys_unused_since_the_cutoff() -> None:
    keyring = MemoryKeyring()
    asyncio.run(keyring.key_for(["encounter:OLD"]))
    assert asyncio.run(keyring.expire(unused_since=datetime.now(UTC) - timedelta(days=1))) == []
    expired = asyncio.run(keyring.expire(unused_since=datetime.now(UTC) + timedelta(seconds=1)))
    assert len(expired) == 1
    with pytest.raises(PhiKeyShreddedError):
        asyncio.run(keyring.get(expired[0]))


def test_the_cache_forgets_a_key_it_shreds_and_keeps_others_for_its_ttl() -> None:
    inner = MemoryKeyring()
    cached = CachingKeyring(inner, ttl_s=60)
    key = asyncio.run(cached.key_for(["encounter:C1"]))
    asyncio.run(inner.shred("encounter:C1"))  # shredded by another process
    assert asyncio.run(cached.get(key.kid)) == key, "within the TTL another process's shred is not seen yet"
    asyncio.run(cached.shred("encounter:C1"))
    with pytest.raises(PhiKeyShreddedError):
        asyncio.run(cached.get(key.kid))
    zero = CachingKeyring(inner, ttl_s=0)
    with pytest.raises(PhiKeyShreddedError):
        asyncio.run(zero.get(key.kid))


def test_a_file_naming_a_patients_claim_is_forgotten_with_the_patient() -> None:
    from rcm_shared.contracts.clearinghouse import claims_named

    isa = "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PROVIDER       *261014*1200*^*00501*000000001*0*T*:~"
    assert len(isa) == 106
    era = isa + "GS*HP*P*R*20261014*1200*1*X*005010X221A1~ST*835*0001~CLP*C-100*1*100*80*20*12*PCN1~" \
                "CLP*C-200*1*50*50*0*12*PCN2~SE*4*0001~GE*1*1~IEA*1*000000001~"
    ack = isa.replace("*", "|").replace("|:~", "|:\n") + "TRN|2|C-300\nTRN|1|BATCH\n"
    assert claims_named(era) == ["C-100", "C-200"]
    assert claims_named(ack) == ["C-300"], "the interchange's own separators"
    assert claims_named("not an interchange") == []

    keyring = MemoryKeyring()
    cipher = PhiCipher(keyring)
    patient = asyncio.run(keyring.key_for(["mrn:M-1", "encounter:E-1", "claim:C-100"]))
    other = asyncio.run(keyring.key_for(["mrn:M-2", "encounter:E-2", "claim:C-200"]))
    received = ClearinghouseFileReceived(file_id="835-1", kind="835", mailbox_seq=1, content=era,
                                         received_at=datetime.now(UTC))
    sealed = asyncio.run(cipher.seal_payload(received, received.model_dump(mode="json")))
    file_kid = sealed["content"]["kid"]
    assert file_kid not in (patient.kid, other.kid), "a file has a key of its own"
    assert asyncio.run(cipher.open_payload(sealed))["content"] == era
    asyncio.run(keyring.shred("mrn:M-1"))
    with pytest.raises(PhiKeyShreddedError):
        asyncio.run(cipher.open_payload(sealed))
    assert asyncio.run(keyring.get(other.kid)) == other, "the other patient's own key is untouched"
