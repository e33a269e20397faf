"""Coding service: computer-assisted coding, code edits and human review."""
