"""Sealing PHI with a patient's data key, in one place for events and tables.

A sealed value is a JSON object ``{"enc": "A256GCM.v1", "kid": ..., "iv": ..., "ct": ...}``: the
JSON of the plain value encrypted with AES-256-GCM (``cryptography``), a random 96-bit nonce per
value, and the field's path bound as associated data, so a sealed note cannot be moved into a
name field (or a column of another table) and opened there. Contracts mark PHI fields with
:data:`rcm_shared.contracts.common.PHI`; :func:`phi_paths` finds them, :class:`PhiCipher` seals
them when an event is published (``UnitOfWork.publish``) and opens them before a consumer
validates a payload, and repositories seal the PHI columns they store.
"""

from __future__ import annotations

import base64
import json
import os
import types
import typing
from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel

from rcm_shared.contracts.common import Phi
from rcm_shared.phi.keyring import DataKey, Keyring, PhiKeyShreddedError, PhiUnreadableError

SEALED = "A256GCM.v1"
_SEALED_KEYS = frozenset({"enc", "kid", "iv", "ct"})
# A sealed text column holds this prefix and the sealed value's JSON.
TEXT_PREFIX = "rcm-sealed:"
# A dead letter's value sealed whole (the record's bytes, in base64) is bound to this.
DEAD_LETTER_VALUE_AAD = "dead-letter.value"


@cache
def phi_paths(model: type[BaseModel]) -> tuple[str, ...]:
    """Dotted paths of the PHI fields of ``model`` (lists are walked through, so
    ``documentation.diagnoses.text`` is the text of every diagnosis)."""
    return tuple(sorted(_paths(model, "", frozenset())))


def _paths(model: type[BaseModel], prefix: str, seen: frozenset[type[BaseModel]]) -> set[str]:
    found: set[str] = set()
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        if any(isinstance(m, Phi) for m in info.metadata):
            found.add(path)
            continue
        for nested in _models_in(info.annotation):
            if nested not in seen:
                found |= _paths(nested, f"{path}.", seen | {model})
    return found


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        yield from _models_in(typing.get_args(annotation)[0])
    elif origin in (list, tuple, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            yield from _models_in(arg)


def is_sealed(value: Any) -> bool:
    """Whether ``value`` is a sealed PHI value."""
    return isinstance(value, dict) and value.keys() == _SEALED_KEYS and value.get("enc") == SEALED


def seal_with(key: DataKey, value: Any, *, aad: str) -> dict[str, str]:
    """Seal one JSON-able ``value`` with ``key``, bound to ``aad`` (the field's path)."""
    nonce = os.urandom(12)
    plain = json.dumps(value, separators=(",", ":"), default=str).encode()
    ct = AESGCM(key.secret).encrypt(nonce, plain, _aad(aad, key.kid))
    return {"enc": SEALED, "kid": key.kid, "iv": base64.b64encode(nonce).decode(),
            "ct": base64.b64encode(ct).decode()}


def seal_bytes(key: DataKey, data: bytes, *, aad: str) -> bytes:
    """Arbitrary bytes (a record's value, maybe not UTF-8) sealed, as the JSON of a sealed value."""
    sealed = seal_with(key, base64.b64encode(data).decode(), aad=aad)
    return json.dumps(sealed, separators=(",", ":")).encode()


def open_with(key: DataKey, sealed: dict[str, str], *, aad: str) -> Any:
    """Open a value :func:`seal_with` made; :class:`PhiUnreadableError` when it was damaged or moved."""
    try:
        nonce = base64.b64decode(sealed["iv"], validate=True)
        ct = base64.b64decode(sealed["ct"], validate=True)
        plain = AESGCM(key.secret).decrypt(nonce, ct, _aad(aad, key.kid))
    except (InvalidTag, ValueError, TypeError):
        raise PhiUnreadableError(f"sealed value at {aad} does not open with key {key.kid} "
                                 "(damaged, or moved from another field)") from None
    return json.loads(plain)


def _aad(path: str, kid: str) -> bytes:
    return f"{SEALED}|{path}|{kid}".encode()


def plaintext_phi(payload: dict[str, Any], paths: Sequence[str]) -> list[str]:
    """The PHI paths of ``payload`` holding a plain (unsealed, non-empty) value."""
    return sorted({p for p in paths for value in _at(payload, p.split(".")) if _present(value)
                   and not is_sealed(value)})


def _present(value: Any) -> bool:
    return value is not None and value != ""


def _at(node: Any, parts: list[str]) -> Iterator[Any]:
    if isinstance(node, list):
        for item in node:
            yield from _at(item, parts)
        return
    if not isinstance(node, dict) or parts[0] not in node:
        return
    if len(parts) == 1:
        yield node[parts[0]]
    else:
        yield from _at(node[parts[0]], parts[1:])


class PhiCipher:
    """Seals and opens PHI with the keys of a :class:`Keyring` (the one codec of events and tables)."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    async def seal_payload(self, model: BaseModel, payload: dict[str, Any]) -> dict[str, Any]:
        """``payload`` (the JSON of ``model``) with every present PHI field sealed with the key of
        ``model.phi_subjects()``; a payload without PHI comes back as it is."""
        paths = phi_paths(type(model))
        if not paths or not plaintext_phi(payload, paths):
            return payload
        subjects = getattr(model, "phi_subjects", None)
        if subjects is None:
            raise TypeError(f"{type(model).__name__} has PHI fields but no phi_subjects(): whose key seals them?")
        links = getattr(model, "phi_links", None)
        key = await self.keyring.key_for(subjects(), linked_to=links() if links else ())
        sealed = json.loads(json.dumps(payload))  # a deep copy of plain JSON
        for path in paths:
            _replace(sealed, path.split("."), lambda v, p=path: seal_with(key, v, aad=p)
                     if _present(v) and not is_sealed(v) else v)
        return typing.cast(dict[str, Any], sealed)

    async def open_payload(self, payload: dict[str, Any]) -> dict[str, Any]:
        """``payload`` with every sealed value opened (plain values pass through).

        :class:`PhiKeyShreddedError` when a key was shredded, :class:`PhiUnreadableError` when a
        value is unknown to the keyring or damaged."""
        if not _has_sealed(payload):
            return payload
        return typing.cast(dict[str, Any], await self._open_node(payload, ""))

    async def _open_node(self, node: Any, path: str) -> Any:
        if is_sealed(node):
            key = await self.keyring.get(node["kid"])
            return open_with(key, node, aad=path)
        if isinstance(node, dict):
            return {k: await self._open_node(v, f"{path}.{k}" if path else k) for k, v in node.items()}
        if isinstance(node, list):
            return [await self._open_node(v, path) for v in node]
        return node

    async def seal_document(self, value: Any, *, subjects: Sequence[str], aad: str) -> Any:
        """A whole JSON column value sealed with the key of ``subjects`` (None stays None)."""
        if value is None:
            return None
        return seal_with(await self.keyring.key_for(subjects), value, aad=aad)

    async def open_document(self, value: Any, *, aad: str) -> Any:
        """The inverse of :meth:`seal_document`; a plain value (a row written before sealing) passes."""
        if not is_sealed(value):
            return value
        return open_with(await self.keyring.get(value["kid"]), value, aad=aad)

    async def seal_text(self, text: str | None, *, subjects: Sequence[str], aad: str) -> str | None:
        """A text column value sealed (``rcm-sealed:{...}``)."""
        if text is None:
            return None
        sealed = seal_with(await self.keyring.key_for(subjects), text, aad=aad)
        return TEXT_PREFIX + json.dumps(sealed, separators=(",", ":"))

    async def open_text(self, stored: str | None, *, aad: str) -> str | None:
        """The inverse of :meth:`seal_text`; plain text passes."""
        if stored is None or not stored.startswith(TEXT_PREFIX):
            return stored
        try:
            sealed = json.loads(stored[len(TEXT_PREFIX):])
        except json.JSONDecodeError:
            raise PhiUnreadableError(f"sealed text at {aad} is damaged") from None
        if not is_sealed(sealed):
            raise PhiUnreadableError(f"sealed text at {aad} is damaged")
        return typing.cast(str, open_with(await self.keyring.get(sealed["kid"]), sealed, aad=aad))

    async def open_bytes(self, stored: bytes, *, aad: str) -> bytes:
        """The inverse of :func:`seal_bytes`."""
        try:
            sealed = json.loads(stored)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise PhiUnreadableError(f"sealed bytes at {aad} are damaged") from None
        if not is_sealed(sealed):
            raise PhiUnreadableError(f"sealed bytes at {aad} are damaged")
        encoded = open_with(await self.keyring.get(sealed["kid"]), sealed, aad=aad)
        return base64.b64decode(encoded)

    async def readable(self, value: Any) -> bool:
        """False when ``value`` holds sealed PHI whose key was shredded."""
        try:
            if isinstance(value, str) and value.startswith(TEXT_PREFIX):
                value = json.loads(value[len(TEXT_PREFIX):])
            for kid in _kids(value):
                await self.keyring.get(kid)
        except PhiKeyShreddedError:
            return False
        return True


def _replace(node: Any, parts: list[str], change: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _replace(item, parts, change)
        return
    if not isinstance(node, dict) or parts[0] not in node:
        return
    if len(parts) == 1:
        node[parts[0]] = change(node[parts[0]])
    else:
        _replace(node[parts[0]], parts[1:], change)


def _has_sealed(node: Any) -> bool:
    if is_sealed(node):
        return True
    if isinstance(node, dict):
        return any(_has_sealed(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_sealed(v) for v in node)
    return False


def _kids(node: Any) -> Iterator[str]:
    if is_sealed(node):
        yield node["kid"]
    elif isinstance(node, dict):
        for v in node.values():
            yield from _kids(v)
    elif isinstance(node, list):
        for v in node:
            yield from _kids(v)


__all__ = ["SEALED", "PhiCipher", "is_sealed", "open_with", "phi_paths", "plaintext_phi", "seal_with",
           "PhiUnreadableError", "PhiKeyShreddedError"]
