"""The comfyui backend against exchanges recorded from a real ComfyUI 0.3.64 server.

``fixtures/comfyui/*.json`` hold what a real server said (HTTP bodies, websocket
messages in order, when its history started to hold the outputs), recorded by
``fixtures/comfyui/record.py``; ``comfy_replay`` serves them back. The steps are the
real ones of a planned production, with inputs the previz backend rendered.
"""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "comfyui"))
from comfy_production import graph_of, previz_inputs, step_request, write
from comfy_replay import Replay, load

from aktion.backends.base import BackendError
from aktion.backends.comfyui import ComfyUIBackend
from aktion.engine.router import load_backend
from aktion.generation.conditioning import depth_control
from aktion.generation.prompts import shot_prompt
from aktion.media.video import VideoWriter, iter_frames, probe


@pytest.fixture(scope="module")
def previz(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Shot 2's previz outputs and a 9-frame clip (what its motion step returns)."""
    work = tmp_path_factory.mktemp("previz")
    out = previz_inputs(write(work / "p", "http://127.0.0.1:9"), work / "out")
    clip = work / "motion-9.mp4"
    with VideoWriter(clip, 160, 96, 24) as w:
        for frame in iter_frames(out["clip"], stop=9):
            w.write(frame)
    return {**out, "clip": clip}


@pytest.fixture
def serve(request: pytest.FixtureRequest):
    started: list[Replay] = []

    def start(scenario: str) -> Replay:
        replay = Replay(scenario)
        replay.start()
        started.append(replay)
        return replay

    yield start
    for r in started:
        r.stop()


def run_step(tmp_path: Path, replay: Replay | None, kind: str, previz: dict[str, Path],
             progress=None, url: str | None = None, **write_kw):
    root = write(tmp_path / "p", url or replay.url, **write_kw)
    graph = graph_of(root)
    backend = load_backend("comfyui", graph.contexts["comfyui"])
    request = step_request(graph, kind, previz, previz["clip"])
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    calls: list[tuple[int, int]] = []
    result = backend.run(request, work, progress or (lambda d, t: calls.append((d, t))))
    return request, result, calls


# --- the recordings themselves -------------------------------------------------------------
def test_recording_shows_success_before_the_history_holds_the_outputs() -> None:
    doc = load("history_race")
    success = next(e["t"] for e in doc["events"] if e.get("ws", {}).get("type")
                   == "execution_success")
    late_empty = [e["http"] for e in doc["events"] if "http" in e
                  and e["http"]["path"].startswith("/history/") and e["http"]["response"] == {}
                  and e["http"].get("last_sent", e["http"]["sent"]) > success]
    assert late_empty  # asked after execution_success arrived, and still nothing
    assert doc["provenance"]["comfyui_version"] == "0.3.64"


# --- a step, end to end --------------------------------------------------------------------
def test_keyframe_runs_the_recorded_exchange(tmp_path: Path, serve, previz) -> None:
    pytest.importorskip("websocket")  # progress and the end come on the websocket
    replay = serve("image_success")
    request, result, calls = run_step(tmp_path, replay, "keyframe", previz)
    routes = replay.routes()
    assert routes.index("GET /ws") < routes.index("POST /prompt")  # listening before it runs
    (body,) = replay.sent("POST", "/prompt")
    assert body["client_id"] == next(q["clientId"] for m, p, q, _ in replay.requests
                                     if p == "/ws")
    prompt = body["prompt"]
    assert prompt["3"]["inputs"]["seed"] == request.seed
    assert prompt["5"]["inputs"]["value"] == shot_prompt(request.model_dump())
    assert (prompt["2"]["inputs"]["width"], prompt["2"]["inputs"]["height"]) == (160, 96)
    name = prompt["1"]["inputs"]["image"]
    assert re.fullmatch(r"aktion-[0-9a-f]{20}\.png", name)
    sent = Image.open(io.BytesIO(replay.uploads[name]))
    assert sent.mode == "RGB"  # 8-bit: LoadImage would make a 16-bit map a 0/255 mask
    assert np.array_equal(np.asarray(sent), depth_control(previz["depth"]))
    assert len(np.unique(np.asarray(sent))) > 16
    assert Image.open(result.outputs["image"]).size == (160, 96)
    assert result.record["prompt_id"] == replay.prompt_id
    assert result.record["returned"]["size"] == [64, 48] and result.record["cropped"]
    assert result.record["uploads"] == {"depth": name}
    dones = [d for d, _ in calls]
    assert calls and dones == sorted(dones) and calls[-1][0] == calls[-1][1]


def test_success_message_is_not_taken_for_the_end(tmp_path: Path, serve, previz) -> None:
    replay = serve("history_race")
    _, result, _ = run_step(tmp_path, replay, "keyframe", previz)
    assert replay.history_answers[0] == {}  # what a client stopping at execution_success gets
    assert replay.prompt_id in replay.history_answers[-1]
    assert Image.open(result.outputs["image"]).size == (160, 96)


def test_without_websocket_client_the_history_is_polled(tmp_path: Path, serve, previz,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "websocket", None)  # not installed
    replay = serve("video_success")
    _, result, _ = run_step(tmp_path, replay, "motion", previz, settings="poll = 0.05")
    assert "GET /ws" not in replay.routes()
    assert replay.history_answers[0] == {} and replay.prompt_id in replay.history_answers[-1]
    info = probe(result.outputs["video"])
    assert (info.frames, info.width, info.height) == (9, 160, 96)


def test_progress_state_and_sampler_progress_move_the_bar(tmp_path: Path, serve,
                                                          previz) -> None:
    pytest.importorskip("websocket")  # progress comes on the websocket
    replay = serve("sampler_progress")
    _, _, calls = run_step(tmp_path, replay, "keyframe", previz, overrides={
        "keyframe": ("sampler_progress", {"depth": "1.image"}, None)})
    steps = [m["data"]["value"] for s in replay.segments for m in s.messages
             if m["type"] == "progress"]
    assert steps == [1, 2, 3, 4, 5, 6]  # the upscaler's tiles, as recorded
    assert len({d for d, _ in calls}) >= len(steps) + 2  # every tile and node moved it
    assert max(t for _, t in calls) >= 6 and calls[-1][0] == calls[-1][1]
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_a_node_error_is_one_readable_line(tmp_path: Path, serve, previz) -> None:
    replay = serve("node_error")  # the recorded refusal (a file not uploaded, a bad width)
    with pytest.raises(BackendError) as e:
        run_step(tmp_path, replay, "keyframe", previz, overrides={
            "keyframe": ("node_error", {"depth": "1.image", "seed": "3.seed"}, None)})
    msg = str(e.value)
    assert "\n" not in msg and "keyframe.json" in msg
    assert "node 1 (LoadImage) input image: Custom validation failed for node: image - " \
           "Invalid image file: aktion-not-uploaded.png" in msg
    assert "node 2 (ImageScale) input width: Value -5 smaller than min of 0" in msg
    assert not replay.sent("POST", "/interrupt")  # refused: nothing was queued


def test_a_missing_node_type_names_it(tmp_path: Path, serve, previz) -> None:
    replay = serve("missing_node")
    with pytest.raises(BackendError, match="node IPAdapterAdvanced does not exist.*install "
                                           "the custom node"):
        run_step(tmp_path, replay, "keyframe", previz, overrides={
            "keyframe": ("missing_node", {"depth": "1.image"}, None)})


def test_an_execution_error_mid_run_names_the_node(tmp_path: Path, serve, previz) -> None:
    replay = serve("execution_error")
    with pytest.raises(BackendError) as e:
        run_step(tmp_path, replay, "keyframe", previz, overrides={
            "keyframe": ("execution_error", {"depth": "1.image"}, "4")})
    assert str(e.value).startswith("comfyui: node 11 (GetVideoComponents) failed: "
                                   "InvalidDataError: [Errno 1094995529] Invalid data found")
    assert not replay.sent("POST", "/interrupt")  # the server stopped it already


def test_a_timeout_interrupts_the_prompt(tmp_path: Path, serve, previz) -> None:
    replay = serve("interrupt")
    with pytest.raises(BackendError, match=r"did not finish in 0.5 s \(\[comfyui\] timeout\)"):
        run_step(tmp_path, replay, "keyframe", previz, settings="timeout = 0.5\npoll = 0.05",
                 overrides={"keyframe": ("interrupt", {"depth": "1.image"}, None)})
    assert replay.sent("POST", "/interrupt") == [{"prompt_id": replay.prompt_id}]
    assert replay.sent("POST", "/queue") == [{"delete": [replay.prompt_id]}]


def test_ctrl_c_interrupts_the_prompt(tmp_path: Path, serve, previz) -> None:
    pytest.importorskip("websocket")  # progress and the end come on the websocket
    replay = serve("interrupt")

    def cancel(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_step(tmp_path, replay, "keyframe", previz, progress=cancel,
                 overrides={"keyframe": ("interrupt", {"depth": "1.image"}, None)})
    assert replay.sent("POST", "/interrupt") == [{"prompt_id": replay.prompt_id}]


def test_a_too_long_clip_is_trimmed_to_the_step(tmp_path: Path, serve, previz) -> None:
    replay = serve("extend_long")
    request, result, _ = run_step(tmp_path, replay, "extend", previz)
    assert request.params["frames"] == 12
    info = probe(result.outputs["video"])
    assert (info.frames, info.width, info.height) == (12, 160, 96)
    assert result.record["returned"]["frames"] == 24 and result.record["trimmed"] == 12
    (body,) = replay.sent("POST", "/prompt")
    assert body["prompt"]["1"]["inputs"]["file"] in replay.uploads  # the clip so far
    assert body["prompt"]["3"]["inputs"]["file"] in replay.uploads  # the pose guide


def test_a_far_too_short_clip_is_an_error(tmp_path: Path, serve, previz) -> None:
    replay = serve("video_success")
    root = write(tmp_path / "p", replay.url)
    graph = graph_of(root)
    request = step_request(graph, "motion", previz)
    request = request.model_copy(update={"params": {**request.params, "frames": 20}})
    backend = load_backend("comfyui", graph.contexts["comfyui"])
    with pytest.raises(BackendError, match="returned 9 frames for a 20-frame step: map "
                                           "`frames`"):
        backend.run(request, tmp_path, lambda d, t: None)


def test_references_are_uploaded_per_character(tmp_path: Path, serve, previz) -> None:
    replay = serve("refs_success")
    request, result, _ = run_step(tmp_path, replay, "keyframe", previz, refs=True, overrides={
        "keyframe": ("refs_success", {"depth": "1.image", "ref:vex": "6.image"}, None)})
    assert "refs" in request.params["conditioning"]
    (body,) = replay.sent("POST", "/prompt")
    ref = body["prompt"]["6"]["inputs"]["image"]
    front = (tmp_path / "p" / "cast" / "vex" / "front.png").read_bytes()
    assert replay.uploads[ref] == front
    assert result.record["identity_refs"] == ["vex/front.png"]


def test_a_character_without_a_reference_slot_is_an_error(tmp_path: Path, serve,
                                                          previz) -> None:
    replay = serve("refs_success")
    with pytest.raises(BackendError, match="vex has reference images but the keyframe "
                                           "workflow maps no `ref:vex`"):
        run_step(tmp_path, replay, "keyframe", previz, refs=True, overrides={
            "keyframe": ("refs_success", {"depth": "1.image", "ref:kade": "6.image"}, None)})
    assert not replay.sent("POST", "/prompt")


def test_inputs_are_uploaded_once_per_content(tmp_path: Path, serve, previz) -> None:
    replay = serve("image_success")
    run_step(tmp_path / "a", replay, "keyframe", previz)
    run_step(tmp_path / "b", replay, "keyframe", previz)
    uploads = replay.sent("POST", "/upload/image")
    assert len(uploads) == 1 and len(replay.sent("HEAD", "/view")) == 2
    names = {b["prompt"]["1"]["inputs"]["image"] for b in replay.sent("POST", "/prompt")}
    assert names == {uploads[0]["image"]}


def test_a_refused_connection_is_one_line(tmp_path: Path, previz) -> None:
    with pytest.raises(BackendError, match=r"cannot reach http://127.0.0.1:9 \(\[comfyui\] "
                                           r"url\): connection refused"):
        run_step(tmp_path, None, "keyframe", previz, url="http://127.0.0.1:9")


def test_a_returned_path_outside_the_output_folder_is_refused(tmp_path: Path) -> None:
    from aktion.backends.comfyui_api import ComfyClient
    from aktion.backends.comfyui_workflow import load_step

    wf_path = tmp_path / "keyframe.json"
    wf_path.write_text(json.dumps(load("image_success")["provenance"]["workflow"]))
    wf = load_step("keyframe", wf_path, "test", {})
    entry = {"outputs": {"4": {"images": [{"filename": "x.png", "subfolder": "../..",
                                           "type": "output"}]}}}
    with pytest.raises(BackendError, match="refusing returned file"):
        ComfyUIBackend()._fetch(ComfyClient("http://127.0.0.1:9"), entry, wf, tmp_path)


def test_sampler_progress_alone_moves_the_bar() -> None:
    """Servers before ``progress_state`` sent only ``progress``: the recorded ones, fed
    alone, still move the bar through the upscaler's tiles."""
    from aktion.backends.comfyui_events import PromptWatch

    doc = load("sampler_progress")
    prompt_id = next(h["http"]["response"]["prompt_id"] for h in doc["events"]
                     if h.get("http", {}).get("path") == "/prompt")
    calls: list[tuple[int, int]] = []
    watch = PromptWatch(prompt_id, doc["provenance"]["workflow"], lambda d, t: calls.append((d, t)))
    for e in doc["events"]:
        if "ws" in e and e["ws"]["type"] != "progress_state":
            watch.feed(e["ws"])
    assert watch.done
    # nodes 2 and 3 (one step each), the upscaler's 6 tiles, then node 5 (node 1 was cached)
    assert [d for d, _ in calls] == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert {t for _, t in calls[3:]} == {10}  # 1 + 1 + 6 + 1 + 1 steps once the tiles are known
