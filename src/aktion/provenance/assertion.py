"""``org.aktion.step``: the assertion that ties a signed asset to the step that made it.

It answers "made how, from what?" in Aktion's terms: the step's content key and
kind, the backend and model, seed and parameters, the script lines it covers
(by range and hash, so the claim can be checked against the script later), the
cast locks, and the board and beat digests. Parameters are scrubbed of secrets.

Parameters and results travel as canonical JSON text, and script lines as two
numbers: the C2PA SDK's JSON report turns arrays of numbers into base64 byte
strings (c2pa-rs issue 2570), so no array of numbers may appear in the data.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from aktion import __version__

from .redact import scrub

LABEL = "org.aktion.step"
SCHEMA = "org.aktion.step/1"


class ScriptSlice(BaseModel):
    file: str = "script.fountain"
    first_line: int
    last_line: int
    text_sha256: str


class LedgerHead(BaseModel):
    """The ledger's last entry when this asset was signed: pins the ledger's past."""

    index: int
    hash: str


class StepAssertion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_: str = Field(default=SCHEMA, alias="schema")
    aktion_version: str = __version__
    step_kind: str
    step_key: str
    step_id: str = ""
    output: str = ""
    backend: str = ""
    backend_version: str = ""
    model_id: str | None = None
    model_revision: str | None = None
    seed: int | None = None
    inputs: dict[str, str] = Field(default_factory=dict, description="input name -> sha256")
    parameters: dict[str, Any] = Field(default_factory=dict)
    script: ScriptSlice | None = None
    cast_locks: dict[str, str] = Field(default_factory=dict)
    board_sha256: str | None = None
    beats_sha256: str | None = None
    result: dict[str, Any] = Field(default_factory=dict, description="what the backend reported")
    ledger_head: LedgerHead | None = None

    def data(self) -> dict[str, Any]:
        """The assertion's JSON data, secrets scrubbed, free-form parts as JSON text."""
        d = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        for name in ("parameters", "result"):
            d[f"{name}_json"] = canonical_text(scrub(d.pop(name, {})))
        return d


def canonical_text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def read_step(data: Any) -> dict[str, Any]:
    """An ``org.aktion.step`` assertion as read back, its JSON text fields decoded."""
    if not isinstance(data, dict):
        return {}
    out = dict(data)
    for name in ("parameters", "result"):
        text = out.pop(f"{name}_json", None)
        if isinstance(text, str):
            try:
                out[name] = json.loads(text)
            except ValueError:
                out[name] = text
    return out


def script_text_hash(text: str) -> str:
    """sha256 of the exact script lines (joined by newlines, as ``Script.text`` gives)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def script_slice(lines: tuple[int, int] | list[int], text: str,
                 file: str = "script.fountain") -> ScriptSlice:
    return ScriptSlice(file=file, first_line=int(lines[0]), last_line=int(lines[1]),
                       text_sha256=script_text_hash(text))


def current_slice_hash(script_path: Path, lines: tuple[int, int]) -> str | None:
    """The hash of those lines in the script as it is now (None if unreadable)."""
    try:
        all_lines = script_path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    first, last = lines
    return script_text_hash("\n".join(all_lines[first - 1 : last]))
