"""What the engine calls once a step has run: mark, sign its outputs, then log them.

Order matters, because the store is content-addressed: watermark and sign the
backend's files in the step's scratch folder first (the signed bytes are the
output), then move them into the store, then append the signed ledger entry with
their digests and marks, and only then mark the step done. A crash before the
ledger entry just reruns the step.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import c2pa

from aktion.backends.base import StepRequest

from .actions import UnknownSource, ingredients_for, source_type_for
from .assertion import LedgerHead, StepAssertion, script_slice
from .credentials import media_type, sha256_file, sign_asset
from .errors import IdentityError, SigningError
from .frame_marks import PICTURE_OUTPUTS
from .identity import Identity, identity_for_production, production_identity_dir
from .ledger import Entry, Ledger
from .marking import mark_file
from .trust import TrustStore
from .watermark import mark_for

# Composites whose frames are their parts' frames, copied: they declare their parts'
# marks by time span instead of carrying a mark of their own.
COPIED_KINDS = frozenset({"cut"})


class SignedOutputs(dict[str, Path]):
    """name -> file to keep, and the watermark each marked output carries."""

    def __init__(self, items: dict[str, Path], marks: dict[str, str]):
        super().__init__(items)
        self.marks = marks


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


def _spans(parents: list[tuple[str, Path]], production_root: Path,
           ) -> list[tuple[float, float, str]]:
    """(start, end, mark) of each marked part, in order, from the parts' ledger entries
    and durations (a dissolve's overlap is not subtracted)."""
    import av

    by_digest = {d: e.marks.get(n) for e in Ledger.for_production(production_root).entries()
                 for n, d in e.outputs.items() if e.marks.get(n)}
    spans, t = [], 0.0
    for _, p in parents:
        try:
            with av.open(str(p)) as c:
                seconds = float(c.duration or 0) / 1_000_000
        except (av.error.FFmpegError, OSError):
            continue
        mark = by_digest.get(sha256_file(p))
        if mark:
            spans.append((t, t + seconds, mark))
        t += seconds
    return spans


def _named(parents: Mapping[str, Path] | Sequence[Path]) -> list[tuple[str, Path]]:
    if isinstance(parents, Mapping):
        return [(str(k), Path(v)) for k, v in parents.items()]
    return [(Path(p).name, Path(p)) for p in parents]


def sign_outputs(
    production_root: Path, step_kind: str, step_key: str, outputs: Mapping[str, Path],
    parents: Mapping[str, Path] | Sequence[Path], assertion: StepAssertion | Mapping[str, Any],
    identity: Identity | None = None, *, into: Path | None = None,
    declared_source: str | None = None, premarked: Mapping[str, str] | None = None,
) -> SignedOutputs:
    """Watermark the pictures and sign every output C2PA can carry; others are left for
    the ledger alone.

    ``parents`` are the step's input files (name -> path); signed media among them
    become ingredients, so their manifests are kept inside each output's (a parent
    that is invalid or signed by someone untrusted is refused). Signed files
    replace the outputs in place, or go to the folder ``into`` (for outputs that
    must not change, such as blobs in a store). Returns name -> file to keep: the
    signed file, or the untouched output where nothing could be embedded; and the
    marks. ``declared_source``: the digital source type the backend recorded;
    ``premarked``: outputs already marked as they were written (name -> mark).
    """
    identity = identity or identity_for_production(production_root)
    if identity is None:  # pragma: no cover - identity_for_production raises instead
        raise IdentityError("no signing identity")
    base = assertion if isinstance(assertion, StepAssertion) else StepAssertion(**assertion)
    named = _named(parents)
    media = [(n, p) for n, p in named if media_type(p) is not None]
    ingredients = ingredients_for(step_kind, [p for _, p in media], [n for n, _ in media])
    parent_first = sorted(ingredients, key=lambda i: i.relationship != "parentOf")
    try:
        source_type = source_type_for(step_kind, base.backend,
                                      [source_type_of(i.path) for i in parent_first],
                                      declared=declared_source, model_id=base.model_id)
    except UnknownSource as e:
        raise SigningError(str(e)) from None
    tail = Ledger.for_production(production_root).tail()
    head = LedgerHead(index=tail.index, hash=tail.hash) if tail else None
    inputs = {n: sha256_file(p) for n, p in named}
    trust_pem = TrustStore().pem()
    spans = _spans(media, production_root) if step_kind in COPIED_KINDS else []
    kept: dict[str, Path] = {}
    marks: dict[str, str] = {}
    for name, path in outputs.items():
        path = Path(path)
        if media_type(path) is None:
            kept[name] = path
            continue
        data = base.model_copy(update={"output": name, "step_kind": step_kind,
                                       "step_key": step_key, "inputs": inputs,
                                       "ledger_head": head}).data()
        dst = Path(into) / f"{name}{path.suffix.lower()}" if into is not None else path
        src, mark = path, (premarked or {}).get(name)
        if mark is None and name in PICTURE_OUTPUTS and step_kind not in COPIED_KINDS:
            candidate = mark_for(step_key, name)
            marked = dst.with_name(f".marked-{name}{path.suffix.lower()}")
            if mark_file(path, marked, candidate):
                src, mark = marked, candidate
        try:
            kept[name] = sign_asset(
                src, dst, asset_kind=step_kind, digital_source_type=source_type,
                ingredients=ingredients, aktion_assertion=data, identity=identity,
                title=f"{base.step_id or step_kind} {name}", mark=mark,
                mark_spans=spans if name in PICTURE_OUTPUTS else (),
                trust_pem=trust_pem).path
        finally:
            if src != path:
                src.unlink(missing_ok=True)
        if mark:
            marks[name] = mark
    return SignedOutputs(kept, marks)


def ledger_append(
    production_root: Path, step_kind: str, step_key: str, inputs: Mapping[str, Path | str],
    outputs: Mapping[str, Path | str], identity: Identity,
    marks: Mapping[str, str] | None = None,
) -> Entry:
    """Log a finished step, signed. Values are sha256 digests, or paths to hash; the
    marks default to those ``sign_outputs`` put in ``outputs``."""
    def digests(m: Mapping[str, Path | str]) -> dict[str, str]:
        return {k: v if isinstance(v, str) else sha256_file(v) for k, v in m.items()}

    if marks is None:
        marks = getattr(outputs, "marks", None) or {}
    return Ledger.for_production(production_root).append(
        step_key, step_kind=step_kind, inputs=digests(inputs), outputs=digests(outputs),
        signer=identity, marks=marks,
    )
