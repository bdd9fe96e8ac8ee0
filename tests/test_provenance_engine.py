"""The engine hook, end to end: a real render (local pool, real store, the built-in
editor's cut) with ``StepSealer`` called where the driver records a finished step.

The engine does not call the sealer yet; ``sealed_render`` wraps ``_Render.ended``
with exactly the lines proposed for it, so this test is the contract.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import ClassVar, cast

import numpy as np
import pytest

from aktion.backends.base import Capabilities, Progress, StepRequest, StepResult
from aktion.engine import run as engine_run
from aktion.engine.graph import ShotGraph, Step
from aktion.engine.keys import content_key, digest
from aktion.engine.store import Store
from aktion.media.video import VideoWriter
from aktion.production.production import Production
from aktion.provenance.identity import Identity
from aktion.provenance.ledger import Ledger
from aktion.provenance.sealer import StepSealer
from aktion.provenance.verify import verify_asset
from test_provenance_support import (  # noqa: F401
    home,
    identity,
    production,
    sdk_read,
    write_png,
)

HERE = "test_provenance_engine"
SCRIPT_LINES = (3, 3)
SCRIPT_TEXT = "Vex faces Kade."


class StillBackend:
    id: ClassVar[str] = "teststill"
    version: ClassVar[str] = "1"
    capabilities: ClassVar[Capabilities] = Capabilities(steps=frozenset({"keyframe"}))

    def run(self, request: StepRequest, workdir: Path, progress: Progress) -> StepResult:
        out = write_png(workdir / "image.png", shade=int(request.shot["shade"]))
        return StepResult({"image": out}, {"model_id": "tiny/sd", "model_revision": "r1",
                                           "params": {"steps": 2, "size": [16, 16]}})


class ClipBackend:
    id: ClassVar[str] = "testclip"
    version: ClassVar[str] = "1"
    capabilities: ClassVar[Capabilities] = Capabilities(steps=frozenset({"motion"}))

    def run(self, request: StepRequest, workdir: Path, progress: Progress) -> StepResult:
        out = workdir / "video.mp4"
        shade = int(request.shot["shade"])
        with VideoWriter(out, 64, 64, 24) as w:  # the shared recipe, so the cut remuxes
            for i in range(24):
                w.write(np.full((64, 64, 3), (shade + i * 4) % 256, np.uint8))
        (workdir / "camera.json").write_text('{"path": []}')
        return StepResult({"video": out, "camera": workdir / "camera.json"},
                          {"model_id": "tiny/wan", "model_revision": "r2"})


def _add(steps: dict[str, Step], step_id: str, kind: str, shot: str | None, backend: str,
         request: StepRequest, deps: dict[str, tuple[str, str]]) -> None:
    parts = {"code": digest([kind, 1]), "backend": digest([backend, "1"]),
             "board": digest(request.shot), "beats": digest(request.beats),
             "params": digest(request.params)}
    for name, (dep, out) in sorted(deps.items()):
        parts[f"input:{name}"] = digest([steps[dep].key, out])
    steps[step_id] = Step(step_id, kind, "roof", shot, backend, "test", request, deps, parts,
                          content_key(parts))


def graph(root: Path) -> ShotGraph:
    steps: dict[str, Step] = {}
    fmt = {"fps": 24, "width": 64, "height": 64}
    script = {"lines": list(SCRIPT_LINES), "text": SCRIPT_TEXT}
    order = []
    for shot, shade in (("1", 30), ("2", 150)):
        base = {"shot": {"id": shot, "shade": shade}, "scene": "roof", "format": fmt,
                "script": script, "seed": 7, "locks": {"vex": "ab" * 32}}
        _add(steps, f"keyframe:{shot}", "keyframe", shot, f"{HERE}:StillBackend",
             StepRequest(kind="keyframe", **base), {})
        _add(steps, f"motion:{shot}", "motion", shot, f"{HERE}:ClipBackend",
             StepRequest(kind="motion", beats=[{"t": 0.5, "move": "jab"}], **base),
             {"image": (f"keyframe:{shot}", "image")})
        order.append({"id": shot, "transition": {"type": "cut"}, "duration": 24})
    _add(steps, "cut:roof", "cut", None, "aktion.backends.editor:EditorBackend",
         StepRequest(kind="cut", scene="roof", format=fmt, params={"shots": order}),
         {f"shot:{s['id']}": (f"motion:{s['id']}", "video") for s in order})
    settings = SimpleNamespace(script="script.fountain")
    return ShotGraph(cast(Production, SimpleNamespace(root=root, settings=settings)), steps)


def sealed_render(root: Path, monkeypatch: pytest.MonkeyPatch) -> engine_run.Summary:
    """A real ``run``: the engine seals each step when the production has an identity."""
    store = Store.for_production(root)
    try:
        return engine_run.run(graph(root), store)
    finally:
        store.close()


def test_a_sealed_render_verifies_down_to_the_script(
    production: Path, identity: Identity, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    (production / "script.fountain").write_text(f"EXT. ROOF\n\n{SCRIPT_TEXT}\n")
    summary = sealed_render(production, monkeypatch)
    assert summary.ok, [o.error for o in summary.outcomes]
    cut = production / "out" / "roof.mp4"
    assert summary.outputs == [cut]

    v = verify_asset(cut, production=production)
    assert v.ok, v.problems
    assert v.trail is not None and v.trail.source_type == "compositeWithTrainedAlgorithmicMedia"
    assert v.trail.step["result"]["remuxed"] == 2  # signed clips still join by stream copy
    shots = v.trail.children
    assert [c.step["step_id"] for c in shots] == ["motion:1", "motion:2"]
    kf = shots[0].children[0]
    assert kf.step["step_kind"] == "keyframe" and kf.step["model_id"] == "tiny/sd"
    assert kf.step["parameters"]["size"] == [16, 16] and kf.step["seed"] == 7
    assert kf.script_status == "unchanged" and kf.in_ledger
    assert kf.step["cast_locks"] == {"vex": "ab" * 32} and len(kf.step["board_sha256"]) == 64
    assert sdk_read(cut, identity.anchor_pem)["validation_state"] == "Trusted"

    ledger = Ledger.for_production(production)
    entries = ledger.entries()
    assert ledger.verify().ok and len(entries) == 5  # 2 keyframes, 2 clips, the cut
    assert set(entries[-1].inputs) == {"shot:1", "shot:2"}
    assert "camera" in next(e for e in entries if e.step_kind == "motion").outputs  # ledger-only

    again = sealed_render(production, monkeypatch)  # all cached: nothing signed twice
    assert again.count("cached") == 5 and len(ledger.entries()) == 5
    assert verify_asset(cut, production=production).ok


def test_without_an_identity_nothing_is_signed(
    production: Path, home: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    assert StepSealer.for_production(production) is None
    summary = sealed_render(production, monkeypatch)
    assert summary.ok and not (production / ".aktion" / "ledger.jsonl").exists()
    assert verify_asset(production / "out" / "roof.mp4", production=production).status == "unsigned"
