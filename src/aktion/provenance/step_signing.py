"""What the engine calls once a step has run: sign its outputs, then log them.

Order matters, because the store is content-addressed: sign the backend's files
in the step's scratch folder first (the signed bytes are the output), then move
them into the store, then append the ledger entry with their digests, and only
then mark the step done. A crash before the ledger entry just reruns the step.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import c2pa

from aktion.backends.base import StepRequest

from .actions import ingredients_for, source_type_for
from .assertion import LedgerHead, StepAssertion, script_slice
from .credentials import media_type, sha256_file, sign_asset
from .errors import IdentityError
from .identity import Identity, identity_for_production, production_identity_dir
from .ledger import Entry, Ledger


def signing_identity(production_root: Path) -> Identity | None:
    """The production's identity, or None if it records none (signing is then off).

    A production that records an identity whose key is not on this machine raises
    IdentityError: silently making unsigned assets would be worse than stopping.
    """
    if not (production_identity_dir(production_root) / "cert.pem").is_file():
        return None
    return identity_for_production(production_root)


def step_assertion(
    *, step_kind: str, step_key: str, step_id: str = "", backend: str = "",
    backend_version: str = "", request: StepRequest | None = None,
    record: Mapping[str, Any] | None = None, parts: Mapping[str, str] | None = None,
    script_file: str = "script.fountain",
) -> StepAssertion:
    """The ``org.aktion.step`` assertion from what the engine knows about a step.

    ``record`` is the backend's StepResult.record (model id, revision, parameters);
    ``parts`` the step's key parts (their ``board`` and ``beats`` digests are kept).
    """
    record = dict(record or {})
    parts = parts or {}
    script = None
    seed = None
    locks: dict[str, str] = {}
    params: dict[str, Any] = {}
    if request is not None:
        seed, locks, params = request.seed, dict(request.locks), dict(request.params)
        lines, text = request.script.get("lines"), request.script.get("text")
        if lines and isinstance(text, str):
            script = script_slice(tuple(lines), text, script_file)
    model = record.pop("model", None)
    params.update(record.pop("params", record.pop("parameters", {})) or {})
    return StepAssertion(
        step_kind=step_kind, step_key=step_key, step_id=step_id, backend=backend,
        backend_version=backend_version,
        model_id=record.pop("model_id", model if isinstance(model, str) else None),
        model_revision=record.pop("model_revision", record.pop("revision", None)),
        seed=seed, parameters=params, script=script, cast_locks=locks,
        board_sha256=parts.get("board"), beats_sha256=parts.get("beats"),
        result={k: v for k, v in record.items() if k not in ("backend", "backend_version",
                                                               "step", "locks")},
    )


def source_type_of(path: Path) -> str | None:
    """The digital source type an already signed file declares, if any."""
    fmt = media_type(path)
    if fmt is None:
        return None
    try:
        with Path(path).open("rb") as f:
            reader = c2pa.Reader(fmt, f)
            store = json.loads(reader.json())
            reader.close()
    except c2pa.C2paError:
        return None
    active = store.get("manifests", {}).get(store.get("active_manifest"), {})
    for a in active.get("assertions", []):
        if a.get("label", "").startswith("c2pa.actions"):
            for act in a.get("data", {}).get("actions", []):
                if act.get("digitalSourceType"):
                    return str(act["digitalSourceType"])
    return None


def _named(parents: Mapping[str, Path] | Sequence[Path]) -> list[tuple[str, Path]]:
    if isinstance(parents, Mapping):
        return [(str(k), Path(v)) for k, v in parents.items()]
    return [(Path(p).name, Path(p)) for p in parents]


def sign_outputs(
    production_root: Path, step_kind: str, step_key: str, outputs: Mapping[str, Path],
    parents: Mapping[str, Path] | Sequence[Path], assertion: StepAssertion | Mapping[str, Any],
    identity: Identity | None = None, *, into: Path | None = None,
) -> dict[str, Path]:
    """Sign every output C2PA can carry; others are left for the ledger alone.

    ``parents`` are the step's input files (name -> path); signed media among them
    become ingredients, so their manifests are kept inside each output's. Signed
    files replace the outputs in place, or go to the folder ``into`` (for outputs
    that must not change, such as blobs in a store). Returns name -> file to keep:
    the signed file, or the untouched output where nothing could be embedded.
    """
    identity = identity or identity_for_production(production_root)
    if identity is None:  # pragma: no cover - identity_for_production raises instead
        raise IdentityError("no signing identity")
    base = assertion if isinstance(assertion, StepAssertion) else StepAssertion(**assertion)
    named = _named(parents)
    media = [(n, p) for n, p in named if media_type(p) is not None]
    ingredients = ingredients_for(step_kind, [p for _, p in media], [n for n, _ in media])
    parent_first = sorted(ingredients, key=lambda i: i.relationship != "parentOf")
    source_type = source_type_for(step_kind, base.backend,
                                  [source_type_of(i.path) for i in parent_first])
    tail = Ledger.for_production(production_root).tail()
    head = LedgerHead(index=tail.index, hash=tail.hash) if tail else None
    inputs = {n: sha256_file(p) for n, p in named}
    kept: dict[str, Path] = {}
    for name, path in outputs.items():
        path = Path(path)
        if media_type(path) is None:
            kept[name] = path
            continue
        data = base.model_copy(update={"output": name, "step_kind": step_kind,
                                       "step_key": step_key, "inputs": inputs,
                                       "ledger_head": head}).data()
        dst = Path(into) / f"{name}{path.suffix.lower()}" if into is not None else path
        kept[name] = sign_asset(
            path, dst, asset_kind=step_kind, digital_source_type=source_type,
            ingredients=ingredients, aktion_assertion=data, identity=identity,
            title=f"{base.step_id or step_kind} {name}").path
    return kept


def ledger_append(
    production_root: Path, step_kind: str, step_key: str, inputs: Mapping[str, Path | str],
    outputs: Mapping[str, Path | str], identity: Identity,
) -> Entry:
    """Log a finished step. Values are sha256 digests, or paths to hash."""
    def digests(m: Mapping[str, Path | str]) -> dict[str, str]:
        return {k: v if isinstance(v, str) else sha256_file(v) for k, v in m.items()}

    return Ledger.for_production(production_root).append(
        step_key, step_kind=step_kind, inputs=digests(inputs), outputs=digests(outputs),
        signer=identity.fingerprint,
    )
