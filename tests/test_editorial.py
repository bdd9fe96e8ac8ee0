"""Editorial export: every format reads back as the cut, frame for frame, on media with
handles; FCP X keeps the dissolve; the EDL has a reel per source and a reel map; FCP 7
and FCP X point at absolute file URLs and carry the sequence's frame size."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import opentimelineio as otio
import pytest

from aktion.editorial.export import export_scene, reel_map_path
from aktion.editorial.timeline import ExportError
from aktion.engine.graph import plan
from aktion.engine.store import Store
from aktion.media.video import iter_frames, probe
from aktion.production.load import load_production
from aktion.production.takes import Canvas, save_canvas
from test_canvas import box_backend, frames_of, render  # noqa: F401

EDIT = {"shots": {
    "1": {"extend": 6, "trim": {"in": 2}},
    "2": {"takes": [{"seed": 5}], "pick": 2,
          "transition": {"type": "dissolve", "duration": 4}},
}}
CUT_FRAMES = (12 + 6 - 2) + 12 - 4  # shot 1 extended and trimmed, shot 2, the dissolve


@pytest.fixture
def cut(tiny: Path, box_backend: None) -> Path:  # noqa: F811
    save_canvas(tiny, Canvas.model_validate(EDIT))
    _, summary = render(tiny)
    assert summary.ok
    return tiny


def export(root: Path, fmt: str) -> Path:
    store = Store.for_production(root)
    try:
        return export_scene(plan(load_production(root)), store, "roof", fmt)
    finally:
        store.close()


@dataclass(frozen=True)
class Placed:
    """A clip as a suite reads it: its media, first source frame, and record range."""

    media: Path
    source: int
    record: int
    frames: int


def _placed(track_items: list, media_of) -> tuple[list[Placed], list[tuple[int, int, int]]]:
    """Clips, and dissolves (record start, frames, index of the incoming clip), from a
    read-back OTIO track."""
    clips, dissolves, at = [], [], 0
    for item in track_items:
        if isinstance(item, otio.schema.Clip):
            start = int(item.source_range.start_time.value)
            n = int(item.source_range.duration.value)
            clips.append(Placed(media_of(item), start, at, n))
            at += n
        elif isinstance(item, otio.schema.Transition):
            d = int(item.in_offset.value + item.out_offset.value)
            dissolves.append((at - int(item.in_offset.value), d, len(clips)))
    return clips, dissolves


def _differs(a: np.ndarray, b: np.ndarray) -> float:
    """Share of pixels more than 40 levels apart: re-encoding stays far below 1%."""
    return float((np.abs(a.astype(np.int16) - b.astype(np.int16)).max(axis=2) > 40).mean())


def assert_is_the_cut(cut_file: Path, clips: list[Placed],
                      dissolves: list[tuple[int, int, int]]) -> None:
    """Every frame of the cut is the frame the timeline says, from the media it names;
    dissolve frames are the two sides mixed as the cut mixes them."""
    movie = list(iter_frames(cut_file))
    assert len(movie) == sum(c.frames for c in clips)
    media = {c.media: list(iter_frames(c.media)) for c in clips}

    def frame(r: int) -> np.ndarray:
        for start, d, k in dissolves:
            if start <= r < start + d:
                a, b = clips[k - 1], clips[k]
                fa = media[a.media][a.source + r - a.record].astype(np.float64)
                fb = media[b.media][b.source + r - b.record].astype(np.float64)
                alpha = (r - start + 1) / (d + 1)
                return np.clip(fa * (1 - alpha) + fb * alpha + 0.5, 0, 255).astype(np.uint8)
        c = next(c for c in clips if c.record <= r < c.record + c.frames)
        return media[c.media][c.source + r - c.record]

    expected = [frame(r) for r in range(len(movie))]
    for r, got in enumerate(movie):
        assert _differs(got, expected[r]) < 0.01, r
    # and the measure tells frames apart: one frame off does not pass everywhere
    assert any(_differs(movie[r], expected[r + 1]) >= 0.01 for r in range(len(movie) - 1))


def test_otio_matches_the_cut_frame_for_frame(cut: Path) -> None:
    path = export(cut, "otio")
    assert path == cut / "out" / "editorial" / "roof.otio"
    timeline = otio.adapters.read_from_file(str(path))
    track = timeline.tracks[0]
    clips = list(track.find_clips())
    assert [c.metadata["aktion"]["shot"] for c in clips] == ["1", "2"]
    assert [c.metadata["aktion"]["take"] for c in clips] == [1, 2]
    [dissolve] = [t for t in track if isinstance(t, otio.schema.Transition)]
    assert (dissolve.in_offset.value, dissolve.out_offset.value) == (2, 2)
    # shot 1's media is the extended take (18 frames), trimmed by a source range: the two
    # trimmed frames and the dissolve's are handles
    ranges = [(c.source_range.start_time.value, c.source_range.duration.value) for c in clips]
    assert ranges == [(2, 14), (2, 10)]
    assert [c.media_reference.available_range.duration.value for c in clips] == [18, 12]
    assert track.duration().value == frames_of(cut / "out" / "roof.mp4") == CUT_FRAMES
    for c in clips:  # media relative to the export, and exactly the media referenced
        url = c.media_reference.target_url
        assert not url.startswith("/")
        assert probe(path.parent / url).frames == c.media_reference.available_range.duration.value
    placed, dissolves = _placed(list(track), lambda c: path.parent / c.media_reference.target_url)
    assert_is_the_cut(cut / "out" / "roof.mp4", placed, dissolves)
    meta = clips[1].metadata["aktion"]
    assert list(meta["script"]["lines"]) == [14, 14]
    assert "You're late." in clips[0].metadata["aktion"]["script"]["text"]
    assert meta["provenance"]["step"] == "render:2@t2" and len(meta["provenance"]["key"]) == 64
    assert list(clips[0].metadata["aktion"]["steps"]) == ["render:1", "extend:1", "trim:1"]


def test_fcp7_is_the_cut_on_absolute_media_with_its_format(cut: Path) -> None:
    path = export(cut, "fcp7")
    timeline = otio.adapters.read_from_string(path.read_text(), adapter_name="fcp_xml")
    track = timeline.tracks[0]
    clips = list(track.find_clips())
    for c in clips:
        assert c.media_reference.target_url.startswith("file://localhost/")
    media = {c.name: Path(otio.url_utils.filepath_from_url(
        c.media_reference.target_url.replace("file://localhost/", "file:///"))) for c in clips}
    assert all(m.is_absolute() and m.is_file() for m in media.values())
    [dissolve] = [t for t in track if isinstance(t, otio.schema.Transition)]
    assert dissolve.in_offset.value + dissolve.out_offset.value == 4
    placed, dissolves = _placed(list(track), lambda c: media[c.name])
    assert_is_the_cut(cut / "out" / "roof.mp4", placed, dissolves)
    xml = ElementTree.parse(path)
    size = xml.find(".//sequence/media/video/format/samplecharacteristics")
    assert (size.findtext("width"), size.findtext("height")) == ("160", "96")
    assert size.findtext("rate/timebase") == "24"


def test_fcpx_keeps_the_dissolve_and_the_format(cut: Path) -> None:
    path = export(cut, "fcpx")
    text = path.read_text()
    root = ElementTree.fromstring(text)
    [fmt] = root.findall("resources/format")
    assert (fmt.get("width"), fmt.get("height")) == ("160", "96")
    assert Fraction(fmt.get("frameDuration").rstrip("s")) == Fraction(1, 24)
    assets = {a.get("id"): a for a in root.findall("resources/asset")}
    for a in assets.values():
        assert a.get("src").startswith("file:///") and Path(
            otio.url_utils.filepath_from_url(a.get("src"))).is_file()
    spine = root.find(".//sequence/spine")
    kinds = [e.tag for e in spine]
    assert kinds == ["clip", "transition", "clip"]
    transition = spine[1]
    effect = root.find(f"resources/effect[@id='{transition.find('filter-video').get('ref')}']")
    assert effect.get("name") == "Cross Dissolve"
    seconds = lambda v: Fraction(v.rstrip("s"))
    start = seconds(transition.get("offset")) * 24
    d = seconds(transition.get("duration")) * 24
    assert (start, d) == (14 - 2, 4)  # centred on the cut, over two frames of each handle
    timeline = otio.adapters.read_from_string(text, adapter_name="fcpx_xml")
    track = next(iter(timeline.tracks))
    media = {a.get("name"): Path(otio.url_utils.filepath_from_url(a.get("src")))
             for a in assets.values()}
    placed, _ = _placed(list(track), lambda c: media[c.name])
    assert_is_the_cut(cut / "out" / "roof.mp4", placed, [(int(start), int(d), 1)])


def test_edl_has_a_reel_per_source_and_a_reel_map(cut: Path) -> None:
    path = export(cut, "edl")
    text = path.read_text()
    with reel_map_path(path.parent, "roof").open() as f:
        reels = {row["reel"]: row for row in csv.DictReader(f)}
    assert set(reels) == {"1T1", "2T2"}
    assert [reels[r]["shot"] for r in ("1T1", "2T2")] == ["1", "2"]
    for row in reels.values():
        assert Path(row["file"]).is_absolute()
        assert probe(Path(row["file"])).frames == int(row["frames"])
    assert " D 004 " in text  # the dissolve survives as a D event
    timeline = otio.adapters.read_from_string(text, adapter_name="cmx_3600", rate=24)
    track = timeline.tracks[0]
    clips = list(track.find_clips())
    assert [c.metadata["cmx_3600"]["reel"].strip() for c in clips] == ["1T1", "2T2"]
    placed, dissolves = _placed(
        list(track), lambda c: Path(reels[c.metadata["cmx_3600"]["reel"].strip()]["file"]))
    assert dissolves == [(12, 4, 1)]
    assert_is_the_cut(cut / "out" / "roof.mp4", placed, dissolves)


def test_export_needs_a_render(tiny: Path, box_backend: None) -> None:  # noqa: F811
    with pytest.raises(ExportError, match="render"):
        export(tiny, "otio")
