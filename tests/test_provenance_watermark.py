"""The watermark: invisible-watermark's own reader reads what Aktion writes, a mark names
its manifest, and frames are read back whole, scaled down or cropped."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
import pywt

from aktion.provenance.marking import mark_file, sample_frames
from aktion.provenance.watermark import (
    BLOCK,
    CHANNELS,
    STEP,
    TILE,
    Marker,
    manifest_label,
    mark_bits,
    mark_for,
    mark_of_label,
    read_frames,
)

imwatermark = pytest.importorskip("imwatermark.maxDct")


def previz_like(h: int = 360, w: int = 640, seed: int = 3) -> np.ndarray:
    """A frame like a previz render: flat sky and floor, two figures, soft shading."""
    rng = np.random.default_rng(seed)
    f = np.zeros((h, w, 3), np.uint8)
    f[: h * 2 // 3] = (40, 52, 80)
    f[h * 2 // 3 :] = (70, 64, 58)
    for _ in range(2):
        x, y = int(rng.integers(w // 5, 4 * w // 5)), int(rng.integers(h // 3, 2 * h // 3))
        cv2.ellipse(f, (x, y), (w // 24, h // 6), 0, 0, 360,
                    tuple(int(c) for c in rng.integers(60, 220, 3)), -1)
        cv2.circle(f, (x, y - h // 5), h // 20, (224, 168, 120), -1)
    return cv2.GaussianBlur(f, (5, 5), 1.0)


def test_the_librarys_own_reader_reads_each_block() -> None:
    """invisible-watermark's per-block rule (``infer_dct_matrix``), applied to the low band
    of a marked frame, gives back the bit Aktion wrote in every block."""
    mark = mark_for("step", "video")
    frame = previz_like(256, 384)
    marked = Marker(mark, 384, 256)(frame)
    reader = imwatermark.EmbedMaxDct([], wmLen=64, block=BLOCK)
    tile = mark_bits(mark).reshape(TILE, TILE)
    yuv = cv2.cvtColor(marked, cv2.COLOR_RGB2YUV).astype(np.float32)
    for ch in CHANNELS:
        band = pywt.dwt2(yuv[..., ch], "haar")[0]
        rows, cols = band.shape[0] // BLOCK, band.shape[1] // BLOCK
        wrong = sum(
            reader.infer_dct_matrix(band[i * BLOCK:(i + 1) * BLOCK, j * BLOCK:(j + 1) * BLOCK],
                                    STEP) != tile[i % TILE, j % TILE]
            for i in range(rows) for j in range(cols))
        assert wrong <= rows * cols // 50, (ch, wrong)  # uint8 rounding may flip a few


def test_the_mark_is_invisible_enough() -> None:
    frame = previz_like()
    marked = Marker(mark_for("a"), 640, 360)(frame)
    assert cv2.PSNR(frame, marked) > 32  # chroma only, in one pixel in ten
    luma = cv2.cvtColor(marked, cv2.COLOR_RGB2YUV)[..., 0].astype(int)
    assert np.abs(luma - cv2.cvtColor(frame, cv2.COLOR_RGB2YUV)[..., 0]).max() <= 2


def test_a_mark_is_its_manifests_identifier() -> None:
    mark = mark_for("key", "video")
    label = manifest_label(mark)
    assert label.startswith("urn:c2pa:") and mark_of_label(label) == mark
    assert mark_of_label("urn:c2pa:0946498c-6d5e-4446-8000-000000000001") is None


@pytest.mark.parametrize("how", ["whole", "half", "crop"])
def test_frames_are_read_back(how: str) -> None:
    marks = [mark_for("shot", str(i)) for i in range(50)]
    frames = [Marker(marks[17], 640, 360)(previz_like(seed=s)) for s in range(4)]
    if how == "half":
        frames = [cv2.resize(f, (320, 180), interpolation=cv2.INTER_AREA) for f in frames]
    if how == "crop":
        frames = [f[18:342, 30:610] for f in frames]
    reading = read_frames(frames, marks, [640])
    assert reading is not None and reading.mark == marks[17], reading
    assert read_frames([previz_like(seed=9)], marks, [640]) is None


def test_marking_a_file_keeps_its_size_and_alpha(tmp_path: Path) -> None:
    rgba = np.dstack([previz_like(), np.full((360, 640), 200, np.uint8)])
    src, dst = tmp_path / "a.png", tmp_path / "b.png"
    cv2.imwrite(str(src), rgba)
    assert mark_file(src, dst, mark_for("x"))
    out = cv2.imread(str(dst), cv2.IMREAD_UNCHANGED)
    assert out.shape == rgba.shape and (out[..., 3] == 200).all()
    assert read_frames(sample_frames(dst), [mark_for("x")]) is not None
    depth = (np.arange(360 * 640).reshape(360, 640) % 65535).astype(np.uint16)
    cv2.imwrite(str(src), depth)  # 16-bit data is never marked
    assert not mark_file(src, tmp_path / "c.png", mark_for("x"))
    assert not (tmp_path / "c.png").exists()
