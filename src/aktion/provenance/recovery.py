"""Trace a file without its manifest back to the original, through its watermark.

A copy that lost its C2PA manifest (stripped, re-encoded, scaled, cropped) still
carries the mark in its pixels. The mark is the manifest's identifier; the
production's ledger records which output of which step carries which mark, and
the output's digest finds the original (in ``out/`` or the store's blobs), whose
own verdict is given. A mark found in a shot also names the cuts built from it.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from .ledger import Entry, Ledger
from .marking import is_picture, sample_frames
from .trust import TrustStore
from .watermark import ALG, manifest_label, read_frames


def _format_width(production: Path) -> list[int]:
    try:
        data = tomllib.loads((production / "aktion.toml").read_text())
    except (OSError, ValueError):
        return []
    width = (data.get("production") or {}).get("width")
    return [int(width)] if isinstance(width, int) else []


def find_original(production: Path, digest: str) -> Path | None:
    """The file with this sha256 in ``out/`` or the store's blobs, if it is here."""
    shard = production / ".aktion" / "blobs" / digest[:2]
    for path in sorted(shard.glob(f"{digest}*")) if shard.is_dir() else []:
        return path
    from .credentials import sha256_file

    out = production / "out"
    for path in sorted(out.iterdir()) if out.is_dir() else []:
        if path.is_file() and is_picture(path) and sha256_file(path) == digest:
            return path
    return None


def recover_original(path: Path, production: Path, trust: TrustStore) -> dict[str, Any] | None:
    """What the file's watermark leads to, or None when the file is no picture."""
    if not is_picture(path):
        return None
    entries = Ledger.for_production(production).entries()
    known = sorted({m for e in entries for m in e.marks.values()})
    if not known:
        return {"found": False, "alg": ALG, "why": "the production's ledger records no marks"}
    frames = sample_frames(path)
    if not frames:
        return {"found": False, "why": "no frames could be read"}
    reading = read_frames(frames, known, _format_width(production))
    if reading is None:
        return {"found": False, "alg": ALG,
                "why": "no watermark of this production's outputs was found"}
    origin = [(e, name) for e in entries for name, m in e.marks.items() if m == reading.mark]
    entry, name = origin[-1]
    digest = entry.outputs.get(name, "")
    original = find_original(production, digest)
    out: dict[str, Any] = {
        "found": True, "alg": ALG, "mark": reading.mark, "bits_off": reading.distance,
        "read_as": reading.how, "manifest": manifest_label(reading.mark),
        "ledger_entry": entry.index, "step_key": entry.step_key, "step_kind": entry.step_kind,
        "output": name, "sha256": digest, "original": str(original) if original else None,
        "used_in": _used_in(entries, digest),
    }
    if original is not None:
        from .verify import verify_asset

        v = verify_asset(original, production=production, trust=trust, recover=False)
        out["original_status"] = v.status
        out["original_ok"] = v.ok
        out["original_manifest"] = v.manifest
    return out


def _used_in(entries: list[Entry], digest: str) -> list[dict[str, Any]]:
    """Later entries that took this output as an input (the cuts a shot is in)."""
    return [{"ledger_entry": e.index, "step_kind": e.step_kind, "step_key": e.step_key}
            for e in entries if digest in e.inputs.values()]
