"""The built-in storyboard backend: a scene's contact sheet as a step of the graph.

As a step, the sheet is cached with the shots it shows, signed, and logged in the
ledger like every other output in ``out/``. Tiles are read and shrunk one at a time,
so the step's memory does not grow with the number of shots.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    import numpy as np

from .base import Capabilities, Progress, StepRequest, StepResult


class StoryboardBackend:
    id: ClassVar[str] = "storyboard"
    version: ClassVar[str] = "1"
    capabilities: ClassVar[Capabilities] = Capabilities(steps=frozenset({"sheet"}))

    def run(self, request: StepRequest, workdir: Path, progress: Progress) -> StepResult:
        from aktion.storyboard.tiles import clip_frame, contact_sheet, write_png

        tiles = request.params["tiles"]

        def frames() -> Iterator[np.ndarray]:  # one full-size frame alive at a time
            for i, tile in enumerate(tiles):
                yield clip_frame(request.inputs[tile["input"]])
                progress(i + 1, len(tiles))

        image = contact_sheet(frames(), [t["label"] for t in tiles],
                              columns=request.params.get("columns", 4),
                              tile_width=request.params.get("tile_width", 320),
                              title=request.params.get("title", ""))
        out = workdir / f"{request.scene}-contact-sheet.png"
        write_png(out, image)
        return StepResult(outputs={"sheet": out}, record={"tiles": len(tiles)})
