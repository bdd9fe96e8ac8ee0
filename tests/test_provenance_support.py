"""Helpers for the provenance tests: tiny media, identities in a private AKTION_HOME.

Kept in one place so each test file stays about what it proves. No tests here.
"""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import av
import c2pa
import numpy as np
import pytest

from aktion.provenance.identity import Identity, create_identity, install_identity

CANARY = "canary-7f3e9d1c5b2a4680"


def write_png(path: Path, size: int = 16, shade: int = 0) -> Path:
    """A tiny RGB gradient PNG written by hand (no imaging library needed)."""
    rows = b"".join(
        b"\x00" + bytes(c for x in range(size) for c in ((x * 15 + shade) % 256, y * 15, 90))
        for y in range(size)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                     + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    return path


def write_mp4(path: Path, seconds: float = 1.0, shade: int = 0) -> Path:
    """A 64x64, 24 fps H.264 clip with a moving gradient."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=24)
        stream.width = stream.height = 64
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": "ultrafast"}
        ramp = np.arange(64, dtype=np.uint16)
        for i in range(int(24 * seconds)):
            img = np.zeros((64, 64, 3), np.uint8)
            img[..., 0] = ((ramp[None, :] * 4 + i * 8 + shade) % 256).astype(np.uint8)
            img[..., 1] = ((ramp[:, None] * 4) % 256).astype(np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


def mp4_boxes(data: bytes) -> list[tuple[str, int, int]]:
    """Top-level ISO BMFF boxes as (type, offset, size)."""
    boxes, i = [], 0
    while i + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[i : i + 8])
        if size == 1:
            size = struct.unpack(">Q", data[i + 8 : i + 16])[0]
        elif size == 0:
            size = len(data) - i
        boxes.append((kind.decode("latin-1"), i, size))
        i += size
    return boxes


def sdk_read(path: Path, anchor_pem: str | None = None) -> dict:
    """What the C2PA SDK's own Reader makes of a file."""
    settings = {"trust": {"user_anchors": anchor_pem}} if anchor_pem else {}
    ctx = c2pa.Context.from_dict(settings)
    reader = c2pa.Reader(str(path), context=ctx)
    try:
        return json.loads(reader.json())
    finally:
        reader.close()


def make_production(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "aktion.toml").write_text('[production]\nname = "t"\n')
    (root / "script.fountain").write_text(
        "EXT. ROOF - NIGHT\n\nVex faces Kade.\n\nVEX\nYou're late.\n")
    return root


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private AKTION_HOME, so no test ever touches the real one."""
    h = tmp_path / "home"
    monkeypatch.setenv("AKTION_HOME", str(h))
    monkeypatch.delenv("AKTION_IDENTITY", raising=False)
    return h


@pytest.fixture
def production(tmp_path: Path) -> Path:
    return make_production(tmp_path / "prod")


@pytest.fixture
def identity(home: Path, production: Path) -> Identity:
    ident = create_identity("studio")
    install_identity(production, ident)
    return ident
