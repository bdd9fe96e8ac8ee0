"""probe, iter_frames, read_frame, and the errors bad files give; real files only."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from aktion.media import MediaError, VideoWriter, iter_frames, probe, read_frame

W, H = 128, 72


def frame(i: int) -> np.ndarray:
    f = np.zeros((H, W, 3), np.uint8)
    f[..., 0] = (np.arange(W) * 2 + i * 7) % 256
    f[..., 1] = (i * 11) % 256
    return f


def clip(path: Path, n: int = 40, fps: Fraction | int = 24) -> Path:
    with VideoWriter(path, W, H, fps) as w:
        for i in range(n):
            w.write(frame(i))
    return path


def test_probe_counts_frames_exactly(tmp_path: Path) -> None:
    info = probe(clip(tmp_path / "a.mp4", 37, Fraction(30000, 1001)))
    assert (info.width, info.height, info.frames) == (W, H, 37)
    assert info.fps == Fraction(30000, 1001)
    assert info.codec == "h264"
    assert info.duration == pytest.approx(37 * 1001 / 30000)
    assert info.keyframes == (0, 30) and not info.reordered


def test_iter_frames_range_matches_full_decode(tmp_path: Path) -> None:
    p = clip(tmp_path / "a.mp4", 40)
    full = list(iter_frames(p))
    assert len(full) == 40
    part = list(iter_frames(p, 27, 33))  # starts mid-GOP: decodes from keyframe 24
    assert len(part) == 6
    assert all(np.array_equal(a, b) for a, b in zip(part, full[27:33], strict=True))
    assert np.array_equal(read_frame(p, 39), full[39])
    with pytest.raises(IndexError, match="no frame 40"):
        read_frame(p, 40)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="nope.mp4: no such file"):
        probe(tmp_path / "nope.mp4")


def test_empty_file(tmp_path: Path) -> None:
    p = tmp_path / "empty.mp4"
    p.write_bytes(b"")
    with pytest.raises(MediaError, match="empty.mp4: file is empty"):
        probe(p)


def test_not_a_video(tmp_path: Path) -> None:
    p = tmp_path / "page.mp4"
    p.write_text("<html><body>" + "hello " * 200 + "</body></html>")
    with pytest.raises(MediaError, match="page.mp4"):
        list(iter_frames(p))


def test_truncated_file(tmp_path: Path) -> None:
    p = clip(tmp_path / "a.mp4")
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(p.read_bytes()[: p.stat().st_size // 2])
    with pytest.raises(MediaError, match="cut.mp4"):
        probe(cut)


def test_truncated_file_with_index_first(tmp_path: Path) -> None:
    """A web-style file (index before data) cut short still opens: caught by size."""
    p = tmp_path / "fast.mp4"
    with av.open(str(p), "w", options={"movflags": "faststart"}) as c:
        s = c.add_stream("libx264", rate=24)
        s.width, s.height, s.pix_fmt = W, H, "yuv420p"
        for i in range(40):
            c.mux(s.encode(av.VideoFrame.from_ndarray(frame(i), format="rgb24")))
        c.mux(s.encode(None))
    cut = tmp_path / "fastcut.mp4"
    cut.write_bytes(p.read_bytes()[: p.stat().st_size * 2 // 3])
    with pytest.raises(MediaError, match="fastcut.mp4: truncated"):
        probe(cut)


def test_a_folder_is_not_a_video(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="not a regular file"):
        probe(tmp_path)
