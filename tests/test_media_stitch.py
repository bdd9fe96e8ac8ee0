"""stitch: cuts copy packets untouched; transitions re-encode only around the join."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from aktion.media import (
    MediaError,
    TransitionSpec,
    VideoWriter,
    iter_frames,
    probe,
    read_frame,
    stitch,
)
from aktion.production.board import Transition

W, H, FPS = 128, 72, 24


def frame(i: int, seed: int, w: int = W, h: int = H) -> np.ndarray:
    f = np.zeros((h, w, 3), np.uint8)
    f[..., 0] = (np.arange(w) * 2 + i * 5 + seed * 60) % 256
    f[..., 1] = (seed * 90 + 30) % 256
    f[..., 2] = (np.arange(h)[:, None] * 3 + i * 3) % 256
    return f


def clip(path: Path, n: int, seed: int, w: int = W, h: int = H, **kw: object) -> Path:
    with VideoWriter(path, w, h, FPS, **kw) as wr:  # type: ignore[arg-type]
        for i in range(n):
            wr.write(frame(i, seed, w, h))
    return path


def digests(path: Path) -> list[str]:
    return [hashlib.sha256(f.tobytes()).hexdigest() for f in iter_frames(path)]


@pytest.fixture
def three(tmp_path: Path) -> list[Path]:
    return [clip(tmp_path / f"s{i}.mp4", n, i) for i, n in enumerate((40, 30, 50))]


def test_cuts_are_pure_remux(three: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "scene.mp4"
    report = stitch(three, out, [None, TransitionSpec("cut")], FPS)
    assert report.frames == probe(out).frames == 120
    assert report.reencoded_frames == 0 and report.regions == []
    assert report.remuxed_clips == 3
    assert digests(out) == [d for p in three for d in digests(p)]


def test_other_crf_still_copies(three: list[Path], tmp_path: Path) -> None:
    """crf only changes slice data, not the stream headers, so it stays a remux."""
    rough = clip(tmp_path / "rough.mp4", 30, 5, crf=35)
    report = stitch([three[0], rough], tmp_path / "scene.mp4")
    assert report.reencoded_frames == 0


def test_mismatched_clip_is_reencoded_and_joined(three: list[Path], tmp_path: Path) -> None:
    odd = clip(tmp_path / "odd.mp4", 20, 7, w=160, h=120, preset="medium")
    out = tmp_path / "scene.mp4"
    report = stitch([three[0], odd, three[1]], out)
    assert report.frames == probe(out).frames == 90
    assert report.reencoded_clips == [1]
    assert report.reencoded_frames == 20 and report.regions == [(40, 60)]
    got = digests(out)
    assert got[:40] == digests(three[0]) and got[60:] == digests(three[1])
    middle = list(iter_frames(out, 40, 60))
    assert all(f.shape == (H, W, 3) for f in middle)


def test_dissolve_reencodes_only_the_join(three: list[Path], tmp_path: Path) -> None:
    a, b, c = three
    out = tmp_path / "scene.mp4"
    d = 10
    report = stitch([a, b, c], out, [Transition(type="dissolve", duration=d), None], FPS)
    assert report.frames == probe(out).frames == 120 - d
    # the dissolve starts at a's frame 30; b is encoded from its frame 10 to keyframe 24
    assert report.regions == [(30, 30 + d + (24 - d))]
    assert report.reencoded_frames == 24
    got, da, db, dc = digests(out), digests(a), digests(b), digests(c)
    assert got[:30] == da[:30]
    assert got[54:] == db[24:] + dc
    # the middle of the dissolve is a blend of both shots
    mid = read_frame(out, 30 + d // 2).astype(float)
    fa = read_frame(a, 35).astype(float)
    fb = read_frame(b, 5).astype(float)
    alpha = (d // 2 + 1) / (d + 1)
    blend = fa * (1 - alpha) + fb * alpha
    assert np.abs(mid - blend).mean() < 3
    assert np.abs(mid - fa).mean() > 10 and np.abs(mid - fb).mean() > 10


def test_dip_goes_through_black_and_keeps_length(three: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "scene.mp4"
    report = stitch(three[:2], out, [TransitionSpec("dip", 8)])
    assert report.frames == probe(out).frames == 70
    assert report.regions == [(36, 64)]  # a's last 4, b's first 4 and on to keyframe 24
    frames = list(iter_frames(out, 36, 44))
    means = [f.mean() for f in frames]
    assert means[3] < 2  # the outgoing shot ends on black
    assert means[0] > means[1] > means[2] > means[3] < means[4] < means[5] < means[6]


def test_whip_decodes_and_keeps_length(three: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "scene.mp4"
    report = stitch(three, out, [TransitionSpec("whip", 6), TransitionSpec("whip", 6)])
    assert report.frames == len(digests(out)) == 120
    assert digests(out)[:37] == digests(three[0])[:37]


def test_transition_longer_than_clip_refused(three: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "scene.mp4"
    with pytest.raises(MediaError, match="s1.mp4: 30 frames, too short"):
        stitch(three, out, [TransitionSpec("dissolve", 20), TransitionSpec("dissolve", 20)])
    assert not out.exists()


def test_failure_leaves_nothing_behind(three: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "cut" / "scene.mp4"
    out.parent.mkdir()
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00" * 1000)
    with pytest.raises(MediaError, match="bad.mp4"):
        stitch([three[0], bad], out)
    assert list(out.parent.iterdir()) == []


def test_first_clip_cannot_transition_in(three: list[Path], tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="first clip"):
        stitch(three, tmp_path / "x.mp4", [TransitionSpec("dip", 4), None, None])


def test_short_clip_between_two_dissolves(three: list[Path], tmp_path: Path) -> None:
    """A clip with no keyframe left to copy from is encoded whole, joins and all."""
    short = clip(tmp_path / "short.mp4", 20, 9)
    out = tmp_path / "new" / "scene.mp4"
    joins = [TransitionSpec("dissolve", 5), TransitionSpec("dissolve", 5)]
    report = stitch([three[0], short, three[2]], out, joins)
    assert report.frames == probe(out).frames == 40 + 20 + 50 - 10
    assert report.regions == [(35, 35 + 5 + 10 + 5 + 19)]  # to c's keyframe 24
    assert report.remuxed == 2
    assert digests(out)[-26:] == digests(three[2])[24:]
