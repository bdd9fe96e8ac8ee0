"""The ``comfyui`` backend: one workflow per step, submitted to a ComfyUI server's API.

Follows ComfyUI's HTTP API: ``POST /upload/image`` (multipart ``image``) for the
conditioning images, ``POST /prompt {prompt, client_id}`` with the workflow in
*API format* (node id -> {class_type, inputs}), progress from the websocket
``/ws?clientId=`` (``progress``, ``executing``, ``execution_error``, ...), then
``GET /history/{prompt_id}`` and ``GET /view?filename&subfolder&type`` for the
outputs. Configured in ``backends.toml``::

    [comfyui]
    url = "http://127.0.0.1:8188"
    [comfyui.keyframe]
    workflow = "workflows/keyframe.json"
    output = "9"                          # the node whose files are the result
    inputs = {prompt = "6.text", seed = "3.seed", depth = "11.image"}

Input names: ``prompt``, ``negative``, ``seed``, ``width``, ``height``, ``frames``
and any step input (``depth``, ``frame``, ``image``, ``guide``, ``video``).
Uploads go under generated names; returned names are checked before use.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any, ClassVar

from aktion.generation.config import BackendContext
from aktion.generation.prompts import NEGATIVE, shot_prompt

from .base import BackendError, Capabilities, Progress, StepRequest, StepResult

SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,200}$")
IMAGE_EXT = {".png", ".jpg", ".jpeg", ".webp"}
VIDEO_EXT = {".mp4", ".webm", ".mov", ".gif"}
CONDITIONING = {"keyframe": {"depth", "layout", "refs"}, "motion": {"first_frame", "pose"},
                "extend": {"last_frames", "pose"}, "restyle": {"video"}}


class ComfyUIBackend:
    id: ClassVar[str] = "comfyui"
    version: ClassVar[str] = "1"
    capabilities: ClassVar[Capabilities] = Capabilities(
        steps=frozenset(CONDITIONING), deterministic=True, device="server", speed="medium")

    def __init__(self) -> None:
        self.context: BackendContext | None = None

    def configure(self, context: BackendContext) -> None:
        self.context = context

    @classmethod
    def offers(cls, config: dict[str, Any]) -> dict[str, Capabilities]:
        """A step is offered when it has a workflow; its conditioning is what it maps."""
        out = {}
        for kind, honours in CONDITIONING.items():
            table = config.get(kind)
            if isinstance(table, dict) and table.get("workflow"):
                declared = set(table.get("conditioning", honours))
                out[kind] = Capabilities(frozenset({kind}), frozenset(declared),
                                         max_frames=table.get("max_frames"), device="server",
                                         speed="medium")
        return out

    @classmethod
    def model_id(cls, kind: str, config: dict[str, Any],
                 context: BackendContext) -> dict[str, Any]:
        """The workflow's content names the models it loads: it enters the key."""
        path = context.path(config[kind]["workflow"])
        text = path.read_bytes() if path.is_file() else b"missing"
        return {"name": path.stem, "workflow": hashlib.sha256(text).hexdigest()[:16],
                "inputs": config[kind].get("inputs", {})}

    # --- HTTP -----------------------------------------------------------------
    def _url(self, route: str, query: dict[str, str] | None = None) -> str:
        base = str(self._config().get("url", "http://127.0.0.1:8188")).rstrip("/")
        return base + route + ("?" + urllib.parse.urlencode(query) if query else "")

    def _config(self) -> dict[str, Any]:
        if self.context is None:
            raise BackendError("comfyui: not configured (no [comfyui] in backends.toml)")
        return self.context.config

    def _call(self, route: str, data: bytes | None = None, headers: dict | None = None,
              query: dict[str, str] | None = None) -> bytes:
        req = urllib.request.Request(self._url(route, query), data=data, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=float(self._config().get("timeout", 60))) as r:
                return r.read()
        except urllib.error.HTTPError as e:
            body = e.read().decode("utf-8", "replace")
            raise BackendError(f"comfyui {route}: HTTP {e.code}: {_error_text(body)}") from None
        except urllib.error.URLError as e:
            raise BackendError(f"comfyui: cannot reach {self._url('')}: {e.reason}") from None

    def upload(self, path: Path) -> str:
        """Upload an image under a generated name; returns the name the server chose."""
        data = path.read_bytes()
        name = f"aktion-{hashlib.sha256(data).hexdigest()[:20]}{path.suffix.lower()}"
        boundary = uuid.uuid4().hex
        body = b"".join([
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; "
            f"filename=\"{name}\"\r\nContent-Type: image/png\r\n\r\n".encode(), data,
            f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\n"
            f"input\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"overwrite\""
            f"\r\n\r\ntrue\r\n--{boundary}--\r\n".encode()])
        reply = json.loads(self._call("/upload/image", body, {
            "Content-Type": f"multipart/form-data; boundary={boundary}"}))
        got = str(reply.get("name", ""))
        if not SAFE_NAME.match(got):
            raise BackendError(f"comfyui upload: server returned an unsafe name {got!r}")
        sub = str(reply.get("subfolder", ""))
        return f"{sub}/{got}" if sub else got

    # --- a step -----------------------------------------------------------------
    def run(self, request: StepRequest, workdir: Path, progress: Progress) -> StepResult:
        cfg = self._config()
        table = cfg.get(request.kind)
        if not isinstance(table, dict):
            raise BackendError(f"comfyui: no workflow for `{request.kind}` in backends.toml")
        assert self.context is not None
        workflow = json.loads(self.context.path(table["workflow"]).read_text())
        values = self._values(request, table)
        prompt = fill(workflow, table.get("inputs", {}), values)
        client_id = uuid.uuid4().hex
        ws = self._connect(client_id)
        try:
            reply = json.loads(self._call("/prompt", json.dumps(
                {"prompt": prompt, "client_id": client_id}).encode(),
                {"Content-Type": "application/json"}))
            if reply.get("node_errors"):
                raise BackendError(f"comfyui rejected the workflow: {reply['node_errors']}")
            prompt_id = str(reply["prompt_id"])
            self._wait(ws, prompt_id, progress)
        finally:
            if ws is not None:
                ws.close()
        history = json.loads(self._call(f"/history/{prompt_id}")).get(prompt_id, {})
        status = history.get("status", {})
        if status.get("status_str") == "error":
            raise BackendError(f"comfyui: prompt {prompt_id} failed: {status.get('messages')}")
        files = history.get("outputs", {}).get(str(table.get("output", "")), {})
        item = next((f for key in ("images", "gifs", "videos") for f in files.get(key, [])), None)
        if item is None:
            raise BackendError(f"comfyui: node {table.get('output')} produced no file")
        from aktion.generation.measures import step_measures

        outputs, record = self._normalise(self._fetch(item, workdir), request, workdir,
                                          prompt_id)
        record["measures"] = step_measures(request.kind, outputs, request.inputs)
        return StepResult(outputs, record)

    def _values(self, request: StepRequest, table: dict[str, Any]) -> dict[str, Any]:
        fmt = request.format
        values: dict[str, Any] = {
            "prompt": shot_prompt(request.model_dump()), "negative": NEGATIVE,
            "seed": request.seed, "width": fmt.get("width"), "height": fmt.get("height"),
            "frames": request.params.get("frames", request.shot.get("duration"))}
        for name in table.get("inputs", {}):
            if name in request.inputs:
                values[name] = self.upload(Path(request.inputs[name]))
        return values

    def _connect(self, client_id: str) -> Any:
        try:
            import websocket
        except ImportError:
            return None  # no progress, but the history still says when it is done
        url = self._url("/ws", {"clientId": client_id}).replace("http", "ws", 1)
        try:
            return websocket.create_connection(url, timeout=float(
                self._config().get("timeout", 600)))
        except (OSError, websocket.WebSocketException) as e:
            raise BackendError(f"comfyui: websocket {url}: {e}") from None

    def _wait(self, ws: Any, prompt_id: str, progress: Progress) -> None:
        if ws is None:
            return
        while True:
            raw = ws.recv()
            if isinstance(raw, bytes):  # binary preview frames
                continue
            msg = json.loads(raw)
            data = msg.get("data", {})
            if data.get("prompt_id") not in (None, prompt_id):
                continue
            if msg["type"] == "progress":
                progress(int(data["value"]), int(data["max"]))
            elif msg["type"] == "execution_error":
                raise BackendError(f"comfyui: node {data.get('node_id')} "
                                   f"({data.get('node_type')}): {data.get('exception_message')}")
            elif msg["type"] == "execution_interrupted":
                raise BackendError("comfyui: the prompt was interrupted")
            elif msg["type"] == "execution_success" or (
                    msg["type"] == "executing" and data.get("node") is None):
                return

    def _fetch(self, item: dict[str, Any], workdir: Path) -> Path:
        name, sub = str(item.get("filename", "")), str(item.get("subfolder", ""))
        kind = str(item.get("type", "output"))
        suffix = Path(name).suffix.lower()
        if not SAFE_NAME.match(name) or suffix not in IMAGE_EXT | VIDEO_EXT or (
                sub and (".." in sub.split("/") or sub.startswith("/"))) or kind not in (
                "output", "temp"):
            raise BackendError(f"comfyui: refusing returned file {sub!r}/{name!r} ({kind})")
        data = self._call("/view", query={"filename": name, "subfolder": sub, "type": kind})
        out = workdir / f"result{suffix}"
        out.write_bytes(data)
        return out

    def _normalise(self, path: Path, request: StepRequest, workdir: Path,
                   prompt_id: str) -> tuple[dict[str, Path], dict[str, Any]]:
        """Check the media is what it claims, and write clips with Aktion's encoding."""
        import numpy as np

        from aktion.media.errors import MediaError
        from aktion.media.images import open_image, write_png_atomic
        from aktion.media.video import VideoWriter, iter_frames

        record = {"prompt_id": prompt_id, "workflow": request.params.get("model", {})}
        try:
            if request.kind == "keyframe":
                im = open_image(path)
                return {"image": write_png_atomic(workdir / "keyframe.png",
                                                  np.asarray(im.convert("RGB")))}, record
            fmt = request.format
            out = workdir / "clip.mp4"
            n = 0
            with VideoWriter(out, fmt["width"], fmt["height"], fmt["fps"]) as w:
                from PIL import Image

                for f in iter_frames(path):
                    w.write(np.asarray(Image.fromarray(f).resize((fmt["width"], fmt["height"]))))
                    n += 1
            return {"video": out}, {**record, "frames": n}
        except MediaError as e:
            raise BackendError(f"comfyui returned unreadable media: {e}") from None


def fill(workflow: dict[str, Any], mapping: dict[str, str],
         values: dict[str, Any]) -> dict[str, Any]:
    """A copy of an API-format workflow with Aktion's values set at ``node.input``."""
    prompt = copy.deepcopy(workflow)
    for name, target in mapping.items():
        node, _, field = str(target).partition(".")
        if node not in prompt or "inputs" not in prompt[node]:
            raise BackendError(f"comfyui mapping {name} -> {target}: no node {node}")
        if name not in values:
            raise BackendError(f"comfyui mapping: Aktion has no value `{name}` for this step")
        prompt[node]["inputs"][field] = values[name]
    return prompt


def _error_text(body: str) -> str:
    try:
        doc = json.loads(body)
    except json.JSONDecodeError:
        return body[:300]
    err = doc.get("error", doc)
    msg = err.get("message", err) if isinstance(err, dict) else err
    return f"{msg} {doc.get('node_errors') or ''}".strip()
