"""The engine's one call into provenance: seal a finished step on the driver.

Workers (threads, or Ray processes on other machines) put a step's outputs in
the blob store; the driver, which alone writes the action cache, seals each step
before recording it: fetch the outputs and the step's inputs, sign the outputs
with the inputs as ingredients, put the signed files back (new digests), append
the ledger entry, and hand back the outputs to record. Keys never leave the
driver's machine, and the ledger has a single writer.

The engine's objects are used by shape only (``fetch``, ``put_file``, ``workdir``
on the store; ``id``, ``kind``, ``key``, ``backend``, ``request``, ``parts`` on
the step), so provenance does not import the engine.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol, TypeVar

from aktion.backends.base import StepRequest

from .frame_marks import RECORD_KEY
from .identity import Identity
from .ledger import Entry
from .step_signing import ledger_append, sign_outputs, signing_identity, step_assertion

O = TypeVar("O")  # the engine's Output: a blob's digest, extension and size


class _Store(Protocol[O]):
    def fetch(self, out: O, into: Path) -> Path: ...
    def put_file(self, path: Path) -> O: ...
    def workdir(self) -> Path: ...


class _Step(Protocol):
    id: str
    kind: str
    key: str
    backend: str
    request: StepRequest
    parts: dict[str, str]


def _digest(out: Any) -> str:
    return str(out.digest)


class StepSealer:
    """Signs and logs each finished step of one production's render."""

    def __init__(self, production_root: Path, identity: Identity,
                 script_file: str = "script.fountain"):
        self.root = Path(production_root)
        self.identity = identity
        self.script_file = script_file
        self.last_entry: Entry | None = None

    @classmethod
    def for_production(cls, production_root: Path,
                       script_file: str = "script.fountain") -> StepSealer | None:
        """None when the production records no identity (its assets stay unsigned)."""
        identity = signing_identity(production_root)
        return cls(production_root, identity, script_file) if identity else None

    def seal(self, store: _Store[O], step: _Step, outputs: Mapping[str, O],
             inputs: Mapping[str, O], record: Mapping[str, Any]) -> dict[str, O]:
        """Sign ``outputs`` (their inputs as ingredients), log them; returns what to record.

        Raises ProvenanceError (nothing recorded) if signing or logging fails.
        """
        work = store.workdir()
        try:
            # A local store's fetch hands back the blob itself: read it, never change it.
            ins = {n: store.fetch(o, work / "in" / n) for n, o in inputs.items()}
            outs = {n: store.fetch(o, work / "out" / n) for n, o in outputs.items()}
            signed_dir = work / "signed"
            signed_dir.mkdir()
            record = dict(record)
            assertion = step_assertion(
                step_kind=step.kind, step_key=step.key, step_id=step.id, backend=step.backend,
                backend_version=str(record.get("backend_version", "")), request=step.request,
                record=record, parts=step.parts, script_file=self.script_file,
            )
            if record.get("backend"):
                assertion = assertion.model_copy(update={"backend": str(record["backend"])})
            declared = record.get("digital_source_type")
            premarked = record.get(RECORD_KEY)
            kept = sign_outputs(self.root, step.kind, step.key, outs, ins, assertion,
                                self.identity, into=signed_dir,
                                declared_source=str(declared) if declared else None,
                                premarked=premarked if isinstance(premarked, dict) else None)
            sealed = {n: store.put_file(p) if p.parent == signed_dir else outputs[n]
                      for n, p in kept.items()}
            self.last_entry = ledger_append(
                self.root, step.kind, step.key, {n: _digest(o) for n, o in inputs.items()},
                {n: _digest(o) for n, o in sealed.items()}, self.identity, kept.marks)
            return sealed
        finally:
            shutil.rmtree(work, ignore_errors=True)
