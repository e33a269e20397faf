from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

from rcm_x12 import (
    ControlNumberSource,
    FileControlNumbers,
    InMemoryControlNumbers,
    allocate,
    new_envelope,
    read_837,
    write_837,
)

from .helpers import sample_837p


def test_in_memory_numbers_increase_per_sender_and_kind() -> None:
    source = InMemoryControlNumbers()
    assert isinstance(source, ControlNumberSource)
    assert [source.next_interchange("A") for _ in range(3)] == [1, 2, 3]
    assert source.next_interchange("B") == 1
    assert source.next_group("A") == 1 and source.next_transaction("A") == 1


def test_file_numbers_persist_across_instances(tmp_path: Path) -> None:
    path = tmp_path / "numbers.json"
    first = FileControlNumbers(path)
    assert allocate(first, "SANDBOX").interchange == 1
    again = FileControlNumbers(path)
    assert allocate(again, "SANDBOX").interchange == 2
    assert again.next_group("OTHER") == 1


def test_file_numbers_are_unique_under_concurrent_use(tmp_path: Path) -> None:
    source = FileControlNumbers(tmp_path / "numbers.json")
    with ThreadPoolExecutor(max_workers=8) as pool:
        values = list(pool.map(lambda _: source.next_interchange("S"), range(80)))
    assert sorted(values) == list(range(1, 81))


def test_envelope_from_a_source_writes_its_numbers() -> None:
    source = InMemoryControlNumbers(start=41)
    env = new_envelope(source, sender_id="SUB1", receiver_id="PAY1", when=date(2026, 1, 5))
    text = write_837(sample_837p(), env)
    received = read_837(text)[0]
    assert received.interchange.control_number == "000000041"
    assert received.group.control_number == "41" and received.transaction_control_number == "0041"
