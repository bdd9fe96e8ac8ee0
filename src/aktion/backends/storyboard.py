"""The built-in storyboard backend: a scene's contact sheet as a step of the graph.

As a step, the sheet is cached with the shots it shows, signed, and logged in the
ledger like every other output in ``out/``.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from .base import Capabilities, Progress, StepRequest, StepResult


class StoryboardBackend:
    id: ClassVar[str] = "storyboard"
    version: ClassVar[str] = "1"
    capabilities: ClassVar[Capabilities] = Capabilities(steps=frozenset({"sheet"}))

    def run(self, request: StepRequest, workdir: Path, progress: Progress) -> StepResult:
        from aktion.storyboard.tiles import clip_frame, contact_sheet, write_png

        tiles = request.params["tiles"]
        frames = []
        for i, tile in enumerate(tiles):
            frames.append(clip_frame(request.inputs[tile["input"]]))
            progress(i + 1, len(tiles))
        image = contact_sheet(frames, [t["label"] for t in tiles],
                              columns=request.params.get("columns", 4),
                              tile_width=request.params.get("tile_width", 320),
                              title=request.params.get("title", ""))
        out = workdir / f"{request.scene}-contact-sheet.png"
        write_png(out, image)
        return StepResult(outputs={"sheet": out}, record={"tiles": len(tiles)})
