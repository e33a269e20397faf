"""Payments adapters: tables, SQL and in-memory repositories, units of work, 835 reader, translation."""
