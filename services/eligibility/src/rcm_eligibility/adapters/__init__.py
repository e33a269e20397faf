"""Eligibility adapters: tables, repository, the X12 270/271 gateway."""
