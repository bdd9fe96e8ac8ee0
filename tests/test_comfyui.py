"""The comfyui backend against a stand-in server.

ComfyUI cannot be installed here, so this file runs a small stand-in that follows
ComfyUI's documented API (POST /upload/image, POST /prompt {prompt, client_id},
GET /history/{id}, GET /view, websocket /ws?clientId= with progress/executing
messages, HTTP 400 with node_errors for a bad prompt). It stands in for the
server only: the backend's requests and parsing are the real ones.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import struct
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from PIL import Image

from aktion.backends.base import BackendError, StepRequest
from aktion.backends.comfyui import ComfyUIBackend
from aktion.generation.config import BackendContext

pytest.importorskip("websocket")

WORKFLOW = {
    "3": {"class_type": "KSampler", "inputs": {"seed": 0, "steps": 20}},
    "6": {"class_type": "CLIPTextEncode", "inputs": {"text": ""}},
    "11": {"class_type": "LoadImage", "inputs": {"image": ""}},
    "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "ComfyUI"}},
}


class StandIn(BaseHTTPRequestHandler):
    uploads: ClassVar[dict[str, bytes]] = {}
    prompts: ClassVar[dict[str, dict]] = {}
    sockets: ClassVar[dict[str, object]] = {}
    returned_name = "ComfyUI_00001_.png"

    def log_message(self, *a: object) -> None: ...

    def _json(self, code: int, doc: dict) -> None:
        body = json.dumps(doc).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        url = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/ws":
            return self._websocket(q["clientId"])
        if url.path.startswith("/history/"):
            pid = url.path.rsplit("/", 1)[1]
            out = {"9": {"images": [{"filename": self.returned_name, "subfolder": "",
                                     "type": "output"}]}}
            return self._json(200, {pid: {"prompt": [0, pid, self.prompts[pid], {}, ["9"]],
                                          "outputs": out,
                                          "status": {"status_str": "success",
                                                     "completed": True, "messages": []}}})
        if url.path == "/view":
            buf = io.BytesIO()
            Image.new("RGB", (32, 24), (200, 30, 30)).save(buf, "PNG")
            data = buf.getvalue()
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return None
        return self._json(404, {})

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.path == "/upload/image":
            name = re.search(rb'name="image"; filename="([^"]+)"', body).group(1).decode()
            StandIn.uploads[name] = body
            return self._json(200, {"name": name, "subfolder": "", "type": "input"})
        if self.path == "/prompt":
            doc = json.loads(body)
            prompt = doc["prompt"]
            if any("class_type" not in n for n in prompt.values()):
                return self._json(400, {"error": {"type": "prompt_no_outputs",
                                                  "message": "Prompt has no outputs"},
                                        "node_errors": {}})
            pid = str(uuid.uuid4())
            StandIn.prompts[pid] = prompt
            ws = StandIn.sockets[doc["client_id"]]
            for msg in ({"type": "execution_start", "data": {"prompt_id": pid}},
                        {"type": "progress", "data": {"value": 1, "max": 2, "prompt_id": pid,
                                                      "node": "3"}},
                        {"type": "progress", "data": {"value": 2, "max": 2, "prompt_id": pid,
                                                      "node": "3"}},
                        {"type": "executing", "data": {"node": None, "prompt_id": pid}}):
                ws.send(json.dumps(msg))  # type: ignore[attr-defined]
            return self._json(200, {"prompt_id": pid, "number": 1, "node_errors": {}})
        return self._json(404, {})

    def _websocket(self, client_id: str) -> None:
        key = self.headers["Sec-WebSocket-Key"]
        accept = base64.b64encode(hashlib.sha1(
            (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.end_headers()
        wfile, done = self.wfile, threading.Event()

        class Socket:
            def send(self, text: str) -> None:
                data = text.encode()
                head = bytes([0x81, len(data)]) if len(data) < 126 else (
                    bytes([0x81, 126]) + struct.pack(">H", len(data)))
                wfile.write(head + data)
                wfile.flush()

        StandIn.sockets[client_id] = Socket()
        Socket().send(json.dumps({"type": "status", "data": {"status": {
            "exec_info": {"queue_remaining": 0}}, "sid": client_id}}))
        done.wait(2)  # hold the connection open while the prompt runs
        self.close_connection = True


@pytest.fixture
def server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


def backend(tmp_path: Path, url: str) -> ComfyUIBackend:
    (tmp_path / "keyframe.json").write_text(json.dumps(WORKFLOW))
    b = ComfyUIBackend()
    b.configure(BackendContext(tmp_path, tmp_path / "cast", {
        "url": url, "keyframe": {"workflow": "keyframe.json", "output": "9", "inputs": {
            "prompt": "6.text", "seed": "3.seed", "depth": "11.image"}}}))
    return b


def request(tmp_path: Path) -> StepRequest:
    depth = tmp_path / "depth.png"
    Image.fromarray(np.full((24, 32, 3), 90, np.uint8)).save(depth)
    return StepRequest(kind="keyframe", shot={"id": "1", "size": "WS"}, seed=1234,
                       format={"fps": 24, "width": 32, "height": 24}, inputs={"depth": depth},
                       script={"text": "Vex jabs."})


def test_keyframe_round_trip(tmp_path: Path, server: str) -> None:
    seen: list[tuple[int, int]] = []
    result = backend(tmp_path, server).run(request(tmp_path), tmp_path, lambda d, t:
                                           seen.append((d, t)))
    prompt = list(StandIn.prompts.values())[-1]
    assert prompt["3"]["inputs"]["seed"] == 1234 and "Vex jabs" in prompt["6"]["inputs"]["text"]
    name = prompt["11"]["inputs"]["image"]
    assert re.fullmatch(r"aktion-[0-9a-f]{20}\.png", name) and name in StandIn.uploads
    assert seen == [(1, 2), (2, 2)]
    assert Image.open(result.outputs["image"]).size == (32, 24)
    assert result.record["prompt_id"] in StandIn.prompts


def test_unsafe_returned_name_is_refused(tmp_path: Path, server: str,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(StandIn, "returned_name", "../../etc/passwd.png")
    with pytest.raises(BackendError, match="refusing returned file"):
        backend(tmp_path, server).run(request(tmp_path), tmp_path, lambda d, t: None)


def test_unreachable_server_is_a_backend_error(tmp_path: Path) -> None:
    with pytest.raises(BackendError, match="cannot reach|websocket"):
        backend(tmp_path, "http://127.0.0.1:9").run(request(tmp_path), tmp_path,
                                                    lambda d, t: None)
