"""Pure coding domain: code sets, extraction from notes, edits and the human review workflow.

Nothing here does I/O: reference data arrives loaded (see ``rcm_coding.adapters.reference_data``)
and nothing is loaded at import time.
"""
