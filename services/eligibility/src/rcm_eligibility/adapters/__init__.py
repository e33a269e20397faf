"""Eligibility adapters: tables and repositories, the X12 270/271 gateway, contract translation."""
