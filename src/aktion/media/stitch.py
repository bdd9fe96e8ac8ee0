"""The cut: join shot clips into one scene video, re-encoding as little as possible.

Clips written with the shared encoding recipe (same size, rate and x264 settings)
are concatenated by stream copy: their packets are moved, not decoded. Only the
frames a transition touches are decoded and encoded again, starting from the
transition and running to the incoming clip's next keyframe, so copying resumes
there. A clip made some other way is re-encoded whole to match.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import av
import numpy as np

from .atomic import atomic_path
from .conform import fit
from .errors import MediaError
from .transitions import TransitionLike, TransitionSpec, render
from .video import VideoInfo, VideoWriter, as_fps, iter_frames, probe, read_frame


@dataclass(frozen=True)
class Copy:
    """Packets [start, stop) of clip number ``clip``, stream-copied."""

    path: Path
    clip: int
    start: int
    stop: int

    @property
    def frames(self) -> int:
        return self.stop - self.start


@dataclass(frozen=True)
class Encode:
    """Frames made fresh (a transition, or a clip's frames up to its next keyframe)."""

    label: str
    frames: int
    source: Iterator[np.ndarray] = field(repr=False, compare=False)


Piece = Copy | Encode


@dataclass
class StitchReport:
    """What the cut did. ``seconds`` is the time it took; ``duration`` the scene's length."""

    frames: int
    remuxed_clips: int
    reencoded_frames: int
    seconds: float
    duration: float
    copied_frames: int = 0
    reencoded_clips: list[int] = field(default_factory=list)
    """Clips that did not match the recipe and were re-encoded whole."""
    regions: list[tuple[int, int]] = field(default_factory=list)
    """Output frame ranges [start, stop) that were encoded, not copied."""

    @property
    def remuxed(self) -> int:
        """Short name for ``remuxed_clips``."""
        return self.remuxed_clips


def stitch(
    clips: Sequence[Path | str],
    out: Path | str,
    transitions: Sequence[TransitionLike | None] = (),
    fps: float | Fraction | None = None,
    *,
    crf: int = 20,
    preset: str = "veryfast",
) -> StitchReport:
    """Join ``clips`` into ``out`` (written atomically).

    ``transitions`` has one entry per join (``len(clips) - 1``), or one per clip
    as a board's "transition in" (the first must then be a cut); missing entries
    are cuts. The scene takes the first clip's size and, unless ``fps`` is given,
    its frame rate; frames are never retimed. ``crf`` and ``preset`` are used for
    the frames that must be encoded, and must match the clips for them to be copied.
    """
    began = time.perf_counter()
    paths = [Path(c) for c in clips]
    if not paths:
        raise ValueError("stitch needs at least one clip")
    infos = [probe(p) for p in paths]
    rate = as_fps(fps) if fps is not None else infos[0].fps
    width, height = infos[0].width // 2 * 2, infos[0].height // 2 * 2  # yuv420p: even
    specs = _joins(transitions, len(paths))
    canon = canonical_extradata(width, height, rate, preset)
    fits = [_matches(i, width, height, rate, canon) for i in infos]
    plan = _plan(paths, infos, specs, fits, width, height)

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix=f".{out.stem}.", dir=out.parent) as work,
        atomic_path(out) as tmp,
    ):
        sources, regions = _encode(plan, Path(work), width, height, rate, crf, preset)
        total = _mux(sources, tmp, rate)

    encoded = sum(p.frames for p in plan if isinstance(p, Encode))
    return StitchReport(
        frames=total,
        remuxed_clips=len({p.clip for p in plan if isinstance(p, Copy)}),
        reencoded_frames=encoded,
        seconds=time.perf_counter() - began,
        duration=float(total / rate),
        copied_frames=total - encoded,
        reencoded_clips=[i for i, ok in enumerate(fits) if not ok],
        regions=regions,
    )


def _joins(transitions: Sequence[TransitionLike | None], n: int) -> list[TransitionSpec]:
    """One spec per join: specs[i] is the transition from clip i to clip i + 1."""
    specs = [TransitionSpec.of(t) for t in transitions]
    if len(specs) == n and n > 0:
        if not specs[0].is_cut:
            raise ValueError(f"the first clip has no clip before it to {specs[0].type} from")
        specs = specs[1:]
    if len(specs) > n - 1:
        raise ValueError(f"{len(specs)} transitions for {n} clips")
    return specs + [TransitionSpec()] * (n - 1 - len(specs))


def _matches(info: VideoInfo, width: int, height: int, rate: Fraction, canon: bytes) -> bool:
    """Can this clip's packets be copied into the scene as they are?"""
    return (
        info.codec == "h264"
        and info.pix_fmt == "yuv420p"
        and (info.width, info.height) == (width, height)
        and info.fps == rate
        and not info.reordered
        and info.keyframes[:1] == (0,)
        and info.extradata == canon
    )


@lru_cache(maxsize=16)
def canonical_extradata(width: int, height: int, fps: Fraction, preset: str) -> bytes:
    """The stream headers the recipe produces at this size and rate (crf does not matter)."""
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "probe.mp4"
        with VideoWriter(path, width, height, fps, preset=preset) as w:
            w.write(np.zeros((height, width, 3), np.uint8))
        return probe(path).extradata


def _plan(
    paths: list[Path],
    infos: list[VideoInfo],
    specs: list[TransitionSpec],
    fits: list[bool],
    width: int,
    height: int,
) -> list[Piece]:
    """Lay the scene out as copied packet ranges and freshly encoded frame runs."""

    def frames(i: int, start: int, stop: int) -> Iterator[np.ndarray]:
        return (fit(f, width, height) for f in iter_frames(paths[i], start, stop))

    plan: list[Piece] = []
    for i, info in enumerate(infos):
        head = specs[i - 1].head if i > 0 else 0
        tail = specs[i].tail if i < len(specs) else 0
        if head + tail > info.frames:
            raise MediaError(
                f"{paths[i]}: {info.frames} frames, too short for its transitions "
                f"({head} in, {tail} out)"
            )
        if i > 0 and not specs[i - 1].is_cut:
            spec, prev = specs[i - 1], infos[i - 1]
            tail_frames = frames(i - 1, prev.frames - spec.tail, prev.frames)
            head_frames = frames(i, 0, spec.head)
            last_out = first_in = np.zeros((height, width, 3), np.uint8)
            if spec.type == "whip":  # the pan shows the far side's edge frame
                last_out = fit(read_frame(paths[i - 1], prev.frames - 1), width, height)
                first_in = fit(read_frame(paths[i], 0), width, height)
            src = render(spec, tail_frames, head_frames, last_out, first_in)
            plan.append(Encode(f"{spec.type} {i - 1}->{i}", spec.frames, src))
        lo, hi = head, info.frames - tail
        if fits[i]:
            k = min((k for k in info.keyframes if k >= lo), default=hi)
            k = min(k, hi)
        else:
            k = hi
        if k > lo:
            plan.append(Encode(f"clip {i} [{lo}, {k})", k - lo, frames(i, lo, k)))
        if hi > k:
            plan.append(Copy(paths[i], i, k, hi))
    return plan


def _encode(
    plan: list[Piece],
    work: Path,
    width: int,
    height: int,
    rate: Fraction,
    crf: int,
    preset: str,
) -> tuple[list[tuple[Path, int, int]], list[tuple[int, int]]]:
    """Encode each run of consecutive Encode pieces into one segment file.

    Returns the packet sources to mux in order, as (file, start, stop), and the
    output frame ranges that were encoded.
    """
    runs: list[Copy | list[Encode]] = []
    for piece in plan:
        if isinstance(piece, Copy):
            runs.append(piece)
        elif runs and isinstance(runs[-1], list):
            runs[-1].append(piece)
        else:
            runs.append([piece])
    sources: list[tuple[Path, int, int]] = []
    regions: list[tuple[int, int]] = []
    at = 0
    for run in runs:
        if isinstance(run, Copy):
            sources.append((run.path, run.start, run.stop))
            at += run.frames
            continue
        seg = work / f"segment{len(regions):03d}.mp4"
        with VideoWriter(seg, width, height, rate, crf=crf, preset=preset) as writer:
            for piece in run:
                before = writer.frames
                for frame in piece.source:
                    writer.write(frame)
                if writer.frames - before != piece.frames:
                    raise MediaError(
                        f"{piece.label}: expected {piece.frames} frames, "
                        f"got {writer.frames - before}"
                    )
        sources.append((seg, 0, writer.frames))
        regions.append((at, at + writer.frames))
        at += writer.frames
    return sources, regions


def _mux(sources: list[tuple[Path, int, int]], out: Path, rate: Fraction) -> int:
    """Copy packet ranges into ``out`` back to back, renumbering their timestamps."""
    tick = 1 / rate
    n = 0
    with av.open(str(sources[0][0])) as first, av.open(str(out), mode="w") as dst:
        stream = dst.add_stream_from_template(first.streams.video[0])
        for path, start, stop in sources:
            with av.open(str(path)) as src:
                index = 0
                for packet in src.demux(src.streams.video[0]):
                    if packet.size == 0:
                        continue
                    if index >= stop:
                        break
                    if index >= start:
                        if index == start and not packet.is_keyframe:
                            raise MediaError(f"{path}: frame {start} is not a keyframe")
                        packet.stream = stream
                        packet.pts = packet.dts = n
                        packet.duration = 1
                        packet.time_base = tick
                        dst.mux(packet)
                        n += 1
                    index += 1
            if index < stop:
                raise MediaError(f"{path}: ended at frame {index}, expected {stop}")
    return n
