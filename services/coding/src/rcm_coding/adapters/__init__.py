"""Coding adapters: tables and repository."""
