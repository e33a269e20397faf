"""Payments use cases: claim accounts, remittance posting, and the read side of both."""
