"""VideoWriter: real encodes, decoded back with PyAV."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from aktion.media import VideoWriter

W, H, FPS = 128, 72, 24


def frame(i: int) -> np.ndarray:
    x = np.arange(W, dtype=np.int32)
    f = np.zeros((H, W, 3), np.uint8)
    f[..., 0] = (x * 2 + i * 7) % 256
    f[..., 1] = (i * 11) % 256
    f[..., 2] = np.arange(H, dtype=np.uint8)[:, None] * 3
    return f


def write(path: Path, n: int = 30) -> Path:
    with VideoWriter(path, W, H, FPS) as w:
        for i in range(n):
            w.write(frame(i))
    return path


def test_output_decodes_with_size_fps_and_count(tmp_path: Path) -> None:
    p = write(tmp_path / "a.mp4", 30)
    with av.open(str(p)) as c:
        s = c.streams.video[0]
        assert (s.width, s.height) == (W, H)
        assert s.average_rate == FPS
        frames = [f.to_ndarray(format="rgb24") for f in c.decode(s)]
    assert len(frames) == 30
    assert np.abs(frames[5].astype(int) - frame(5)).mean() < 6  # lossy, but close


def test_same_frames_same_bytes(tmp_path: Path) -> None:
    a = write(tmp_path / "a.mp4").read_bytes()
    b = write(tmp_path / "b.mp4").read_bytes()
    assert a == b


def test_exception_leaves_no_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "shot.mp4"
    with pytest.raises(KeyError), VideoWriter(target, W, H, FPS) as w:
        w.write(frame(0))
        raise KeyError("boom")
    assert list(tmp_path.iterdir()) == []


def test_wrong_frame_shape_refused(tmp_path: Path) -> None:
    target = tmp_path / "shot.mp4"
    with pytest.raises(ValueError, match="expected uint8 RGB"), VideoWriter(target, W, H, FPS) as w:
        w.write(np.zeros((H, W), np.uint8))
    assert list(tmp_path.iterdir()) == []
