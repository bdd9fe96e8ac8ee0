"""Studio test support: a client with the token, and a slowable stand-in renderer.

Renders in the studio tests use the real previz backend (a 160x96 production of two
12-frame shots takes seconds). Only the cancel test needs a render it can catch
mid-way, so ``FakePreviz`` draws deterministic H.264 clips with a settable delay
per frame; it stays a stand-in for that one purpose.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import ClassVar

import av
import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from aktion.backends.base import Capabilities, Progress, StepRequest, StepResult
from aktion.engine import graph, router
from aktion.studio.app import create_app

TOKEN = "test-token-0123456789"


class FakePreviz:
    id: ClassVar[str] = "previz"
    version: ClassVar[str] = "studio-test-1"
    capabilities: ClassVar[Capabilities] = Capabilities(
        steps=frozenset({"layout", "motion_control", "render"}))
    frame_delay: ClassVar[float] = 0.0

    def run(self, request: StepRequest, workdir: Path, progress: Progress) -> StepResult:
        fmt = request.format
        w, h = fmt["width"], fmt["height"]
        drawn = {"beats": request.beats, "shot": request.shot}
        tint = hashlib.sha256(json.dumps(drawn, sort_keys=True).encode()).digest()
        color = np.array(list(tint[:3]), dtype=np.uint8)
        if request.kind == "layout":
            out = workdir / "frame.png"
            Image.fromarray(np.broadcast_to(color, (h, w, 3)).copy()).save(out)
            progress(1, 1)
            return StepResult({"frame": out})
        if request.kind == "motion_control":
            outs = {}
            for name in ("poses", "camera", "performance"):
                outs[name] = workdir / f"{name}.json"
                outs[name].write_text(json.dumps({"beats": request.beats, "name": name}))
            progress(1, 1)
            return StepResult(outs)
        out = workdir / "shot.mp4"
        n = int(request.shot["duration"])
        with av.open(str(out), "w") as c:
            s = c.add_stream("libx264", rate=fmt["fps"])
            s.width, s.height, s.pix_fmt = w, h, "yuv420p"
            s.options = {"x264-params": "repeat-headers=1", "preset": "ultrafast"}
            for i in range(n):
                img = np.broadcast_to(color, (h, w, 3)).copy()
                img[:, : (i + 1) * w // n] //= 2
                for p in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                    c.mux(p)
                progress(i + 1, n)
                time.sleep(self.frame_delay)
            for p in s.encode():
                c.mux(p)
        return StepResult({"video": out})


def use_fake_previz(monkeypatch: pytest.MonkeyPatch) -> type[FakePreviz]:
    """Route previz steps to ``FakePreviz`` while ``monkeypatch`` is active."""
    monkeypatch.setitem(router.BUILTIN, "previz", f"{__name__}:FakePreviz")
    monkeypatch.setattr(graph, "BACKEND_VERSIONS", {})
    monkeypatch.setattr(FakePreviz, "frame_delay", 0.0)
    return FakePreviz


def make_client(root: Path) -> TestClient:
    """A client of a studio over ``root`` that sends the token."""
    app = create_app(root, TOKEN, hosts={"testserver"})
    return TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"})


def wait_job(client: TestClient, job_id: str, timeout: float = 30) -> dict:
    end = time.time() + timeout
    while time.time() < end:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["state"] in ("done", "failed", "cancelled"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish: {job}")
