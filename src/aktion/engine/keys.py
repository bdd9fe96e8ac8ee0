"""Content keys: the hash of everything that conditions a step, and nothing else.

A key is sha256 over canonical JSON of named *parts* (step kind and code version,
backend id and version, parameters, seed, input keys, and the exact source slices
the step reads). Each part is hashed on its own first, so ``explain`` can say which
part changed. Paths, machine names and times never enter a key.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

HASH_SCHEME = "aktion-key.1"


def canonical_json(value: Any) -> bytes:
    """One byte string per value: sorted keys, no spaces, no NaN, UTF-8."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def digest(value: Any) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()


def content_key(parts: dict[str, str]) -> str:
    """The key over already-digested parts, tagged with the hashing scheme's version."""
    return digest({"scheme": HASH_SCHEME, "parts": parts})
