"""Test support shared by every package's tests: in-memory units of work (``fakes``),
database and namespace fixtures (``fixtures``), Kafka helpers and sample payloads.

Imported only by tests. The real broker and database come from ``rcm_devstack``'s pytest
plugin; nothing here imports the dev stack.
"""
