"""Board adherence on the example's layouts: the composition measure against the SSIM of
Canny edges it replaced, for frames that keep the board and frames that do not, and the
time of one measurement. Run: PYTHONPATH=src python bench/bench_adherence.py"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from aktion.backends.previz import PrevizBackend
from aktion.engine.graph import plan
from aktion.generation.composition import adherence
from aktion.media.images import read_array
from aktion.production.load import load_production

EXAMPLE = Path(__file__).parents[1] / "examples" / "rooftop"
SHOTS = ("sh040", "sh050", "sh070", "sh090")


def edge_ssim(keyframe: np.ndarray, layout: np.ndarray) -> float:
    """The previous definition: SSIM of blurred Canny edges (Wang et al. 2004)."""
    size = (layout.shape[1], layout.shape[0])
    def edges(image):
        grey = cv2.cvtColor(cv2.resize(image, size), cv2.COLOR_RGB2GRAY)
        return cv2.GaussianBlur(cv2.Canny(grey, 50, 150), (7, 7), 0).astype(np.float64)
    a, b = edges(keyframe), edges(layout)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    blur = lambda x: cv2.GaussianBlur(x, (11, 11), 1.5)
    ma, mb = blur(a), blur(b)
    va, vb, cov = blur(a * a) - ma**2, blur(b * b) - mb**2, blur(a * b) - ma * mb
    return float(((2 * ma * mb + c1) * (2 * cov + c2) / ((ma**2 + mb**2 + c1) * (va + vb + c2))).mean())


def variants(frame: np.ndarray, other: np.ndarray) -> dict[str, np.ndarray]:
    h, w = frame.shape[:2]
    light = np.linspace(0.55, 1.35, w)[None, :, None] * np.linspace(1.2, 0.8, h)[:, None, None]
    rng = np.random.default_rng(0)
    return {"itself": frame, "re-lit": np.clip(frame * light + 10, 0, 255).astype(np.uint8),
            "blurred": cv2.GaussianBlur(frame, (0, 0), 3),
            "noised": np.clip(frame + rng.normal(0, 25, frame.shape), 0, 255).astype(np.uint8),
            "noise": rng.integers(0, 256, frame.shape, np.uint8), "flat": np.full_like(frame, 128),
            "another shot": other, "mirrored": frame[:, ::-1].copy()}


def main() -> None:
    graph = plan(load_production(EXAMPLE), "previz")
    boards = {}
    with tempfile.TemporaryDirectory() as tmp:
        for shot in SHOTS:
            step = next(s for s in graph if s.kind == "layout" and s.shot == shot)
            out = PrevizBackend().run(step.request, Path(tmp) / shot, lambda *a: None).outputs
            boards[shot] = tuple(read_array(out[n]) for n in ("frame", "depth", "mask"))
    print(f"{'shot':6} {'frame':13} {'edge SSIM (old)':>16} {'board adherence':>16}")
    took = []
    for i, shot in enumerate(SHOTS):
        layout, depth, mask = boards[shot]
        other = boards[SHOTS[(i + 1) % len(SHOTS)]][0]
        for name, frame in variants(layout, other).items():
            t = time.perf_counter()
            new = adherence(frame, layout, depth, mask).score
            took.append(time.perf_counter() - t)
            print(f"{shot:6} {name:13} {edge_ssim(frame, layout):16.3f} {new:16.3f}")
    print(f"one measurement at 1280x720: {1000 * np.median(took):.0f} ms (median)")


if __name__ == "__main__":
    main()
