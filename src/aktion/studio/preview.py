"""A live single-frame previz of a shot with unsaved changes, at preview size.

Dragging a character or the camera on the floor plan must show the frame it gives at
once, without a render: the shot's layout request (as the graph plans it) is taken
with the changed fields and a small format, performed, and only its board frame is
drawn. Frames are kept by the content key of that request, so going back to an earlier
position costs nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import threading
from collections import OrderedDict
from typing import Any

import numpy as np
from PIL import Image

from aktion.backends.base import StepRequest
from aktion.previz.skeleton import INDEX
from aktion.production.board import SetDesign, Shot
from aktion.production.choreo import Beat

PREVIEW_WIDTH = 384
KEEP = 128  # frames kept (about 40 KB each)
CHANGEABLE = {"blocking", "side", "lens", "size", "angle", "move", "frame", "duration"}


class Previews:
    """Preview frames by content key, the most recent ``KEEP`` of them."""

    def __init__(self) -> None:
        self._frames: OrderedDict[str, tuple[bytes, dict[str, Any]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[bytes, dict[str, Any]] | None:
        with self._lock:
            hit = self._frames.get(key)
            if hit is not None:
                self._frames.move_to_end(key)
            return hit

    def put(self, key: str, png: bytes, info: dict[str, Any]) -> None:
        with self._lock:
            self._frames[key] = (png, info)
            while len(self._frames) > KEEP:
                self._frames.popitem(last=False)


def preview_request(base: StepRequest, changes: dict[str, Any],
                    boxes: list[dict[str, Any]] | None, width: int,
                    beats: list[dict[str, Any]] | None = None,
                    frame: int | None = None) -> StepRequest:
    """The layout request with ``changes`` to the shot (and the set's boxes, the beats),
    validated, at ``width`` pixels wide, for ``frame`` (None: the board's key frame).
    ValueError names a bad field."""
    fps = int(base.format.get("fps", 24))
    shot = {**base.shot, **{k: v for k, v in changes.items() if v is not None}}
    Shot.model_validate(shot, context={"fps": fps})
    design = dict(base.set)
    if boxes is not None:
        design["boxes"] = boxes
        SetDesign.model_validate(design)
    update: dict[str, Any] = {"shot": shot, "set": design}
    if beats is not None:
        update["beats"] = [Beat.model_validate(b, context={"fps": fps}).dump() for b in beats]
    w, h = int(base.format.get("width", 1280)), int(base.format.get("height", 720))
    height = max(2, round(width * h / w / 2) * 2)
    update["format"] = {**base.format, "width": width, "height": height}
    update["params"] = {**base.params, "preview_frame": frame}
    return base.model_copy(update=update)


def key_of(request: StepRequest) -> str:
    return hashlib.sha256(json.dumps(request.hashed(), sort_keys=True,
                                     default=str).encode()).hexdigest()[:32]


def render_preview(request: StepRequest) -> tuple[bytes, dict[str, Any]]:
    """The board frame (PNG) of ``request``, and where its camera stands and looks."""
    from aktion.backends.previz import _stage  # the one way previz builds a stage

    stage = _stage(request)
    perf, camera = stage.perform()
    wanted = (request.params or {}).get("preview_frame")
    key = stage.key_frame(perf) if wanted is None else max(0, min(perf.frames - 1, int(wanted)))
    image = stage.renderer(perf.poses, camera, perf.characters, burnins=False,
                           labels=False).frame(key)
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image)).save(buf, "PNG", optimize=False)
    aspect = camera.width / camera.height
    vfov = 2 * math.atan(12.0 / float(camera.lens[key]))
    hfov = 2 * math.degrees(math.atan(math.tan(vfov / 2) * aspect))
    pos = camera.position[key]
    pelvis = INDEX["pelvis"]
    info = {"key_frame": int(key), "camera": {
        "at": [round(float(pos[0]), 3), round(float(pos[2]), 3)],
        "height": round(float(pos[1]), 3), "yaw": round(float(camera.yaw[key]), 2),
        "hfov": round(hfov, 2)},
        "marks": {c: [round(float(perf.poses[key, i, pelvis, 0]), 3),
                      round(float(perf.poses[key, i, pelvis, 2]), 3)]
                  for i, c in enumerate(perf.characters)}}
    return buf.getvalue(), info
