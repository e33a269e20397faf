"""Eligibility service: coverage and benefits checks (X12 270/271)."""
