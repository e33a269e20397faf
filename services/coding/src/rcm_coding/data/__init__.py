"""Packaged reference data of the coding engine (read with importlib.resources)."""
