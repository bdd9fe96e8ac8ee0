"""Build ``out/<name>-entry.zip``: the signed cuts, the script, the storyboard PDF,
the depth report, the provenance verification report, and a manifest of digests.

A cut that is unsigned, signed by someone the production does not trust, or
changed after signing is refused: the pack is only as good as its proof.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aktion.craft.assess import write_report
from aktion.engine.graph import ShotGraph
from aktion.engine.store import Store
from aktion.media.atomic import atomic_path

Verifier = Callable[[Path, Path], dict[str, Any]]
"""verify(file, production) -> a JSON-able verdict with at least ``ok`` and ``problems``."""


class PackRefused(RuntimeError):
    """The entry cannot be packed; says which file and why."""


def provenance_verifier() -> Verifier | None:
    try:
        from aktion.provenance.verify import verify_asset
    except ImportError:
        return None

    def verify(path: Path, production: Path) -> dict[str, Any]:
        return verify_asset(path, production=production).to_json()

    return verify


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _mix(graph: ShotGraph, store: Store, scene: str) -> Path | None:
    """The scene's mix (WAV, signed like every step output) when it has one."""
    cut = graph.steps.get(f"cut:{scene}")
    if cut is None or "mix" not in cut.deps:
        return None
    action = store.lookup(graph.steps[cut.deps["mix"][0]].key)
    return store.blob_path(action.outputs["mix"]) if action is not None else None


def gather(graph: ShotGraph, store: Store, verify: Verifier | None) -> dict[str, Path | bytes]:
    """Archive name -> file (or bytes) for every part of the entry; raises PackRefused."""
    production = graph.production
    root = production.root
    if verify is None:
        raise PackRefused("provenance verification is not available: a cut cannot be proven")
    parts: dict[str, Path | bytes] = {}
    report: dict[str, Any] = {}
    for scene in production.boards.scenes:
        cut = root / "out" / f"{scene.id}.mp4"
        if not cut.is_file():
            raise PackRefused(f"{cut} not rendered: run aktion render first")
        verdict = verify(cut, root)
        if not verdict.get("ok"):
            why = "; ".join(verdict.get("problems") or []) or verdict.get("status", "not ok")
            raise PackRefused(f"{cut.name} cannot be packed: {why}")
        report[cut.name] = verdict
        parts[f"cut/{cut.name}"] = cut
        mix = _mix(graph, store, scene.id)
        if mix is not None:  # the scene's sound at full quality, beside the cut's AAC
            parts[f"sound/{scene.id}-mix.wav"] = mix
    parts["script/" + Path(production.settings.script).name] = root / production.settings.script
    for pdf in sorted((root / "out").glob("*storyboard*.pdf")):
        parts[f"storyboard/{pdf.name}"] = pdf
    _, depth_html = write_report(graph, store)
    parts["depth.html"] = depth_html
    parts["provenance.json"] = json.dumps(report, indent=2, sort_keys=True).encode()
    return parts


def pack(graph: ShotGraph, store: Store, verify: Verifier | None = None,
         dest: Path | None = None) -> Path:
    """Write the entry archive atomically; returns its path."""
    production = graph.production
    verify = verify or provenance_verifier()
    parts = gather(graph, store, verify)
    manifest = {"production": production.settings.name, "files": {}}
    for name, src in parts.items():
        data = src if isinstance(src, bytes) else None
        digest = hashlib.sha256(data).hexdigest() if data is not None else _sha256(src)
        manifest["files"][name] = {"sha256": digest}
    dest = dest or production.root / "out" / f"{production.settings.name}-entry.zip"
    with atomic_path(dest) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for name, src in parts.items():
            if isinstance(src, bytes):
                z.writestr(name, src)
            else:
                z.write(src, name)
        z.writestr("manifest.json", json.dumps(manifest, indent=2, sort_keys=True))
    return dest
