"""Eligibility handlers: commands in, state and events out."""
