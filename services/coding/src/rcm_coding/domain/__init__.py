"""Pure coding domain: code sets, extraction from notes, edits and the human review workflow.

Nothing here does I/O except reading the package's own data files when a loader is called;
nothing is loaded at import time.
"""
