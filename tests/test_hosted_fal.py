"""The fal backend: request builders, one paid call per step, and a key that never leaks.

fal itself is a paid hosted service: these tests replay recorded exchanges in fal's
documented queue format (``fixtures/generation/fal_recorded.py`` says exactly what
it stands in for) under the real ``fal_client``.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("fal_client")

from aktion.backends.base import BackendError, StepRequest
from aktion.backends.hosted_fal import IDEMPOTENCY_HEADER, FalBackend
from aktion.backends.hosted_fal_models import MODELS, Media
from aktion.engine.graph import plan
from aktion.engine.router import UnmetNeed, load_backend
from aktion.engine.run import execute
from aktion.engine.store import Store
from aktion.media.images import write_png_atomic
from aktion.media.video import VideoWriter, iter_frames
from aktion.production.load import load_production
from conftest import VEX, write_production

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "generation"))
from fal_recorded import Crash, FalServer, fal_client_for, http_for

CANARY = "fal-canary-7f3c2e9a-4b1d-4c8e-9e21-5a6b7c8d9e0f:0123456789abcdef"
BACKENDS = """\
[diffusers.keyframe]
model = "models/sd"
controlnet = "models/cn"
ip_adapter = "models/ip"
[fal]
motion = "{model}"
poll_interval = 0
"""


def clip(path: Path, frames: int, w: int = 64, h: int = 48) -> Path:
    with VideoWriter(path, w, h, 16) as writer:
        for i in range(frames):
            f = np.zeros((h, w, 3), np.uint8)
            f[:, (3 * i) % w] = 255
            writer.write(f)
    return path


def production(root: Path, model: str = "wan-vace-pose") -> Path:
    write_production(root, vex=VEX + "refs: [vex/front.png]\n")
    write_png_atomic(root / "cast/vex/front.png", np.full((32, 32, 3), 90, np.uint8))
    (root / "backends.toml").write_text(BACKENDS.format(model=model))
    return root


def inputs(tmp: Path) -> dict[str, Path]:
    return {"image": write_png_atomic(tmp / "key.png", np.full((96, 160, 3), 128, np.uint8)),
            "guide": clip(tmp / "guide.mp4", 12, 160, 96),
            "poses": write_png_atomic(tmp / "poses.png", np.zeros((8, 8, 3), np.uint8))}


def test_builders_make_each_models_documented_payload(tmp_path: Path) -> None:
    ins = inputs(tmp_path)
    ins["last"] = ins["image"]
    ref = write_png_atomic(tmp_path / "ref.png", np.zeros((16, 16, 3), np.uint8))
    req = StepRequest(kind="motion", format={"fps": 24, "width": 160, "height": 96}, seed=5,
                      params={"frames": 12}, shot={"id": "1", "size": "WS"})
    media = Media(ins, [ref])
    kling = MODELS["kling-i2v"].build(req, media)
    assert set(kling) == {"prompt", "image_url", "tail_image_url", "duration",
                          "negative_prompt", "cfg_scale"}
    assert kling["image_url"].startswith("data:image/png;base64,") and kling["duration"] == "5"
    vidu = MODELS["vidu-reference"].build(req, media)
    assert len(vidu["reference_image_urls"]) == 2 and vidu["aspect_ratio"] == "16:9"
    wan = MODELS["wan-vace-pose"].build(req, media)
    assert wan["video_url"].startswith("data:video/mp4;base64,")
    assert wan["first_frame_url"] == kling["image_url"] and len(wan["ref_image_urls"]) == 1
    assert wan["num_frames"] == 12 and wan["frames_per_second"] == 24 and wan["seed"] == 5
    assert {m.endpoint for m in MODELS.values()} == {
        "fal-ai/kling-video/v2.1/pro/image-to-video", "fal-ai/vidu/q1/reference-to-video",
        "fal-ai/wan-vace-14b/pose"}


def test_router_sends_choreographed_motion_to_a_pose_model_only(tmp_path: Path) -> None:
    graph = plan(load_production(production(tmp_path / "a")), "draft")
    step = graph.steps["motion:2"]
    assert step.backend == "fal" and "paid" in step.reason and "pose: choreographed" \
        in step.reason
    assert step.request.params["model"]["endpoint"] == "fal-ai/wan-vace-14b/pose"
    with pytest.raises(UnmetNeed, match="pose conditioning"):  # kling has no pose control
        plan(load_production(production(tmp_path / "b", "kling-i2v")), "draft")


def _backend(graph, server: FalServer) -> FalBackend:
    backend = FalBackend(client=fal_client_for(server), http=http_for(server))
    backend.configure(graph.context(graph.steps["motion:2"]))
    return backend


def test_a_crash_after_paying_resumes_the_same_request(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAL_KEY", CANARY)
    root = production(tmp_path / "p")
    graph = plan(load_production(root), "draft")
    step, store, ins = graph.steps["motion:2"], Store.for_production(root), inputs(tmp_path)
    server = FalServer.load("wan_vace_pose", clip(tmp_path / "vendor.mp4", 20).read_bytes(),
                            crash_on_first_poll=True)
    with pytest.raises(Crash):
        execute(step, ins, store, _backend(graph, server), lambda d, t: None)
    assert len(server.submits) == 1 and store.lookup(step.key) is None
    sub = server.submits[0]
    assert sub.headers["authorization"] == f"Key {CANARY}"  # the key came from the env
    assert sub.url.path == "/fal-ai/wan-vace-14b/pose"
    assert set(json.loads(sub.content)) >= {"prompt", "video_url", "first_frame_url",
                                            "ref_image_urls", "num_frames"}
    # the rerun (a new process: a new backend) resumes polling; it does not pay again
    action = execute(step, ins, store, _backend(graph, server), lambda d, t: None)
    assert len(server.submits) == 1 and server.polls == 4
    assert action.record["paid_call"] == "resumed"
    assert action.record["request_id"] == server.recording["submit"]["request_id"]
    assert sub.headers[IDEMPOTENCY_HEADER] == action.record["idempotency_key"]
    frames = np.stack(list(iter_frames(store.blob_path(action.outputs["video"]))))
    assert frames.shape == (12, 96, 160, 3)
    # once downloaded, the result is kept: a later run calls nothing at all
    quiet = FalServer.load("wan_vace_pose", b"")
    store.db.execute("DELETE FROM actions")
    again = execute(step, ins, store, _backend(graph, quiet), lambda d, t: None)
    assert quiet.seen == [] and again.record["paid_call"] == "kept"
    kept = np.stack(list(iter_frames(store.blob_path(again.outputs["video"]))))
    assert kept.shape == frames.shape  # the same vendor clip, rewritten in our format


def test_the_key_never_appears_in_any_output_byte(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("FAL_KEY", CANARY)
    root = production(tmp_path / "p")
    graph = plan(load_production(root), "draft")
    store, ins = Store.for_production(root), inputs(tmp_path)
    vendor = clip(tmp_path / "vendor.mp4", 20).read_bytes()
    # a vendor failure whose error body echoes the key back
    bad = FalServer.load("wan_vace_pose", vendor,
                         fail_result={"detail": f"invalid request for key {CANARY}"})
    with pytest.raises(BackendError) as failed:
        execute(graph.steps["motion:2"], ins, store, _backend(graph, bad), lambda d, t: None)
    assert CANARY not in str(failed.value) and "***" in str(failed.value)
    ok = FalServer.load("wan_vace_pose", vendor)
    action = execute(graph.steps["motion:2"], ins, store, _backend(graph, ok),
                     lambda d, t: None)
    assert len(ok.submits) == 1  # the failed request was not delivered: submitted anew
    out = capsys.readouterr()
    texts = [json.dumps(action.record), str(failed.value), out.out, out.err, caplog.text]
    assert not any(CANARY in t for t in texts)
    store.close()
    secret = CANARY.encode()
    leaked = [p for p in root.rglob("*") if p.is_file() and secret in p.read_bytes()]
    assert leaked == []


def test_no_key_in_the_environment_is_a_clear_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FAL_KEY", raising=False)
    root = production(tmp_path / "p")
    graph = plan(load_production(root), "draft")
    backend = load_backend("fal", graph.context(graph.steps["motion:2"]))
    with pytest.raises(BackendError, match="set FAL_KEY in the environment"):
        execute(graph.steps["motion:2"], inputs(tmp_path), Store.for_production(root),
                backend, lambda d, t: None)
