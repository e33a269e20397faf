"""Coding use cases: code an encounter, route it to review, record coder decisions."""
