"""Payments use cases: claim accounts and remittance posting."""
