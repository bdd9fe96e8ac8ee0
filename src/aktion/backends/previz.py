"""The built-in previz backend: CPU mannequins, deterministic, no GPU or model weights.

Three steps, one request each:

- ``motion_control``: solve the choreography -> ``poses`` (poses.npy, float32
  frames x characters x joints x 3, metres), ``camera`` (camera.json, per frame)
  and ``performance`` (performance.json: character order, joints, contacts).
- ``layout``: the board frame at the shot's key moment (first contact, else the
  middle) -> ``frame`` (layout.png), ``depth`` (depth.png, 16-bit millimetres) and
  ``masks`` (masks.npz: each character's pixels in that frame, see
  ``aktion.previz.masks``).
- ``control_maps``: from the motion_control outputs, the conditioning generative
  backends consume: ``pose`` (OpenPose-style 18-keypoint video), ``depth`` (inverse
  depth video), ``mask`` (per-character colours), ``camera_path`` and ``keypoints``
  (JSON); see ``aktion.previz.control_maps``.
- ``render``: draw the motion_control outputs to ``video`` (shot.mp4, H.264),
  frames drawn ahead in worker processes while this thread encodes, through a
  fixed ring of frame slots so memory stays flat however long the shot.

A production's own moves travel in the request (``params["moves"]``: name ->
move file content) so they are part of the step's key; ``params["move_dirs"]``
also works for local use.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import ValidationError

from aktion.production.errors import ProductionError

from .base import BackendError, Capabilities, Progress, StepRequest, StepResult

if TYPE_CHECKING:
    from aktion.previz.stage import Stage

# The renderer (numpy, OpenCV, PyAV) is imported by the steps that use it: planning
# imports this module only for the backend's ``version``.


def _write_bytes(path: Path, data: bytes) -> Path:
    from aktion.media.atomic import atomic_path

    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return path


def _write_json(path: Path, data: Any) -> Path:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return _write_bytes(path, text.encode("utf-8"))


def _stage(request: StepRequest) -> Stage:
    """Re-validate the request's plain data with the production models."""
    from aktion.previz.moves import MoveLibrary
    from aktion.previz.stage import Stage
    from aktion.previz.take import TakeVariation
    from aktion.production.board import SetDesign, Shot
    from aktion.production.cast import Character
    from aktion.production.choreo import Beat

    fmt = request.format or {}
    fps = int(fmt.get("fps", 24))
    context = {"fps": fps}
    shot = Shot.model_validate(request.shot, context=context)
    design = SetDesign.model_validate(request.set or {})
    beats = [Beat.model_validate(b, context=context) for b in request.beats]
    cast = {cid: Character.model_validate(c) for cid, c in request.cast.items()}
    missing = [m.who for m in shot.blocking if m.who not in cast]
    if missing:
        raise ValueError(f"blocked but not in the request's cast: {', '.join(missing)}")
    params = request.params or {}
    library = MoveLibrary.load(
        extra_dirs=[Path(p) for p in params.get("move_dirs", [])], extra=params.get("moves")
    )
    return Stage(
        shot=shot, design=design, cast=cast, beats=beats, library=library, fps=fps,
        width=int(fmt.get("width", 1280)), height=int(fmt.get("height", 720)),
        seed=request.seed, dialogue=list((request.script or {}).get("dialogue", [])),
        take=TakeVariation.from_request(params, request.seed),
    )  # fmt: skip


class PrevizBackend:
    """3D mannequins perform the choreography through the board's camera, on the CPU."""

    id: ClassVar[str] = "previz"
    version: ClassVar[str] = "1"
    capabilities: ClassVar[Capabilities] = Capabilities(
        steps=frozenset({"layout", "motion_control", "render", "control_maps"}),
        conditioning=frozenset({"layout", "pose", "depth"}),
        deterministic=True,
        device="cpu",
        cost="free",
        speed="fast",
    )

    def run(self, request: StepRequest, workdir: Path, progress: Progress) -> StepResult:
        steps = {"motion_control": self._motion_control, "layout": self._layout,
                 "render": self._render, "control_maps": self._control_maps}  # fmt: skip
        step = steps.get(request.kind)
        shot_id = request.shot.get("id", "?")
        if step is None:
            raise BackendError(f"previz does not do `{request.kind}` steps "
                               f"(it does {', '.join(sorted(steps))})")  # fmt: skip
        workdir = Path(workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        try:
            return step(request, workdir, progress)
        except ProductionError as e:
            raise BackendError(f"previz {request.kind} of shot {shot_id}: {e}") from e
        except (ValidationError, ValueError, KeyError, OSError) as e:
            raise BackendError(f"previz {request.kind} of shot {shot_id}: {e}") from e

    def _motion_control(self, request: StepRequest, workdir: Path,
                        progress: Progress) -> StepResult:  # fmt: skip
        import numpy as np

        stage = _stage(request)
        perf, camera = stage.perform()
        buf = io.BytesIO()
        np.save(buf, np.ascontiguousarray(perf.poses, dtype=np.float32), allow_pickle=False)
        outputs = {
            "poses": _write_bytes(workdir / "poses.npy", buf.getvalue()),
            "camera": _write_json(workdir / "camera.json", camera.to_json()),
            "performance": _write_json(workdir / "performance.json", perf.to_json()),
        }
        progress(1, 1)
        return StepResult(outputs, self._record(stage, perf.frames, perf.characters,
                                                len(perf.contacts)))  # fmt: skip

    def _layout(self, request: StepRequest, workdir: Path, progress: Progress) -> StepResult:
        import numpy as np

        from aktion.media.images import write_png_atomic
        from aktion.previz.depth import depth_map, depth_millimetres
        from aktion.previz.masks import character_masks, write_masks

        stage = _stage(request)
        perf, camera = stage.perform()
        key = stage.key_frame(perf)
        labels = bool((request.params or {}).get("labels", False))
        renderer = stage.renderer(perf.poses, camera, perf.characters, burnins=False,
                                  labels=labels)  # fmt: skip
        image = renderer.frame(key).copy()
        cast = [stage.cast[c] for c in perf.characters]
        joints = perf.poses[key].astype(np.float64)
        depth = depth_map(stage.design, cast, joints, camera, key)
        outputs = {
            "frame": write_png_atomic(workdir / "layout.png", image),
            "depth": write_png_atomic(workdir / "depth.png", depth_millimetres(depth)),
            "masks": write_masks(workdir / "masks.npz", perf.characters,
                                 character_masks(cast, joints, camera, key)),
        }
        progress(1, 1)
        record = self._record(stage, perf.frames, perf.characters, len(perf.contacts))
        record["key_frame"] = key
        return StepResult(outputs, record)

    def _render(self, request: StepRequest, workdir: Path, progress: Progress) -> StepResult:
        import numpy as np

        from aktion.media.video import VideoWriter
        from aktion.previz.camera import CameraPath
        from aktion.previz.draw_ahead import DrawError, drawn_frames

        for name in ("poses", "camera", "performance"):
            if name not in request.inputs:
                raise BackendError(f"previz render needs the `{name}` input (from motion_control)")
        stage = _stage(request)
        poses = np.load(request.inputs["poses"], mmap_mode="r", allow_pickle=False)
        camera = CameraPath.from_json(json.loads(Path(request.inputs["camera"]).read_text()))
        performance = json.loads(Path(request.inputs["performance"]).read_text())
        characters = list(performance["characters"])
        if poses.ndim != 4 or poses.shape[1] != len(characters) or poses.shape[3] != 3:
            raise ValueError(f"poses of shape {poses.shape} do not match {characters}")
        frames = int(poses.shape[0])
        if camera.frames != frames:
            raise ValueError(f"camera has {camera.frames} frames, poses {frames}")
        unknown = [c for c in characters if c not in stage.cast]
        if unknown:
            raise ValueError(f"performance names characters not in the cast: {unknown}")
        if (camera.width, camera.height) != (stage.width, stage.height):
            raise ValueError(f"camera is {camera.width}x{camera.height}, "
                             f"format {stage.width}x{stage.height}")  # fmt: skip
        renderer = stage.renderer(poses, camera, characters)
        path = workdir / "shot.mp4"
        # Drawing processes stay ahead while this thread encodes; each frame is encoded
        # where it was drawn. The bytes depend on neither (see previz.draw_ahead).
        try:
            with VideoWriter(path, stage.width, stage.height, stage.fps) as writer:
                for i, image in enumerate(drawn_frames(renderer, frames)):
                    writer.write(image)
                    progress(i + 1, frames)
        except DrawError as e:
            raise BackendError(f"previz render of shot {stage.shot.id}: {e}") from None
        return StepResult({"video": path}, self._record(stage, frames, characters, None))

    def _control_maps(self, request: StepRequest, workdir: Path,
                      progress: Progress) -> StepResult:  # fmt: skip
        """Pose, depth and mask videos plus camera data, from motion_control's outputs."""
        import numpy as np

        from aktion.previz.camera import CameraPath
        from aktion.previz.control_maps import write_control_maps

        for name in ("poses", "camera", "performance"):
            if name not in request.inputs:
                raise BackendError(f"previz control_maps needs the `{name}` input")
        stage = _stage(request)
        poses = np.load(request.inputs["poses"], allow_pickle=False)
        camera = CameraPath.from_json(json.loads(Path(request.inputs["camera"]).read_text()))
        characters = list(json.loads(Path(request.inputs["performance"]).read_text())["characters"])
        maps = write_control_maps(workdir, stage.design, characters, stage.cast, poses, camera)
        progress(1, 1)
        return StepResult(maps.outputs(), self._record(stage, int(poses.shape[0]), characters,
                                                       None))  # fmt: skip

    def _record(self, stage: Stage, frames: int, characters: list[str],
                contacts: int | None) -> dict[str, Any]:  # fmt: skip
        moves = sorted({b.move for b in stage.beats if b.move})
        record: dict[str, Any] = {
            "backend": self.id, "version": self.version, "frames": frames,
            "characters": characters, "moves": moves,
            "format": {"fps": stage.fps, "width": stage.width, "height": stage.height},
        }  # fmt: skip
        if contacts is not None:
            record["contacts"] = contacts
        return record
