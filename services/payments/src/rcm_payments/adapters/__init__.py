"""Payments adapters: tables, repository, 835 reader."""
