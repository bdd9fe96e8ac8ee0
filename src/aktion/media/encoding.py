"""The one H.264 encoding recipe every Aktion clip shares, so shots remux together.

Concatenating by stream copy only works when every clip carries the same SPS/PPS
and needs no frame from another clip: hence fixed settings, headers on every
keyframe, no B-frames and closed GOPs. A fixed thread count keeps the bytes the
same for the same frames on any machine: x264's frame threads wait for the rows of
the reference frames they need (its ``non-deterministic`` option stays off), so the
output depends on the thread count, never on timing. The same frames give the same
bytes encoded alone, beside other encoders, or beside busy threads of the same process
(``tests/test_draw_ahead.py`` checks it).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

CODEC = "libx264"
PIX_FMT = "yuv420p"
THREADS = 2


@dataclass(frozen=True)
class Encoding:
    """Frame rate plus quality knobs; ``options()`` is what the encoder is given."""

    fps: Fraction
    crf: int = 20
    preset: str = "veryfast"

    def x264_params(self) -> str:
        gop = max(1, round(self.fps))
        return ":".join(
            [
                "repeat-headers=1",  # SPS/PPS in-band on every keyframe
                "stitchable=1",  # headers do not depend on content or crf
                "bframes=0",  # decode order == display order: cut at any frame
                f"keyint={gop}",  # one keyframe a second
                f"min-keyint={gop}",
                "scenecut=0",  # keyframes only on the grid
                "open-gop=0",  # every GOP starts at an IDR
                f"threads={THREADS}",  # same bytes on any machine
            ]
        )

    def options(self) -> dict[str, str]:
        return {"crf": str(self.crf), "preset": self.preset, "x264-params": self.x264_params()}

    @property
    def gop(self) -> int:
        return max(1, round(self.fps))
