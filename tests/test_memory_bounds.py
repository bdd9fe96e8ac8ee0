"""Memory that does not grow with length: the contact sheet holds one full-size frame at
a time, the temp score is read only as far as the picture needs, and a clip too large
to decode is refused before any frame is."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import pytest

from aktion.canvas import audio
from aktion.media.errors import MediaError
from aktion.media.video import VideoWriter, iter_frames, probe
from aktion.storyboard.tiles import contact_sheet
from test_canvas import write_tone


def _frames(n: int, h: int = 720, w: int = 1280) -> list[np.ndarray]:
    rng = np.random.default_rng(3)
    return [np.full((h, w, 3), rng.integers(0, 255, 3), np.uint8) for _ in range(n)]


def test_the_sheet_takes_its_tiles_one_at_a_time() -> None:
    """Fed by a generator, the sheet drops each full-size frame before it asks for the
    next, and draws exactly what it draws from a list."""
    frames = _frames(6)
    labels = [f"sh{i}" for i in range(6)]
    alive: list[weakref.ref] = []

    def stream() -> Iterator[np.ndarray]:
        for f in frames:
            gc.collect()
            assert all(r() is None for r in alive), "an earlier frame is still held"
            frame = f.copy()  # what reading a clip gives: a fresh array
            alive.append(weakref.ref(frame))
            yield frame
            del frame

    sheet = contact_sheet(stream(), labels, columns=3, tile_width=160, title="roof")
    assert np.array_equal(sheet, contact_sheet(frames, labels, columns=3, tile_width=160,
                                               title="roof"))
    assert sheet.shape == (34 + 2 * (90 + 22 + 8) + 8, 3 * (160 + 8) + 8, 3)


def test_a_sheet_short_of_frames_says_so() -> None:
    with pytest.raises(ValueError, match="3 labels but 2 frames"):
        contact_sheet(iter(_frames(2, 64, 64)), ["a", "b", "c"])


def _picture(path: Path, frames: int) -> Path:
    with VideoWriter(path, 64, 48, 24) as w:
        for f in _frames(frames, 48, 64):
            w.write(f)
    return path


def _decoded(path: Path) -> np.ndarray:
    with av.open(str(path)) as c:
        return np.concatenate([f.to_ndarray() for f in c.decode(audio=0)], axis=1)


def test_a_long_score_is_cut_to_the_picture(tmp_path: Path) -> None:
    picture = _picture(tmp_path / "v.mp4", 24)
    score = write_tone(tmp_path / "long.wav", 90.0)  # ninety seconds for one of picture
    n = audio.mix(picture, score, tmp_path / "out.mp4")
    assert n == 48000
    pcm = _decoded(tmp_path / "out.mp4")
    assert abs(pcm.shape[1] - 48000) <= 1024
    a = pcm[0, 4096:44096]  # past the encoder's priming, to the picture's end
    peak = np.argmax(np.abs(np.fft.rfft(a))) * 48000 / len(a)
    assert abs(peak - 220) < 3  # the score's tone, all the way
    # at its level: 0.3 / sqrt(2) RMS, spread from mono to two channels at -3 dB
    assert 0.13 < float(np.sqrt((a ** 2).mean())) < 0.17


def test_a_short_score_is_followed_by_silence(tmp_path: Path) -> None:
    picture = _picture(tmp_path / "v.mp4", 48)
    score = write_tone(tmp_path / "short.wav", 0.5)
    assert audio.mix(picture, score, tmp_path / "out.mp4") == 96000
    pcm = _decoded(tmp_path / "out.mp4")
    assert float(np.abs(pcm[:, 4000:20000]).max()) > 0.2
    assert float(np.abs(pcm[:, 40000:90000]).max()) < 0.01


def test_the_score_is_read_only_as_far_as_the_picture_needs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An endless source (what a one-hour file is to a one-second cut) is read in blocks
    and left once the picture has its samples: reading on would raise here."""
    picture = _picture(tmp_path / "v.mp4", 24)
    pulled = []

    def endless(path: Path) -> Iterator[np.ndarray]:
        t0 = 0
        while True:
            if sum(pulled) > 48000 + 4800:
                raise AssertionError("read past what the picture needs")
            t = (t0 + np.arange(4800)) / 48000
            pulled.append(4800)
            t0 += 4800
            yield np.stack([np.sin(2 * np.pi * 220 * t)] * 2).astype(np.float32) * 0.3

    monkeypatch.setattr(audio, "_chunks", endless)
    assert audio.mix(picture, tmp_path / "unused.wav", tmp_path / "out.mp4") == 48000
    assert sum(pulled) <= 48000 + 4800


def test_a_score_without_sound_is_a_clear_error(tmp_path: Path) -> None:
    picture = _picture(tmp_path / "v.mp4", 24)
    with pytest.raises(MediaError, match="no audio stream"):
        audio.mix(picture, picture, tmp_path / "out.mp4")


def test_a_clip_too_large_to_decode_is_refused(tmp_path: Path) -> None:
    """An 8192x8192 clip (200 MB a decoded frame) is refused before a frame is decoded."""
    path = tmp_path / "huge.mp4"
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=24, options={"preset": "ultrafast"})
        s.width = s.height = 8192
        s.pix_fmt = "yuv420p"
        frame = av.VideoFrame(8192, 8192, "yuv420p")
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        frame.pts = 0
        c.mux(s.encode(frame))
        c.mux(s.encode(None))
    for read in (probe, lambda p: next(iter_frames(p))):
        with pytest.raises(MediaError, match="8192x8192 frames are too large to decode"):
            read(path)
    small = _picture(tmp_path / "ok.mp4", 2)
    assert probe(small).width == 64
