"""An invisible watermark carrying a 64-bit mark in every picture Aktion signs.

The scheme is invisible-watermark's ``dwtDct``: one level of a Haar wavelet
transform of a chroma channel, cut into 4x4 blocks of the low band; in each
block the largest non-DC coefficient is quantized (step 36) to an odd or even
quarter of the step, which is one bit. It is written here with numpy over all
blocks at once (the library loops over blocks in Python: ~0.8 s a 720p frame,
too slow for every frame of a render); the tests check that the library's own
per-block reader reads what this writes.

Two changes make the mark survive what happens to video in the wild:
- it is embedded at a working size of the frame divided by a whole factor
  (320 px wide for 720p), and the change is spread back over each factor x
  factor cell, so a copy scaled down by that factor reads directly;
- bits are laid out as an 8x8 tile of blocks repeated over the frame (not in
  raster order), so a cropped copy reads after finding the tile's phase: 64 pixel
  offsets, each folded into the tile, and the tile compared cyclically with the
  marks the production knows.
Both chroma channels carry it (the library uses one). Frames are averaged before
reading, so a clip is read from the votes of many frames.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import pywt

BITS = 64
TILE = 8  # the tile is TILE x TILE blocks, one bit each
BLOCK = 4  # block side in the wavelet low band (8 px of the working image)
STEP = 48.0  # quantization step (the library uses 36; 48 survives H.264 at CRF 28)
CHANNELS = (1, 2)  # U and V of YUV
WORK_WIDTH = 320  # the working image is about this wide (low frequencies survive)
CROP_FRAMES = 8  # frames read while searching a crop's phase
ALG = "org.aktion.dwtdct-tile.1"  # names the scheme in the soft-binding assertion
# Bits a read may differ from a known mark and still match it. A random reading comes
# within 10 bits of a given mark with odds ~1e-8, within 6 bits ~5e-12; a crop search
# makes 4096 comparisons per mark, so it must be stricter.
MAX_DISTANCE = 10
MAX_DISTANCE_CROP = 6


def mark_for(*parts: str) -> str:
    """A 64-bit mark (16 hex digits) from what identifies an output, e.g. its step key
    and output name: stable, so a rerun that hits the cache carries the same mark."""
    return hashlib.sha256("\x1f".join(("aktion-mark", *parts)).encode()).hexdigest()[:16]


def manifest_label(mark: str) -> str:
    """The C2PA manifest label a mark stands for: a UUIDv4 holding the mark's 64 bits
    (around the version and variant bits), so the mark *is* the manifest's identifier."""
    m = bytes.fromhex(mark)
    rest = hashlib.sha256(m).digest()
    b = (m[:6] + bytes([0x40 | m[6] >> 4, (m[6] & 0xF) << 4 | m[7] >> 4,
                        0x80 | (m[7] & 0xF)]) + rest[:7])
    return f"urn:c2pa:{uuid.UUID(bytes=b)}"


def mark_of_label(label: str) -> str | None:
    """The mark a manifest label holds (None if it holds none)."""
    try:
        b = uuid.UUID(label.removeprefix("urn:c2pa:").split(":")[0]).bytes
    except ValueError:
        return None
    m = b[:6] + bytes([(b[6] & 0xF) << 4 | b[7] >> 4, (b[7] & 0xF) << 4 | (b[8] & 0xF)])
    return m.hex() if manifest_label(m.hex()) == label.split(":urn")[0] else None


def mark_bits(mark: str) -> np.ndarray:
    return np.unpackbits(np.frombuffer(bytes.fromhex(mark), np.uint8)).astype(np.uint8)


def factor_for(width: int) -> int:
    return max(1, round(width / WORK_WIDTH))


def _tile_bits(mark: str, rows: int, cols: int) -> np.ndarray:
    tile = mark_bits(mark).reshape(TILE, TILE)
    return np.tile(tile, (rows // TILE + 1, cols // TILE + 1))[:rows, :cols]


def _blocks(band: np.ndarray) -> np.ndarray:
    """(rows, cols, 16) view of the low band's 4x4 blocks."""
    r, c = band.shape[0] // BLOCK, band.shape[1] // BLOCK
    b = band[: r * BLOCK, : c * BLOCK].reshape(r, BLOCK, c, BLOCK).transpose(0, 2, 1, 3)
    return b.reshape(r, c, BLOCK * BLOCK)


def _quantize(band: np.ndarray, bits: np.ndarray) -> np.ndarray:
    """The library's ``diffuse_dct_matrix`` on every block at once (rounding up)."""
    blocks = _blocks(band).copy()
    pos = np.argmax(np.abs(blocks[..., 1:]), axis=-1)[..., None] + 1
    val = np.take_along_axis(blocks, pos, axis=-1)
    mag = (np.abs(val) // STEP + 0.25 + 0.5 * bits[..., None]) * STEP
    # Never shrink the coefficient: it must stay the block's largest, or the reader
    # reads another one (the library's one weakness on flat pictures).
    mag = np.where(mag < np.abs(val), mag + STEP, mag)
    np.put_along_axis(blocks, pos, np.where(val >= 0, mag, -mag), axis=-1)
    r, c = blocks.shape[:2]
    out = band.copy()
    out[: r * BLOCK, : c * BLOCK] = (blocks.reshape(r, c, BLOCK, BLOCK).transpose(0, 2, 1, 3)
                                     .reshape(r * BLOCK, c * BLOCK))
    return out


def _read_blocks(band: np.ndarray) -> np.ndarray:
    """The library's ``infer_dct_matrix`` on every block: 1.0 where the bit reads 1."""
    blocks = _blocks(band)
    pos = np.argmax(np.abs(blocks[..., 1:]), axis=-1)[..., None] + 1
    val = np.abs(np.take_along_axis(blocks, pos, axis=-1)[..., 0])
    return ((val % STEP) > 0.5 * STEP).astype(np.float32)


# OpenCV's YUV (BT.601) to RGB, as a matrix on (Y, U, V) differences
_YUV_TO_RGB = np.array([[1.0, 0.0, 1.140], [1.0, -0.395, -0.581], [1.0, 2.032, 0.0]],
                       np.float32)


@dataclass
class Marker:
    """Adds one mark to RGB uint8 frames of one size, the same way each time."""

    mark: str
    width: int
    height: int

    def __post_init__(self) -> None:
        self.k = factor_for(self.width)
        self.ww = (self.width // self.k) // (2 * BLOCK) * (2 * BLOCK)
        self.wh = (self.height // self.k) // (2 * BLOCK) * (2 * BLOCK)
        self.bits = _tile_bits(self.mark, self.wh // (2 * BLOCK), self.ww // (2 * BLOCK))
        self.ok = self.ww >= 2 * BLOCK * TILE and self.wh >= 2 * BLOCK * TILE

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        if not self.ok:
            return frame
        k, ww, wh = self.k, self.ww, self.wh
        region = frame[: wh * k, : ww * k]
        small = region if k == 1 else cv2.resize(region, (ww, wh), interpolation=cv2.INTER_AREA)
        yuv = cv2.cvtColor(small, cv2.COLOR_RGB2YUV).astype(np.float32)
        # A change d of one Haar low-band coefficient is d/2 on its 2x2 working pixels,
        # that is on a 2k x 2k cell of the frame; only one coefficient in 16 changes,
        # so only those cells are touched.
        delta = np.zeros((wh // 2, ww // 2, 3), np.float32)
        for ch in CHANNELS:
            ll = pywt.dwt2(yuv[..., ch], "haar")[0]
            delta[..., ch] = (_quantize(ll, self.bits) - ll) / 2
        change = np.rint(delta @ _YUV_TO_RGB.T).astype(np.int16)  # linear: chroma alone
        ys, xs = np.nonzero(change.any(axis=-1))
        out = frame.copy()
        cells = out[: wh * k, : ww * k].reshape(wh // 2, 2 * k, ww // 2, 2 * k, 3)
        touched = cells[ys, :, xs].astype(np.int16) + change[ys, xs][:, None, None, :]
        cells[ys, :, xs] = np.clip(touched, 0, 255).astype(np.uint8)  # a view: writes out
        return out


def _grid_scores(small: np.ndarray) -> np.ndarray:
    """Per-block bit readings, both channels stacked: (2, rows, cols)."""
    yuv = cv2.cvtColor(small, cv2.COLOR_RGB2YUV).astype(np.float32)
    return np.stack([_read_blocks(pywt.dwt2(yuv[..., ch], "haar")[0]) for ch in CHANNELS])


def _fold(scores: np.ndarray) -> np.ndarray:
    """Average block readings into the 8x8 tile (phase as found): (TILE, TILE)."""
    acc = np.zeros((TILE, TILE), np.float64)
    n = np.zeros((TILE, TILE), np.float64)
    for i in range(TILE):
        for j in range(TILE):
            part = scores[:, i::TILE, j::TILE]
            acc[i, j] += part.sum()
            n[i, j] += part.size
    return acc / np.maximum(n, 1)


@dataclass(frozen=True)
class Reading:
    mark: str
    distance: int  # bits that differ from the mark
    how: str  # which geometry read it (scale factor and crop phase)


def _candidates(marks: Sequence[str], cyclic: bool) -> np.ndarray:
    """(marks, shifts, 64) bit patterns: each mark's tile at every cyclic phase."""
    shifts = [(a, b) for a in range(TILE) for b in range(TILE)] if cyclic else [(0, 0)]
    tiles = [mark_bits(m).reshape(TILE, TILE) for m in marks]
    return np.array([[np.roll(t, (-a, -b), axis=(0, 1)).ravel() for a, b in shifts]
                     for t in tiles], np.uint8)


def _vote(tiles: np.ndarray, table: np.ndarray) -> tuple[int, int, int, int]:
    """Read per-frame tiles (frames, 64) against candidate patterns (marks, shifts, 64).

    Each frame votes for the pattern it agrees with most; the frames that voted for
    a pattern are averaged and compared with it. A cut holds several shots, so its
    frames carry several marks: each is read from its own frames. Returns (mark index,
    shift, bits off, frames) for the pattern backed by most frames within reach.
    """
    signs = 2.0 * tiles - 1.0  # (F, 64)
    want = 2.0 * table.astype(np.float32) - 1.0  # (M, S, 64)
    agree = np.einsum("fb,msb->fms", signs, want)
    flat = agree.reshape(len(tiles), -1).argmax(axis=1)
    best = (-1, 0, BITS + 1, 0)
    for choice in np.unique(flat):
        voters = tiles[flat == choice]
        i, shift = np.unravel_index(int(choice), table.shape[:2])
        bits = (voters.mean(axis=0) > 0.5).astype(np.uint8)
        off = int((table[i, shift] != bits).sum())
        if (len(voters), -off) > (best[3], -best[2]) and off <= MAX_DISTANCE:
            best = (int(i), int(shift), off, len(voters))
    return best


def _tiles(smalls: Sequence[np.ndarray], dx: int = 0, dy: int = 0) -> np.ndarray:
    return np.array([_fold(_grid_scores(s[dy:, dx:])).ravel() for s in smalls])


def read_frames(frames: Iterable[np.ndarray], marks: Sequence[str],
                widths: Sequence[int] = ()) -> Reading | None:
    """The known mark these frames carry (the one most frames carry), or None.

    Tries the working size of each plausible original width (the frame's own, and
    ``widths``, e.g. the production's format), first aligned, then every crop phase.
    """
    frames = list(frames)
    marks = list(marks)
    if not frames or not marks:
        return None
    straight, cyclic = _candidates(marks, False), _candidates(marks, True)
    h, w = frames[0].shape[:2]
    factors = sorted({factor_for(w)} | {max(1, round(factor_for(x) * w / x)) for x in widths
                                         if x > 0})
    sizes = [(k, w // k, h // k) for k in factors
             if w // k >= 2 * BLOCK * TILE and h // k >= 2 * BLOCK * TILE]
    shrunk = {k: [f if k == 1 else cv2.resize(f, (ww, wh), interpolation=cv2.INTER_AREA)
                  for f in frames] for k, ww, wh in sizes}
    for k, _, _ in sizes:
        i, _, off, n = _vote(_tiles(shrunk[k]), straight)
        if i >= 0:
            return Reading(marks[i], off, f"1/{k}, aligned, {n} of {len(frames)} frames")
    best: Reading | None = None
    for k, _, _ in sizes:  # no aligned reading: look for the phase of a crop
        few = shrunk[k][:: max(1, len(frames) // CROP_FRAMES)][:CROP_FRAMES]
        for dy in range(2 * BLOCK):  # the phase within a block, then within the tile
            for dx in range(2 * BLOCK):
                i, shift, off, n = _vote(_tiles(few, dx, dy), cyclic)
                if i >= 0 and off <= MAX_DISTANCE_CROP and (best is None or off < best.distance):
                    best = Reading(marks[i], off, f"1/{k}, cropped: phase {dx},{dy} px and "
                                                  f"{shift // TILE},{shift % TILE} blocks, "
                                                  f"{n} of {len(few)} frames")
    return best
