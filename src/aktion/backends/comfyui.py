"""The ``comfyui`` backend: one API-format workflow per step, run on a ComfyUI server.

Configured in ``backends.toml``::

    [comfyui]
    url = "http://127.0.0.1:8188"
    workflows = "workflows"          # <kind>.json here is each step's default workflow
    timeout = 1800                   # seconds a step may run on the server
    [comfyui.keyframe]
    output = "9"                     # the node whose files are the result
    inputs = {prompt = "6.text", seed = "3.seed", depth = "11.image", "ref:vex" = "20.image"}

A step offers only the conditioning its mapping feeds (``depth`` only when depth is
mapped, ``pose`` only when the pose guide is, ``refs`` only when reference images
are), so the router never sends a need to a workflow that would drop it. Workflows
are read and checked when the production is planned (``comfyui_workflow``); the
server is driven by ``comfyui_api``; files are converted and conformed by
``comfyui_media``.
"""

from __future__ import annotations

import uuid
from itertools import cycle, islice
from pathlib import Path
from typing import Any, ClassVar

from aktion.generation.config import BackendContext
from aktion.generation.prompts import NEGATIVE, shot_prompt

from .base import BackendError, Capabilities, Progress, StepRequest, StepResult
from .comfyui_api import SAFE_NAME, ComfyClient
from .comfyui_media import (
    IMAGE_EXT,
    VIDEO_EXT,
    conform_clip,
    conform_image,
    content_name,
    input_file,
    neutral_reference,
    reference_files,
)
from .comfyui_workflow import KINDS, STEP_FILES, StepWorkflow, load_steps

DEFAULT_URL = "http://127.0.0.1:8188"
MAX_RETURNED = 2000  # files of one result fetched at most (a clip saved as images)


class ComfyUIBackend:
    id: ClassVar[str] = "comfyui"
    version: ClassVar[str] = "2"
    capabilities: ClassVar[Capabilities] = Capabilities(
        steps=frozenset(KINDS), deterministic=True, device="server", speed="medium")

    def __init__(self) -> None:
        self.context: BackendContext | None = None

    def configure(self, context: BackendContext) -> None:
        self.context = context

    @classmethod
    def offers(cls, config: dict[str, Any],
               context: BackendContext | None = None) -> dict[str, Capabilities]:
        """Each step with a workflow, honouring what its mapping feeds (checked here)."""
        if context is None:
            return {}
        return {kind: Capabilities(frozenset({kind}), wf.conditioning(),
                                   max_frames=wf.max_frames, device="server", speed="medium")
                for kind, wf in load_steps(config, context).items()}

    @classmethod
    def model_id(cls, kind: str, config: dict[str, Any],
                 context: BackendContext) -> dict[str, Any]:
        """The workflow's content names the models it loads: it enters the key."""
        wf = load_steps(config, context)[kind]
        return {"name": wf.path.stem, "workflow": wf.digest[:16], "output": wf.output,
                "inputs": {n: [str(t) for t in ts] for n, ts in wf.mapping.items()}}

    # --- a step -------------------------------------------------------------------
    def run(self, request: StepRequest, workdir: Path, progress: Progress) -> StepResult:
        context = self._context()
        steps = load_steps(context.config, context)
        if request.kind not in steps:
            raise BackendError(f"comfyui: no workflow for `{request.kind}` in backends.toml")
        wf = steps[request.kind]
        client = ComfyClient(str(context.config.get("url", DEFAULT_URL)),
                             timeout=float(context.config.get("timeout", 1800)),
                             poll=float(context.config.get("poll", 1.0)))
        record: dict[str, Any] = {"workflow": {"file": wf.path.name, "digest": wf.digest[:16]}}
        values = self._values(request, wf, client, context, record)
        prompt = wf.fill(values)
        client_id = uuid.uuid4().hex
        ws = client.connect(client_id)
        try:
            prompt_id = client.submit(prompt, client_id, f"{wf.path} ({wf.setting})")
            record["prompt_id"] = prompt_id
            entry = client.wait(prompt_id, ws, list(prompt), progress)
        finally:
            if ws is not None:
                ws.close()
        files = self._fetch(client, entry, wf, workdir / "returned")
        if request.kind == "keyframe":
            out, conform = conform_image(files, request, workdir)
            outputs = {"image": out}
        else:
            out, conform = conform_clip(files, request, workdir)
            outputs = {"video": out}
        from aktion.generation.measures import step_measures

        record.update(conform)
        record["measures"] = step_measures(request.kind, outputs, request.inputs)
        return StepResult(outputs, record)

    def _context(self) -> BackendContext:
        if self.context is None:
            raise BackendError("comfyui: not configured (no [comfyui] in backends.toml)")
        return self.context

    def _values(self, request: StepRequest, wf: StepWorkflow, client: ComfyClient,
                context: BackendContext, record: dict[str, Any]) -> dict[str, Any]:
        fmt = request.format
        frames = int(request.params.get("frames") or request.shot.get("duration") or 0)
        values: dict[str, Any] = {
            "prompt": shot_prompt(request.model_dump()), "negative": NEGATIVE,
            "seed": request.seed, "width": fmt.get("width"), "height": fmt.get("height"),
            "fps": fmt.get("fps"), "frames": frames}
        uploads: dict[str, str] = {}
        for name in STEP_FILES[wf.kind]:
            if name not in wf.mapping:
                continue
            if name not in request.inputs:
                raise BackendError(f"comfyui: the {wf.kind} step got no `{name}` input")
            data, suffix = input_file(name, Path(request.inputs[name]))
            uploads[name] = values[name] = client.upload(content_name(data, suffix), data)
        values.update(new_frames=max(frames - 1, 1), pass_frames=max(frames, 2))
        if "video" in request.inputs and wf.kind in ("extend", "restyle"):
            from aktion.media.errors import MediaError
            from aktion.media.video import probe

            try:
                source = probe(request.inputs["video"]).frames
            except MediaError as e:
                raise BackendError(f"comfyui: the {wf.kind} step's input clip: {e}") from None
            new = max(frames - source, 1)
            values.update(source_frames=source, last_frame=max(source - 1, 0),
                          new_frames=new, pass_frames=new + 1)
        values.update(self._references(request, wf, client, context, record))
        record["uploads"] = uploads
        return values

    def _references(self, request: StepRequest, wf: StepWorkflow, client: ComfyClient,
                    context: BackendContext, record: dict[str, Any]) -> dict[str, Any]:
        """Reference images for the ``refs`` / ``ref:<id>`` slots (one image per slot),
        and ``ref_weight`` slots: 0 where no character fills the slot."""
        names = [n for n in wf.mapping if n == "refs" or n.startswith(("ref:", "ref_weight"))]
        if not names:
            return {}
        refs = reference_files(request, context.cast_dir)
        slotted = {n.partition(":")[2] for n in names if n.startswith("ref:")}
        if "refs" in request.params.get("conditioning", []) and "refs" not in wf.mapping:
            unslotted = sorted(set(refs) - slotted)
            if unslotted:
                raise BackendError(
                    f"comfyui: {', '.join(unslotted)} has reference images but the {wf.kind} "
                    f"workflow maps no `ref:{unslotted[0]}` (or `refs`) input")
        values: dict[str, Any] = {}
        used: list[str] = []
        for name in names:
            targets = wf.mapping[name]
            cid = name.partition(":")[2]
            paths = [p for c in sorted(refs) for p in refs[c]] if cid == "" else \
                refs.get(cid, [])
            if name.startswith("ref_weight"):
                values[name] = [wf.nodes[t.node]["inputs"][t.input] if paths else 0.0
                                for t in targets]
                continue
            if not paths:
                data = neutral_reference()
                values[name] = [client.upload(content_name(data, ".png"), data)] * len(targets)
                continue
            chosen = list(islice(cycle(paths), len(targets)))
            values[name] = [client.upload(content_name(p.read_bytes(), p.suffix), p.read_bytes())
                            for p in chosen]
            used += [p.relative_to(context.cast_dir.resolve()).as_posix()
                     if p.is_relative_to(context.cast_dir.resolve()) else p.name
                     for p in chosen]
        record["identity_refs"] = sorted(set(used))
        return values

    def _fetch(self, client: ComfyClient, entry: dict[str, Any], wf: StepWorkflow,
               folder: Path) -> list[Path]:
        node_out = (entry.get("outputs") or {}).get(wf.output) or {}
        items = [f for key in ("images", "gifs", "videos") for f in node_out.get(key, [])]
        if not items:
            made = ", ".join(sorted(entry.get("outputs") or {})) or "none"
            raise BackendError(f"comfyui: node {wf.output} of {wf.path.name} saved no file "
                               f"(nodes with files: {made}); set `output` in "
                               f"[comfyui.{wf.kind}]")
        folder.mkdir(parents=True, exist_ok=True)
        files = []
        for i, item in enumerate(items[:MAX_RETURNED]):
            name, sub = str(item.get("filename", "")), str(item.get("subfolder", ""))
            suffix = Path(name).suffix.lower()
            if not SAFE_NAME.match(name) or suffix not in IMAGE_EXT | VIDEO_EXT or (
                    sub and (".." in sub.split("/") or sub.startswith("/"))) or \
                    item.get("type", "output") not in ("output", "temp"):
                raise BackendError(f"comfyui: refusing returned file {sub!r}/{name!r}")
            out = folder / f"{i:05d}{suffix}"
            out.write_bytes(client.view(item))
            files.append(out)
        return files
