"""The few pyx12 names :mod:`rcm_x12.validate` uses, with their types.

pyx12 4.0 is annotated but ships no ``py.typed`` marker, so mypy refuses to read it. Rather
than silence that for the whole package, the names we call are imported here through
:func:`importlib.import_module` and given the signatures pyx12 declares.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TextIO


class ValidateDocument(Protocol):
    """``pyx12.x12n_document.x12n_document``: validate one interchange; True when it passes."""

    def __call__(self, param: object, src_file: str | TextIO, fd_997: TextIO | None,
                 fd_html: TextIO | None, *, fd_json: TextIO | None = None) -> bool: ...


@dataclass(frozen=True, slots=True)
class Pyx12:
    """pyx12's validator, its parameters factory and the errors it raises on unusable input."""

    params: Callable[[], object]
    x12n_document: ValidateDocument
    engine_error: type[Exception]
    x12_error: type[Exception]


def load_pyx12() -> Pyx12:
    """Import pyx12 (on first use only: most callers never validate, and it is slow to import)."""
    errors = importlib.import_module("pyx12.errors")
    params = importlib.import_module("pyx12.params")
    document = importlib.import_module("pyx12.x12n_document")
    return Pyx12(params=params.params, x12n_document=document.x12n_document,
                 engine_error=errors.EngineError, x12_error=errors.X12Error)
