"""Image I/O: formats by content, pixel caps before decoding, 16-bit depth round-trip."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from aktion.media import MediaError
from aktion.media.images import open_image, read_array, write_png_atomic


def png_header_only(path: Path, width: int, height: int) -> Path:
    """A tiny PNG whose header claims width x height (a decompression bomb's shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b""))
    return path


def test_rgb_round_trip_and_format_by_content(tmp_path: Path) -> None:
    rgb = np.random.default_rng(0).integers(0, 256, (24, 40, 3), dtype=np.uint8)
    p = write_png_atomic(tmp_path / "ref.jpg", rgb)  # misleading name: content decides
    im = open_image(p)
    assert im.format == "PNG" and im.size == (40, 24)
    assert np.array_equal(read_array(p), rgb)


def test_depth_16_bit_round_trip(tmp_path: Path) -> None:
    depth = (np.arange(30 * 50, dtype=np.uint32).reshape(30, 50) * 43 % 65536).astype(np.uint16)
    p = write_png_atomic(tmp_path / "depth.png", depth)
    back = read_array(p)
    assert back.dtype == np.uint16 and np.array_equal(back, depth)
    assert [x.name for x in tmp_path.iterdir()] == ["depth.png"]


def test_oversize_refused_before_decoding(tmp_path: Path) -> None:
    p = png_header_only(tmp_path / "bomb.png", 30_000, 30_000)
    with pytest.raises(MediaError, match=r"bomb.png: .*(too large|over the)"):
        open_image(p)
    small = write_png_atomic(tmp_path / "small.png", np.zeros((20, 20, 3), np.uint8))
    with pytest.raises(MediaError, match="small.png: 20x20 is 400 pixels, over the 100 limit"):
        open_image(small, max_pixels=100)


@pytest.mark.parametrize(
    ("name", "content", "hint"),
    [
        ("face.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "SVG"),
        ("face.webp", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "HTML"),
    ],
)
def test_markup_refused(tmp_path: Path, name: str, content: bytes, hint: str) -> None:
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(MediaError, match=rf"{name}: not a JPEG/PNG/WEBP image \(it is {hint}"):
        open_image(p)


def test_other_format_refused(tmp_path: Path) -> None:
    p = tmp_path / "anim.png"
    Image.new("RGB", (8, 8)).save(p, format="GIF")
    with pytest.raises(MediaError, match="anim.png: not a JPEG/PNG/WEBP"):
        open_image(p)
    assert open_image(p, formats={"GIF"}).format == "GIF"


def test_truncated_and_missing(tmp_path: Path) -> None:
    rgb = np.random.default_rng(1).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    full = write_png_atomic(tmp_path / "full.png", rgb).read_bytes()
    cut = tmp_path / "cut.png"
    cut.write_bytes(full[: len(full) // 2])
    with pytest.raises(MediaError, match="cut.png: truncated or corrupt"):
        open_image(cut)
    with pytest.raises(MediaError, match="gone.png: no such file"):
        open_image(tmp_path / "gone.png")


def test_bad_array_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="PNG needs"):
        write_png_atomic(tmp_path / "x.png", np.zeros((4, 4, 3), np.float32))
    assert list(tmp_path.iterdir()) == []
