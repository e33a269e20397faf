"""Coding adapters: tables, SQL and in-memory repositories, translation, reference data."""
