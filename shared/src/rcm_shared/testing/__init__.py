"""Test support shared by every package's tests: real endpoints and database helpers.

Imported only by tests (the pytest plugin ``rcm_shared.testing.fixtures``); the local
stack and testcontainers are imported lazily, only when a test asks for a broker.
"""
